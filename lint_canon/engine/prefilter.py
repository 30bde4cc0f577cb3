"""The text prefilter: can a file hold a finding at all, judged from its bytes alone?

Every rule names groups of needles (``Rule.tokens``); a file may hold a finding of the rule only
if it holds every needle of one group. Most files of a large repository hold none and are never
parsed. The judgement must be a superset of what the rules can find: a needle may let through a
file that has no finding (it is parsed for nothing), never stop one that has.

What a file imports is read with one regex pass over its import lines (``ImportIndex``); the
groups are indexed by the module root they need imported, so a file is only tested against the
groups of the modules it imports.

Python reads a file through its coding cookie and NFKC-normalises its names (``ｏｓ`` is
``os``): the engine judges such a file a second time as that text, normalised.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Any

# Whitespace inside a statement: blanks, a form feed, or a backslash continuation.
_WS = rb"(?:[ \t\f]|\\\r?\n)"
# The names of an import run to the end of the line, past backslash continuations, or to the
# closing parenthesis (past comments, which may hold one).
_LIST = rb"(\((?:[^)#]|#[^\n]*)*\)|(?:[^\n#;\\]|\\\r?\n|\\)*)"
# `from a . b import`, `from \<newline> a import`, `lazy from a import` (PEP 810), `import a`.
_STATEMENT = (
    rb"(?:lazy%(ws)b+)?"
    rb"(?:from%(ws)b+([\w.](?:[\w.]|%(ws)b)*?)%(ws)b*import(?!\w)%(ws)b*%(list)b|import(?!\w)%(ws)b*%(list)b)"
) % {b"ws": _WS, b"list": _LIST}
_IMPORT = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\f]*" + _STATEMENT)
# An import after a colon or semicolon (`if TYPE_CHECKING: import x`, `import a; import b`).
_INLINE_IMPORT = re.compile(rb"[;:]" + _WS + rb"*" + _STATEMENT)
_SEPARATOR = re.compile(rb"[;:]")
# import_module may be called under another name: then any dotted string may be a module
# (escapes included: "clear\x62it").
_DYNAMIC_IMPORT = re.compile(rb"(['\"])((?:[\w.]|\\(?:N\{[^}\r\n]*\}|\r?\n|[^\r\n]))+?)\1")
_WORD = re.compile(rb"\w+")
_LONE_CR = re.compile(rb"\r(?!\n)")
_ROOT = re.compile(rb"[\s\\]*(\w+)")
# The name before a dot: `pickle . loads` -> pickle (ASCII; anything else is judged a match).
_HEAD = re.compile(rb"(\w*)[ \t\f\\\r\n]*\Z")


class ImportIndex:
    """What a file imports, read from its import lines: the roots of the modules, and per root
    the names its imports bind and the names its from-imports list; the roots of its
    ``from M import *``; the module names of its import_module / __import__ strings. A superset
    on purpose: comments and strings that look like imports count."""

    __slots__ = ("package", "roots", "outside", "star", "dynamic", "relative", "_imports", "_bound", "_listed")

    def __init__(self, data: bytes, package: bytes | None = None) -> None:
        # The dotted package the file belongs to (b"myapp.sub"): what its relative imports reach.
        self.package = package
        # What its relative imports name, resolved against it: b"myapp.legacy.x" for
        # `from ..legacy import x` in myapp/sub/ (b"myapp.legacy.*" for a star).
        self.relative: list[bytes] = []
        self.roots: set[bytes] = set()
        # The roots an absolute (or dynamic) import names; the others are reached only by
        # relative imports, from inside their own package.
        self.outside: set[bytes] = set()
        self.star: set[bytes] = set()  # roots of `from <root>... import *`
        self.dynamic: set[bytes] = set()  # dotted names in strings, when import_module is used
        # (root, the words of its import, whether it is a from-import), for bound() and listed()
        self._imports: list[tuple[bytes, bytes, bool]] = []
        self._bound: dict[bytes, set[bytes]] | None = None
        self._listed: dict[bytes, set[bytes]] | None = None
        if b"\r" in data and _LONE_CR.search(data):
            data = _LONE_CR.sub(b"\n", data)  # old Mac line ends: Python reads them as newlines
        # Every import statement spells "import": finding those (a C loop over the bytes) and
        # matching from the start of their lines is several times faster than a regex over
        # every line.
        line = -1
        at = data.find(b"import")
        while at != -1:
            start = data.rfind(b"\n", 0, at) + 1
            if start != line:
                line = start
                self._statements(data, start, at)
            at = data.find(b"import", at + 6)
        if b"import_module" in data or b"__import__" in data:
            for match in _DYNAMIC_IMPORT.finditer(data):
                name = match.group(2)
                if b"\\" in name:
                    try:
                        text = name.replace(b"\r\n", b"\n").decode("latin-1")
                        name = codecs.decode(text, "unicode_escape").encode("utf-8")
                    except (UnicodeError, ValueError):
                        continue  # not a valid literal: Python rejects the file
                self.dynamic.add(name)
                self.roots.add(name.split(b".", 1)[0])
                self.outside.add(name.split(b".", 1)[0])

    def _statements(self, data: bytes, start: int, at: int) -> None:
        """The imports of the line that starts at ``start`` (and holds "import" at ``at``): at
        its start, at the start of the lines it continues (`from os \\` + `import x`), and
        after each colon or semicolon."""
        first = start
        for _ in range(100):  # a backslash continuation: the statement may begin lines before
            if data[first - 2 : first] == b"\\\n":
                first = data.rfind(b"\n", 0, first - 2) + 1
            elif data[first - 3 : first] == b"\\\r\n":
                first = data.rfind(b"\n", 0, first - 3) + 1
            else:
                break
            self._add(_IMPORT.match(data, first))
        self._add(_IMPORT.match(data, start))
        end = data.find(b"\n", at)
        for separator in _SEPARATOR.finditer(data, first, len(data) if end == -1 else end):
            self._add(_INLINE_IMPORT.match(data, separator.start()))

    def _add(self, match: re.Match[bytes] | None) -> None:
        if match is None:
            return
        module, names, plain = match.groups()
        if module is not None:
            if module.startswith(b"."):  # a relative import reaches into the file's own package
                self._add_relative(module, names)
                return
            root = _WORD.match(module)
            if root is not None:
                self.roots.add(root.group())
                self.outside.add(root.group())
                self._imports.append((root.group(), names, True))
                if b"*" in names:
                    self.star.add(root.group())
            return
        for element in plain.split(b","):
            root = _ROOT.match(element)
            if root is not None:
                self.roots.add(root.group(1))
                self.outside.add(root.group(1))
                self._imports.append((root.group(1), element, False))

    def _add_relative(self, module: bytes, names: bytes) -> None:
        if not self.package:
            return  # outside a package a relative import imports nothing
        rest = module.lstrip(b".")
        parts = self.package.split(b".")
        climb = len(module) - len(rest) - 1
        if climb >= len(parts):
            return  # climbs out of the package: nothing the checker resolves
        base = b".".join(parts[: len(parts) - climb] + _WORD.findall(rest))
        self.roots.add(parts[0])
        self.relative.extend(base + b"." + word for word in _WORD.findall(names))
        if b"*" in names:
            self.relative.append(base + b".*")

    def reaches(self, dotted: bytes) -> tuple[bool, bool]:
        """Whether a relative import names ``dotted`` or something inside it; and whether it
        names something ``dotted`` may be reached through (``from . import api``, then
        ``api.get`` for myapp.api.get: the last name is spelled where it is used)."""
        inside = through = False
        for name in self.relative:
            if name.endswith(b".*"):  # from M import *: M itself is imported
                name = name[:-2]
            if name == dotted or name.startswith(dotted + b"."):
                inside = True
            elif dotted.startswith(name + b"."):
                through = True
        return inside, through

    def _index(self) -> None:
        self._bound, self._listed = {}, {}
        for root, words, listed in self._imports:
            found = _WORD.findall(words)
            self._bound.setdefault(root, set()).update(found)
            if listed:
                self._listed.setdefault(root, set()).update(found)

    def bound(self, root: bytes) -> set[bytes]:
        """Every word of the imports of ``root``: among them the names they bind (``import a.b
        as c`` binds c, ``from a import b`` binds b)."""
        if self._bound is None:
            self._index()
        assert self._bound is not None
        return self._bound.get(root, set())

    def listed(self, root: bytes) -> set[bytes]:
        """The names of ``from <root>... import <names>``."""
        if self._listed is None:
            self._index()
        assert self._listed is not None
        return self._listed.get(root, set())


class Prefilter:
    """Built once per canon from the rules' needle groups; called once per file."""

    def __init__(self, groups: Iterable[tuple[Any, ...]]) -> None:
        order = {"import": 0, "prefix": 0, "name": 1, "regex": 2}
        self.by_root: dict[bytes, list[tuple[Any, ...]]] = {}
        # groups that need a module imported whose root starts with a prefix (``mypy_boto3_``)
        self.by_prefix: dict[bytes, list[tuple[Any, ...]]] = {}
        self.loose: list[tuple[Any, ...]] = []  # groups that need no import
        self.patterns: dict[Any, re.Pattern[bytes]] = {}
        self.words: dict[Any, bytes] = {}  # the plain word a needle needs, when it needs one
        for group in sorted(set(groups)):
            group = tuple(sorted(group, key=lambda n: order[n.kind]))
            roots = [n.word for n in group if n.kind == "import"]
            prefixes = [n.word for n in group if n.kind == "prefix"]
            if roots:
                self.by_root.setdefault(roots[0], []).append(group)
            elif prefixes:
                self.by_prefix.setdefault(prefixes[0], []).append(group)
            else:
                self.loose.append(group)
            for needle in group:
                if needle.kind == "name":
                    self.patterns[needle] = re.compile(rb"\.[\s\\]*" + re.escape(needle.word) + rb"\b")
                    self.words[needle] = needle.word
                elif needle.kind == "regex":
                    pattern = self.patterns[needle] = re.compile(needle.pattern)
                    # A word is tested as it is spelled: useless to a pattern that ignores case.
                    if needle.word and not pattern.flags & re.IGNORECASE:
                        self.words[needle] = needle.word

    def __call__(self, data: bytes, package: bytes | None = None) -> bool:
        index = ImportIndex(data, package)
        candidates = [group for root in index.roots & self.by_root.keys() for group in self.by_root[root]]
        if self.by_prefix:
            prefixes = tuple(self.by_prefix)
            for root in index.roots:
                if root.startswith(prefixes):
                    candidates += [g for p, gs in self.by_prefix.items() if root.startswith(p) for g in gs]
        candidates += self.loose
        if not candidates:
            return False
        seen: dict[Any, bool] = {}
        for group in candidates:
            for needle in group:
                found = seen.get(needle)
                if found is None:
                    found = seen[needle] = self._holds(needle, index, data)
                if not found:
                    break
            else:
                return True
        return False

    def _holds(self, needle: Any, index: ImportIndex, data: bytes) -> bool:
        if needle.kind == "prefix":
            return any(root.startswith(needle.word) for root in index.roots)
        if needle.kind == "import":
            if needle.word in index.outside or not needle.heads:
                return needle.word in index.roots
            # Reached only from inside its package: only through the names the rule reads
            # (the HTTP functions and clients of the library: urllib3.PoolManager, ...).
            return needle.word in index.roots and any(any(index.reaches(name)) for name in needle.heads)
        if needle.kind == "name" and index.dynamic:
            # import_module("subprocess.Popen"), however the string spells it
            dotted = b".".join((*needle.heads, needle.word))
            if any(name == dotted or name.startswith(dotted + b".") for name in index.dynamic):
                return True
        through = False
        if needle.kind == "name" and index.relative:
            inside, through = index.reaches(b".".join((*needle.heads, needle.word)))
            if inside:
                return True  # `from . import old` inside a banned myapp.legacy spells no "legacy"
        word = self.words.get(needle)
        if word is not None and word not in data:
            return False
        if through:
            return True
        if needle.kind == "regex":
            return self.patterns[needle].search(data) is not None
        # A name: bound by `from <root> import *`, imported by name from its module, or used
        # after a dot that follows a name an import of its module binds, or a part of its own
        # dotted name.
        root = needle.heads[0]
        if root in index.star or needle.word in index.listed(root):
            return True
        heads = index.bound(root).union(needle.heads)
        for match in self.patterns[needle].finditer(data):
            start = match.start()
            low = max(0, start - 80)
            head = _HEAD.search(data, low, start)
            if head is None or not head.group(1) or (head.start() == low and low > 0):
                return True  # `(x).name`, or a name we cannot see whole: it may be one
            if not data[head.start() - 1 : head.start()].isascii() or head.group(1) in heads:
                return True  # a non-ASCII name (cannot tell), or one of the heads
            # The word before may be a comment's: `(os  # note` + `.system)`.
            gap = data[head.end(1) : start]
            if (b"\n" in gap or b"\r" in gap) and b"#" in data[data.rfind(b"\n", 0, head.start()) + 1 : head.start()]:
                return True
        return False
