"""The canon: ``canon.yaml`` version 1, its model, loaded and validated.

Validation happens once, on load, and every problem is a ``ConfigError`` naming the file, the
line and the key path (``tools[1].hubs[0]``), so no rule and no guard ever meets a malformed
canon.

This is what the guard needs at run time, and nothing of the linter: where the guard finds its
canon is ``lint_canon_guard.locate``; the linter's ``[tool.lint-canon]`` settings, its canon
search and its TOML diagnostics are ``lint_canon.canon.settings``, ``.search`` and ``.toml``
(a mistake in a linter setting can never reach a guarded call).
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from lint_canon_guard.errors import ConfigError
from lint_canon_guard.files import DEFAULT_MAX_FILE_SIZE, FileTooLarge, NotRegularFile, read_bytes
from lint_canon_guard.lines import split_lines
from lint_canon_guard.messages import cut, display, not_regular, printable, short, value_kind

CANON_FILE = "canon.yaml"


def canonicalize_name(name: str) -> str:
    """PEP 503 normalisation (the spec's own one-line rule; packaging is not imported for it)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class ToolTier(StrEnum):
    """A tool's cost tier: the one list (the guard's, the canon's ``tier``, ``init``'s draft)."""

    TIER_0 = "TIER_0"  # free
    TIER_1 = "TIER_1"  # cheap
    TIER_2 = "TIER_2"  # surgical


TIERS = tuple(tier.value for tier in ToolTier)


class InteractionType(StrEnum):
    """What a tool may be used for: the one list (the guard's argument, the canon's
    ``interactions``, ``check --fix --interaction``)."""

    READ = "READ"
    WRITE = "WRITE"
    ENRICH = "ENRICH"
    VALIDATE = "VALIDATE"


INTERACTIONS = tuple(t.value for t in InteractionType)
TYPE_CHECKING_MODES = ("ignore", "flag")
DEFAULT_GUARD = "lint_canon.guard.enforce_tool_canon"
# The same decorator under each name it is imported by: lint-canon's alias (above, the name
# `check --fix` writes) and lint-canon-guard's own, for services that install only the guard.
DEFAULT_GUARDS = (DEFAULT_GUARD, "lint_canon_guard.enforce_tool_canon", "lint_canon_guard.guard.enforce_tool_canon")

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = re.compile(rf"^{_IDENT}(\.{_IDENT})*$")
_ENV_NAME = re.compile(rf"^{_IDENT}$")


@dataclass(frozen=True)
class Tool:
    """One approved tool of the registry."""

    id: str
    vendor: str
    name: str = ""
    tier: str = "TIER_0"
    hubs: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    api_key_env: str | None = None  # the first of api_key_envs
    gates: tuple[str, ...] = ()
    human_approval: bool = False
    line: int = 0
    api_key_envs: tuple[str, ...] = ()  # every variable that may hold its key
    services: tuple[str, ...] = ()  # of a generic SDK (boto3): the services it claims


@dataclass(frozen=True)
class PublicApi:
    """A free public API the team does not treat as a vendor (not one of our own services)."""

    name: str
    hosts: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Wrapper:
    """A package that wraps an SDK: its calls count as calls to that SDK's vendor."""

    module: str
    sdk: str
    line: int = 0


@dataclass(frozen=True)
class Ban:
    """A banned vendor or library: modules (or APIs), distribution names, hosts."""

    reason: str
    modules: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()  # PEP 503 normalised
    hosts: tuple[str, ...] = ()
    allow_in: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Canon:
    """The validated canon; ``root`` is the folder paths in the canon are relative to."""

    path: Path
    root: Path
    digest: str
    version: int = 1
    hubs: tuple[str, ...] = ()
    tools: tuple[Tool, ...] = ()
    banned: tuple[Ban, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    vendor_modules: tuple[str, ...] = ()
    builtin_vendors: bool = True
    public_apis: tuple[PublicApi, ...] = ()
    wrappers: tuple[Wrapper, ...] = ()
    sdk_models: tuple[str, ...] = ()  # model files of the team's own SDKs (lint-canon sdk scan)
    guard_decorators: tuple[str, ...] = DEFAULT_GUARDS
    done_doc: str | None = None
    done_sql: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    type_checking_imports: str = "ignore"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # glob -> code prefixes not reported in the files it matches (paths from ``root``)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True
    # The canons this one extends (``extends:``), nearest first: read with it, in its digest.
    extends: tuple[Path, ...] = ()
    # Look-up tables built on load, and what the linter attaches for a run (its
    # [tool.lint-canon] settings, its team SDK models), each folded into ``digest``.
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def banned_module(self, qualname: str) -> tuple[str, Ban] | None:
        """The ban covering ``qualname`` (a module, or an API inside one), with the entry hit."""
        table: dict[str, Ban] = self._index["modules"]
        parts = qualname.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            ban = table.get(prefix)
            if ban is not None:
                return prefix, ban
        return None

    def banned_package(self, name: str) -> Ban | None:
        """The ban listing distribution ``name`` (any spelling PEP 503 treats as equal)."""
        packages: dict[str, Ban] = self._index["packages"]
        return packages.get(canonicalize_name(name))

    def tool(self, tool_id: str) -> Tool | None:
        tools: dict[str, Tool] = self._index["tools"]
        return tools.get(tool_id)


# --- reading YAML with line numbers -------------------------------------------------------

# A canon is a few kilobytes; these bounds only stop hostile input: a megabyte of YAML, aliases
# that expand to billions of values ("billion laughs"), nesting that exhausts the stack.
MAX_CANON_SIZE = 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# Scalars the canon can hold; any other tag (!!python/object, !!binary, !custom) is refused.
_SCALAR_TAGS = {"tag:yaml.org,2002:" + name: name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_BREAK = re.compile(r"\r\n|\r|\n")


class _Doc:
    """Plain values of a YAML document plus the line of every key path."""

    def __init__(self, path: Path, text: str = "") -> None:
        self.path = path
        self.lines: dict[tuple[Any, ...], int] = {}
        self.values = 0
        # YAML also breaks lines at U+0085, U+2028 and U+2029; lines are counted as every other
        # reader counts them (lint_canon_guard.lines), from the character index of each mark.
        self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def line_at(self, mark: Any) -> int:
        return bisect.bisect_right(self._starts, mark.index)

    def line(self, keypath: tuple[Any, ...]) -> int | None:
        while keypath:
            if keypath in self.lines:
                return self.lines[keypath]
            keypath = keypath[:-1]
        return self.lines.get(())

    def error(self, keypath: tuple[Any, ...], problem: str) -> ConfigError:
        return ConfigError(display(self.path), self.line(keypath), cut(_keystr(keypath), 100), printable(problem))

    def origin(self, keypath: tuple[Any, ...]) -> tuple[Path, int | None]:
        """The file and line that wrote ``keypath``."""
        return self.path, self.line(keypath)


class _MergedDoc(_Doc):
    """The document of a canon merged with the one it extends: each key path is found in the
    file that wrote it (``parts``: a merged key path -> that file's document and key path there),
    so that every problem is reported at its own file and line."""

    def __init__(self, own: _Doc, parts: dict[tuple[Any, ...], tuple[_Doc, tuple[Any, ...]]]) -> None:
        self.path = own.path
        self.lines = own.lines
        self.values = own.values
        self._starts = own._starts
        self.own = own
        self.parts = parts

    def locate(self, keypath: tuple[Any, ...]) -> tuple[_Doc, tuple[Any, ...]]:
        for end in range(len(keypath), 0, -1):
            found = self.parts.get(keypath[:end])
            if found is not None:
                return found[0], found[1] + keypath[end:]
        return self.own, keypath

    def line(self, keypath: tuple[Any, ...]) -> int | None:
        doc, there = self.locate(keypath)
        return doc.line(there)

    def error(self, keypath: tuple[Any, ...], problem: str) -> ConfigError:
        doc, there = self.locate(keypath)
        return doc.error(there, problem)

    def origin(self, keypath: tuple[Any, ...]) -> tuple[Path, int | None]:
        doc, there = self.locate(keypath)
        return doc.origin(there)


def _keystr(keypath: tuple[Any, ...]) -> str:
    out = ""
    for part in keypath:
        part = part if isinstance(part, int) else printable(cut(str(part), 60))
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(cut(n, 40) for n in names[:10])
    return (shown + f", ... ({len(names)} in all)" if len(names) > 10 else shown) or "(none)"


def _short_tag(tag: str) -> str:
    return cut(tag.replace("tag:yaml.org,2002:", "!!"), 60)


def _plain(
    doc: _Doc,
    node: yaml.Node,
    keypath: tuple[Any, ...],
    constructor: Any,
    depth: int = 0,
    open_: set[int] | None = None,
) -> Any:
    """The plain value of ``node``, counting values as aliases expand them; ``open_`` holds the
    collections being converted, so an alias to one of them (a recursive anchor) is caught."""
    open_ = set() if open_ is None else open_
    doc.lines.setdefault(keypath, doc.line_at(node.start_mark))
    doc.values += 1
    if doc.values > MAX_VALUES:
        raise doc.error(
            keypath[:1],
            f"more than {MAX_VALUES:,} values once aliases are expanded (an alias bomb?); "
            "write the values out, a canon needs far fewer",
        )
    if depth > MAX_DEPTH:
        raise doc.error(keypath, f"nested more than {MAX_DEPTH} levels deep; a canon needs four at most")
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        expected = _MAP_TAG if isinstance(node, yaml.MappingNode) else _SEQ_TAG
        if node.tag != expected:
            raise doc.error(keypath, f"the tag {_short_tag(node.tag)} is not allowed in the canon; remove it")
        if id(node) in open_:
            raise doc.error(keypath, "an alias refers to a value that contains it (a recursive anchor); remove it")
        open_.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    _plain(doc, item, keypath + (i,), constructor, depth + 1, open_)
                    for i, item in enumerate(node.value)
                ]
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                kline = doc.line_at(knode.start_mark)
                if not isinstance(knode, yaml.ScalarNode):
                    doc.lines[keypath + ("?",)] = kline
                    raise doc.error(keypath + ("?",), "keys must be strings")
                if knode.tag == "tag:yaml.org,2002:merge":
                    doc.lines[keypath + ("<<",)] = kline
                    raise doc.error(keypath + ("<<",), "merge keys ('<<') are not supported; write the keys out")
                key = _scalar(doc, knode, keypath + (knode.value,), constructor)
                if not isinstance(key, str):
                    doc.lines[keypath + (str(key),)] = kline
                    raise doc.error(keypath + (str(key),), "keys must be strings")
                if key in out:
                    doc.lines[keypath + (key,)] = kline
                    raise doc.error(keypath + (key,), "duplicate key")
                doc.lines[keypath + (key,)] = kline
                out[key] = _plain(doc, vnode, keypath + (key,), constructor, depth + 1, open_)
            return out
        finally:
            open_.discard(id(node))
    return _scalar(doc, node, keypath, constructor)


def _scalar(doc: _Doc, node: yaml.Node, keypath: tuple[Any, ...], constructor: Any) -> Any:
    """A scalar, constructed as the safe loader would; what its constructor raises (a number
    longer than Python converts, a date that does not exist) is an error at its line."""
    doc.lines.setdefault(keypath, doc.line_at(node.start_mark))
    kind = _SCALAR_TAGS.get(node.tag)
    if kind is None:
        raise doc.error(keypath, f"the tag {_short_tag(node.tag)} is not allowed in the canon; remove it")
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError:
        raise
    except Exception as exc:  # ValueError, OverflowError, ...: PyYAML lets them through unmarked
        reason = str(exc).split("\n", 1)[0]
        if "Exceeds the limit" in reason:
            reason = f"a number of more than {sys.get_int_max_str_digits():,} digits"
        what = {"int": "a number", "float": "a number", "timestamp": "a date"}.get(kind, kind)
        raise doc.error(
            keypath, f"cannot read {short(node.value)} as {what}: {cut(reason, 120)}; quote it to make it a string"
        ) from None


# libyaml's parser when PyYAML was built with it: much faster on a large canon.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        if _LOADER is yaml.SafeLoader or "nesting depth" in str(getattr(exc, "problem", "")):
            raise  # PyYAML would only recurse until the stack runs out on what libyaml refused
        fast = exc
    try:
        # PyYAML's own parser words its errors better: let it say what is wrong...
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        # ...unless it recurses past the stack where libyaml stopped at its nesting limit.
        raise fast from None


def _read_yaml(path: Path, text: str) -> tuple[Any, _Doc]:
    doc = _Doc(path, text)
    shown = display(path)
    try:
        node = _compose(text)
        if node is None:
            raise ConfigError(shown, 1, "", "the canon is empty; start from the example in the README")
        return _plain(doc, node, (), yaml.SafeLoader("")), doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = doc.line_at(mark) if mark else None
        problem = printable((exc.problem or exc.context or "invalid YAML").strip())
        raise ConfigError(shown, line, "", f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        position = exc.position if isinstance(exc.position, int) and 0 <= exc.position < len(text) else 0
        character = ord(text[position]) if text else 0
        line = bisect.bisect_right(doc._starts, position)
        raise ConfigError(
            shown, line, "", f"invalid YAML: character U+{character:04X} is not allowed ({printable(exc.reason)})"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(shown, None, "", f"invalid YAML: {printable(str(exc).splitlines()[0])}") from None
    except RecursionError:  # PyYAML without libyaml, composing thousands of nested collections
        raise ConfigError(shown, None, "", "invalid YAML: collections nested too deeply") from None


# --- validation ----------------------------------------------------------------------------

# The declaration: every key of the canon, its type, its enum or pattern, whether it is
# required. The validator reads its checks from it and the JSON Schema
# (lint_canon_guard.schema) is generated from it, so the two cannot drift apart. What a schema
# cannot state (a tool's hubs listed in 'hubs', tool ids unique) stays in the validator.


def _either_case(word: str) -> str:
    """``KiB`` as ``[Kk][Ii][Bb]``: a pattern both Python and JSON Schema (no flags) read alike."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


_UNITS = {"B": 1, "KB": 1000, "KIB": 1024, "MB": 1000**2, "MIB": 1024**2, "GB": 1000**3, "GIB": 1024**3}
_LABEL_ANY_CASE = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PATTERNS = {
    "dotted": _DOTTED.pattern,
    "env": _ENV_NAME.pattern,
    # Hosts are lower-cased before they are matched; the schema sees them as written.
    "host": rf"^(\*\.)?{_LABEL_ANY_CASE}(\.{_LABEL_ANY_CASE})*$",
    "distribution": r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$",
    "size": rf"^\s*(\d{{1,12}})\s*({'|'.join(_either_case(u) for u in _UNITS)})?\s*$",
    # A rule code or a prefix of codes, as --select and --ignore take them (CANON2, CANON201).
    "code": r"^[A-Z]+[0-9]*$",
}
MIN_SIZE, MAX_SIZE = 1024, 1024**3


@dataclass(frozen=True, eq=False)
class Key:
    """One key of the canon: what the validator checks and the JSON Schema states.

    ``kind``: ``version`` (the number 1), ``string``, ``strings`` (a list of distinct strings),
    ``hosts`` (a list of host patterns), ``boolean``, ``choice`` (one of ``choices``),
    ``choices`` (a list of them), ``size`` (bytes, or a string such as 5MB), ``codemap`` (path
    globs to lists of code prefixes), ``mapping`` (of ``keys``) or ``list`` (of mappings of
    ``keys``). ``pattern`` names one of ``PATTERNS``.
    """

    kind: str
    doc: str
    pattern: str | None = None
    what: str = ""
    choices: tuple[str, ...] = ()
    keys: dict[str, Key] = field(default_factory=dict)
    required: dict[str, str] = field(default_factory=dict)  # key -> the hint of its message
    needs_one_of: tuple[str, ...] = ()
    nullable: bool = False
    default: Any = None
    min_items: int = 0  # a list of fewer items is refused (``strings``)

    def compiled(self) -> re.Pattern[str] | None:
        return None if self.pattern is None else _compiled(self.pattern)


@functools.cache
def _compiled(name: str) -> re.Pattern[str]:
    return re.compile(PATTERNS[name])


TOOL = Key(
    "list",
    "The approved tools.",
    keys={
        "id": Key("string", "The tool's id (TOOL-008), unique in the canon."),
        "name": Key("string", "A readable name."),
        "vendor": Key("string", "The vendor it belongs to."),
        "tier": Key("choice", "Its cost tier.", choices=TIERS, default="TIER_0"),
        "hubs": Key("strings", "The hubs where it may be used; each listed in 'hubs'.", default=[]),
        "interactions": Key("choices", "What it may be used for.", choices=INTERACTIONS, default=[]),
        "modules": Key(
            "strings",
            "SDK import roots whose calls are calls to this tool.",
            pattern="dotted",
            what="a dotted module name",
            default=[],
        ),
        "hosts": Key("hosts", "HTTP hosts; '*.example.com' matches subdomains.", default=[]),
        "api_key_env": Key(
            "names",
            "The environment variable holding its key, or a list of those that may.",
            pattern="env",
            what="an environment variable name",
            nullable=True,
        ),
        "services": Key(
            "strings",
            "Of a generic SDK (boto3): the services this tool claims (bedrock-runtime); the SDK's other "
            "services are not this tool.",
            default=[],
        ),
        "gates": Key("strings", "Checks a call must pass first.", default=[]),
        "human_approval": Key("boolean", "Whether a person must approve each call.", default=False),
    },
    required={"id": "", "vendor": ""},
)
PUBLIC_API = Key(
    "list",
    "Free public APIs the team does not treat as vendors (our own services go in allowed_hosts).",
    keys={
        "name": Key("string", "What it is."),
        "hosts": Key("hosts", "Its HTTP hosts.", default=[]),
        "modules": Key("strings", "Its client modules.", pattern="dotted", what="a dotted module name", default=[]),
    },
    required={"name": "say what it is"},
    needs_one_of=("hosts", "modules"),
)
WRAPPER = Key(
    "list",
    "Packages that wrap a vendor SDK: their calls count as calls to that SDK.",
    keys={
        "module": Key("string", "The wrapper's module.", pattern="dotted", what="a dotted module name"),
        "sdk": Key(
            "string", "The SDK it calls (as a tool's modules name it).", pattern="dotted", what="a dotted module name"
        ),
    },
    required={"module": "", "sdk": "name the SDK it calls, as a tool's modules name it"},
)
BAN = Key(
    "list",
    "Banned vendors and libraries: modules (or APIs), distribution names, hosts.",
    keys={
        "reason": Key("string", "Why it is banned and what to use instead."),
        "modules": Key(
            "strings", "Modules or APIs banned.", pattern="dotted", what="a dotted module or API name", default=[]
        ),
        "packages": Key(
            "strings", "Distribution names banned.", pattern="distribution", what="a distribution name", default=[]
        ),
        "hosts": Key("hosts", "HTTP hosts banned.", default=[]),
        "allow_in": Key("strings", "Path globs where the ban does not apply.", default=[]),
    },
    required={"reason": "say why it is banned and what to use instead"},
    needs_one_of=("modules", "packages", "hosts"),
)
CANON = Key(
    "mapping",
    "canon.yaml: the tool canon lint-canon enforces.",
    keys={
        "version": Key("version", "The canon format: 1."),
        "extends": Key(
            "string",
            "A canon this one adds to: a path from this file's folder, or package:NAME (the canon.yaml "
            "of an installed package) or package:NAME/FILE.",
        ),
        "hubs": Key("strings", "The hubs of the company.", default=[]),
        "tools": TOOL,
        "banned": BAN,
        "allowed_hosts": Key("hosts", "Hosts any code may call.", default=[]),
        "vendor_modules": Key(
            "strings", "More vendor SDK roots to flag.", pattern="dotted", what="a dotted module name", default=[]
        ),
        "builtin_vendors": Key("boolean", "Whether the built-in list of vendor SDKs applies.", default=True),
        "public_apis": PUBLIC_API,
        "wrappers": WRAPPER,
        "sdk_models": Key(
            "strings",
            "Models of the team's own SDKs written by 'lint-canon sdk scan' (paths from the canon's folder).",
            default=[],
        ),
        "guard": Key(
            "mapping",
            "The guard decorators.",
            keys={
                "decorators": Key(
                    "strings",
                    "Qualified names of the decorators that count as the guard.",
                    pattern="dotted",
                    what="a qualified name",
                    default=list(DEFAULT_GUARDS),
                    min_items=1,
                )
            },
            default={},
        ),
        "done_states": Key(
            "mapping",
            "The DONE-state document and the SQL it must agree with.",
            keys={
                "doc": Key("string", "The DONE-state definitions (Markdown)."),
                "sql": Key("strings", "SQL files or folders.", default=[]),
            },
            default={},
        ),
        "exclude": Key("strings", "Path globs not checked.", default=[]),
        "per_file_ignores": Key(
            "codemap",
            "Path globs (from this canon's folder), each to the rule codes or prefixes not reported in the "
            'files it matches: {"tests/**": [CANON201]}.',
            default={},
        ),
        "respect_gitignore": Key(
            "boolean",
            "Whether folders are walked as git sees them: what .gitignore ignores is not checked.",
            default=True,
        ),
        "type_checking_imports": Key(
            "choice", "Imports under 'if TYPE_CHECKING:'.", choices=TYPE_CHECKING_MODES, default="ignore"
        ),
        "max_file_size": Key(
            "size", "Files larger than this are reported, not read (bytes, or 512KB, 5MB, 2MiB).", default=None
        ),
    },
    required={"version": "the canon format is 'version: 1'"},
)

# Problems reported in one run; past that, a count (a canon that wrong needs fixing from the top).
MAX_REPORTED = 50


class ConfigErrors(ConfigError):
    """Several problems of one canon, one ``FILE:LINE: key.path: problem`` per line; the first
    line is the problem that a single-error report would give."""

    def __init__(self, errors: tuple[ConfigError, ...] | list[ConfigError], more: int = 0) -> None:
        first = errors[0]
        super().__init__(first.path, first.line, first.key, first.problem)
        self.errors = tuple(errors)
        self.more = more
        lines = [str(e) for e in self.errors]
        if more:
            lines.append(f"{first.path}: {more} more problem{'s' if more != 1 else ''} not shown; fix these first")
        self.lines = tuple(lines)
        self.args = ("\n".join(lines),)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return (type(self), (self.errors, self.more))


class _Validator:
    """Checks values against their ``Key``; every problem is recorded (a run reports them all)
    and the check returns None, so the caller goes on with the rest of the canon."""

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.errors: list[ConfigError] = []

    def fail(self, keypath: tuple[Any, ...], problem: str) -> None:
        self.errors.append(self.doc.error(keypath, problem))

    def raise_errors(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            shown = self.errors[:MAX_REPORTED]
            raise ConfigErrors(shown, len(self.errors) - len(shown))

    def keys(self, value: dict[str, Any], spec: Key, keypath: tuple[Any, ...]) -> None:
        allowed = sorted(spec.keys)
        for key in value:
            if key not in spec.keys:
                hint = difflib.get_close_matches(key, allowed, n=1)
                tip = f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(allowed)}"
                self.fail(keypath + (key,), f"unknown key{tip}")

    def required(self, value: dict[str, Any], spec: Key, keypath: tuple[Any, ...]) -> bool:
        """Whether every required key is there (each one missing is a problem)."""
        complete = True
        for key, hint in spec.required.items():
            if key not in value:
                self.fail(keypath, f"missing key '{key}'" + (f"; {hint}" if hint else ""))
                complete = False
        return complete

    def get(self, value: dict[str, Any], spec: Key, name: str, keypath: tuple[Any, ...]) -> Any:
        """``value[name]`` checked against its declaration, its default when it is absent."""
        key = spec.keys[name]
        if name not in value:
            return tuple(key.default) if isinstance(key.default, list) else key.default
        raw = value[name]
        keypath = keypath + (name,)
        if raw is None and key.nullable:
            return None
        if key.kind == "string":
            return self.string(raw, keypath, key.compiled(), key.what)
        if key.kind == "strings":
            items = self.strings(raw, keypath, key.compiled(), key.what)
            if items is not None and len(items) < key.min_items:
                what = (key.what or "item").removeprefix("a ").removeprefix("an ")
                self.fail(keypath, f"expected a list of at least {key.min_items} {what}, got an empty list")
                return None
            return items
        if key.kind == "names":
            if isinstance(raw, str):
                single = self.string(raw, keypath, key.compiled(), key.what)
                return None if single is None else (single,)
            names = self.strings(raw, keypath, key.compiled(), key.what)
            if names is not None and not names:
                self.fail(keypath, "expected a name or a list of names, got an empty list")
                return None
            return names
        if key.kind == "hosts":
            return self.hosts(raw, keypath)
        if key.kind == "boolean":
            return self.boolean(raw, keypath)
        if key.kind == "choice":
            return self.choice(raw, keypath, key.choices)
        if key.kind == "choices":
            items = self.strings(raw, keypath)
            if items is None:
                return None
            chosen = [self.choice(item, keypath + (i,), key.choices) for i, item in enumerate(items)]
            return None if None in chosen else items
        if key.kind == "size":
            return self.size(raw, keypath)
        if key.kind == "codemap":
            return self.codemap(raw, keypath)
        if key.kind == "mapping":
            return self.mapping(raw, keypath)
        raise AssertionError(key.kind)  # "version" and "list" are read by _validate

    def codemap(self, value: Any, keypath: tuple[Any, ...]) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
        """Path globs, each to the code prefixes not reported in the files it matches."""
        found = self.mapping(value, keypath)
        if found is None:
            return None
        pairs = []
        for glob, codes in found.items():
            if not glob.strip():
                self.fail(keypath + (glob,), "expected a path glob such as tests/**, got an empty string")
                continue
            listed = self.strings(codes, keypath + (glob,), _compiled("code"), "a rule code or prefix such as CANON2")
            if listed is not None:
                pairs.append((glob, listed))
        return tuple(pairs)

    def mapping(self, value: Any, keypath: tuple[Any, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(keypath, f"expected a mapping, got {value_kind(value)}")
            return None
        return value

    def string(
        self, value: Any, keypath: tuple[Any, ...], pattern: re.Pattern[str] | None = None, what: str = ""
    ) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(
                keypath, f"expected a non-empty string, got {value_kind(value) if value != '' else 'an empty one'}"
            )
            return None
        if pattern is not None and not pattern.match(value):
            self.fail(keypath, f"{short(value)} is not {what}")
            return None
        return value

    def boolean(self, value: Any, keypath: tuple[Any, ...]) -> bool | None:
        if not isinstance(value, bool):
            self.fail(keypath, f"expected true or false, got {value_kind(value)}")
            return None
        return value

    def choice(self, value: Any, keypath: tuple[Any, ...], choices: tuple[str, ...]) -> str | None:
        if not isinstance(value, str) or value not in choices:  # only a str equals one of the choices
            self.fail(keypath, f"{short(value)} is not one of {', '.join(choices)}")
            return None
        return value

    def strings(
        self, value: Any, keypath: tuple[Any, ...], pattern: re.Pattern[str] | None = None, what: str = ""
    ) -> tuple[str, ...] | None:
        """A list of distinct strings; None when any item is wrong (each one is reported)."""
        if isinstance(value, str):
            self.fail(keypath, f"expected a list of strings, got a string; write [{value}]")
            return None
        if not isinstance(value, list):
            self.fail(keypath, f"expected a list of strings, got {value_kind(value)}")
            return None
        seen: set[str] = set()
        ok = True
        for i, item in enumerate(value):
            if self.string(item, keypath + (i,), pattern, what) is None:
                ok = False
                continue
            if item in seen:
                self.fail(keypath + (i,), f"{short(item)} is listed twice")
                ok = False
            seen.add(item)
        return tuple(value) if ok else None

    def hosts(self, value: Any, keypath: tuple[Any, ...]) -> tuple[str, ...] | None:
        hosts = self.strings(value, keypath)
        if hosts is None:
            return None
        pattern = _compiled("host")
        ok = True
        for i, host in enumerate(hosts):
            if not pattern.match(host.lower()):
                self.fail(
                    keypath + (i,),
                    f"{short(host)} is not a host pattern; write a host name such as api.example.com "
                    "or *.example.com (no scheme, path or port)",
                )
                ok = False
        return tuple(h.lower() for h in hosts) if ok else None

    def size(self, value: Any, keypath: tuple[Any, ...]) -> int | None:
        """A size in bytes: a whole number, or a string such as "5MB", "512KiB"."""
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(keypath, f"expected a size such as 5MB or 1048576, got {value_kind(value)}")
            return None
        if isinstance(value, int):
            size = value
        else:
            match = _compiled("size").match(value)
            if match is None:
                self.fail(keypath, f"{short(value)} is not a size; write a number of bytes or 512KB, 5MB, 2MiB")
                return None
            size = int(match.group(1)) * _UNITS[(match.group(2) or "B").upper()]
        if not MIN_SIZE <= size <= MAX_SIZE:
            self.fail(keypath, f"{short(value)} is out of range; give between 1KiB and 1GiB")
            return None
        return size

    def items(self, value: dict[str, Any], spec: Key, name: str, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """The mappings of the list ``value[name]`` that have their keys, one by one (so that the
        problems come in the file's order; each one is reported)."""
        raw = value.get(name, [])
        if not isinstance(raw, list):
            self.fail((name,), f"expected a list of {what}, got {value_kind(raw)}")
            return
        item_spec = spec.keys[name]
        for i, item in enumerate(raw):
            kp = (name, i)
            mapping = self.mapping(item, kp)
            if mapping is None:
                continue
            self.keys(mapping, item_spec, kp)
            if self.required(mapping, item_spec, kp):
                yield i, mapping


def _validate(raw: Any, doc: _Doc, path: Path, text: str) -> Canon:
    v = _Validator(doc)
    top = v.mapping(raw, ())
    if top is None:
        v.raise_errors()
    assert top is not None
    v.keys(top, CANON, ())
    if v.required(top, CANON, ()) and (top["version"] != 1 or isinstance(top["version"], bool)):
        v.fail(("version",), f"unsupported version {short(top['version'])}; this lint-canon reads version 1")

    hubs = v.get(top, CANON, "hubs", ())
    hub_set = set(hubs or ())

    tools: list[Tool] = []
    tool_ids: dict[str, int] = {}
    for i, t in v.items(top, CANON, "tools", "tools"):
        kp: tuple[Any, ...] = ("tools", i)
        tool_id = v.get(t, TOOL, "id", kp)
        if tool_id in tool_ids:
            v.fail(kp + ("id",), f"duplicate tool id {short(tool_id)} (first at tools[{tool_ids[tool_id]}])")
        elif tool_id is not None:
            tool_ids[tool_id] = i
        tool_hubs = v.get(t, TOOL, "hubs", kp)
        for j, hub in enumerate(tool_hubs if hubs is not None and tool_hubs is not None else ()):
            if hub not in hub_set:
                v.fail(
                    kp + ("hubs", j),
                    f"unknown hub {short(hub)}; add it to 'hubs' or use one of: {_listed(hubs)}",
                )
        tools.append(
            Tool(
                id=tool_id,
                hubs=tool_hubs,
                interactions=v.get(t, TOOL, "interactions", kp),
                vendor=v.get(t, TOOL, "vendor", kp),
                name=v.get(t, TOOL, "name", kp) or "",
                tier=v.get(t, TOOL, "tier", kp),
                modules=v.get(t, TOOL, "modules", kp),
                hosts=v.get(t, TOOL, "hosts", kp),
                api_key_env=(key_names := v.get(t, TOOL, "api_key_env", kp) or (None,))[0],
                api_key_envs=tuple(name for name in key_names if name is not None),
                services=v.get(t, TOOL, "services", kp),
                gates=v.get(t, TOOL, "gates", kp),
                human_approval=v.get(t, TOOL, "human_approval", kp),
                line=doc.line(kp) or 0,
            )
        )

    public_apis: list[PublicApi] = []
    for i, a in v.items(top, CANON, "public_apis", "public APIs"):
        kp = ("public_apis", i)
        if not any(k in a for k in PUBLIC_API.needs_one_of):
            v.fail(kp, f"a public API needs at least one of {', '.join(repr(k) for k in PUBLIC_API.needs_one_of)}")
        public_apis.append(
            PublicApi(
                name=v.get(a, PUBLIC_API, "name", kp),
                hosts=v.get(a, PUBLIC_API, "hosts", kp),
                modules=v.get(a, PUBLIC_API, "modules", kp),
                line=doc.line(kp) or 0,
            )
        )
    wrappers: list[Wrapper] = []
    for i, w in v.items(top, CANON, "wrappers", "wrappers"):
        kp = ("wrappers", i)
        wrappers.append(
            Wrapper(module=v.get(w, WRAPPER, "module", kp), sdk=v.get(w, WRAPPER, "sdk", kp), line=doc.line(kp) or 0)
        )

    bans: list[Ban] = []
    for i, b in v.items(top, CANON, "banned", "bans"):
        kp = ("banned", i)
        if not any(k in b for k in BAN.needs_one_of):
            v.fail(kp, f"a ban needs at least one of {', '.join(repr(k) for k in BAN.needs_one_of)}")
        packages = v.get(b, BAN, "packages", kp)
        bans.append(
            Ban(
                reason=v.get(b, BAN, "reason", kp),
                modules=v.get(b, BAN, "modules", kp),
                packages=tuple(canonicalize_name(p) for p in packages or ()),
                hosts=v.get(b, BAN, "hosts", kp),
                allow_in=v.get(b, BAN, "allow_in", kp),
                line=doc.line(kp) or 0,
            )
        )

    guard_spec, done_spec = CANON.keys["guard"], CANON.keys["done_states"]
    guard = v.get(top, CANON, "guard", ())
    decorators: tuple[str, ...] | None = None
    if guard is not None:
        v.keys(guard, guard_spec, ("guard",))
        decorators = v.get(guard, guard_spec, "decorators", ("guard",))
    done = v.get(top, CANON, "done_states", ())
    done_doc: str | None = None
    done_sql: tuple[str, ...] | None = None
    if done is not None:
        v.keys(done, done_spec, ("done_states",))
        done_doc = v.get(done, done_spec, "doc", ("done_states",))
        done_sql = v.get(done, done_spec, "sql", ("done_states",))

    allowed_hosts = v.get(top, CANON, "allowed_hosts", ())
    vendor_modules = v.get(top, CANON, "vendor_modules", ())
    builtin_vendors = v.get(top, CANON, "builtin_vendors", ())
    sdk_models = v.get(top, CANON, "sdk_models", ())
    # The files the canon names are read, and what they hold may be printed: they must be the
    # repository's own (not /etc/passwd, not a link out of it), files where a file is meant.
    named: list[tuple[tuple[Any, ...], str, str, tuple[str, ...]]] = (
        [(("done_states", "doc"), done_doc, "file", (".md", ".markdown"))] if done_doc else []
    )
    named += [(("done_states", "sql", i), entry, "any", (".sql",)) for i, entry in enumerate(done_sql or ())]
    named += [(("sdk_models", i), entry, "file", (".json",)) for i, entry in enumerate(sdk_models or ())]
    for keypath, entry, kind, suffixes in named:
        problem = _outside(path.parent, entry, kind)
        if problem is None and Path(entry).suffix and Path(entry).suffix.lower() not in suffixes:
            # its lines may be printed (--show-source): Markdown, SQL or a model, nothing else
            problem = f"{entry} is not a {' or '.join(suffixes)} file"
        if problem is not None:
            v.fail(keypath, problem)
    exclude = v.get(top, CANON, "exclude", ())
    per_file_ignores = v.get(top, CANON, "per_file_ignores", ())
    respect_gitignore = v.get(top, CANON, "respect_gitignore", ())
    type_checking_imports = v.get(top, CANON, "type_checking_imports", ())
    max_file_size = v.get(top, CANON, "max_file_size", ())
    v.raise_errors()
    # without a problem raised, each of these was read or took its default
    assert decorators is not None and done_sql is not None

    index_modules: dict[str, Ban] = {}
    index_packages: dict[str, Ban] = {}
    for ban in bans:
        for module in ban.modules:
            index_modules.setdefault(module, ban)
        for package in ban.packages:
            index_packages.setdefault(package, ban)

    return Canon(
        path=path,
        root=path.parent,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        version=1,
        hubs=hubs,
        tools=tuple(tools),
        banned=tuple(bans),
        allowed_hosts=allowed_hosts,
        vendor_modules=vendor_modules,
        builtin_vendors=builtin_vendors,
        public_apis=tuple(public_apis),
        wrappers=tuple(wrappers),
        sdk_models=sdk_models,
        guard_decorators=tuple(decorators),
        done_doc=done_doc,
        done_sql=done_sql,
        exclude=exclude,
        type_checking_imports=type_checking_imports,
        max_file_size=DEFAULT_MAX_FILE_SIZE if max_file_size is None else max_file_size,
        per_file_ignores=per_file_ignores or (),
        respect_gitignore=respect_gitignore,
        _index={"modules": index_modules, "packages": index_packages, "tools": {t.id: t for t in tools}},
    )


def repository_root(folder: Path) -> Path:
    """The repository a canon belongs to: the nearest folder at or above ``folder`` holding
    ``.git`` (a folder, or a worktree's file), else ``folder`` itself."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def _outside(folder: Path, entry: str, kind: str) -> str | None:
    """Why the path ``entry`` (relative to the canon's ``folder``) may not be read: outside the
    canon's repository (links resolved), or not a regular file where a file is meant (``kind``
    "file"). None when it may (also when it does not exist: the rules that read it say so)."""
    root = repository_root(folder)
    target = (folder / entry).resolve()
    if not target.is_relative_to(root.resolve()):
        return f"{entry} is outside the canon's repository ({display(root)}); name a path inside it"
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return None
    if kind == "file" and not stat.S_ISREG(mode):
        return f"{entry} is not a regular file; name the file itself"
    if kind == "any" and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return f"{entry} is neither a file nor a folder; name one"
    return None


# --- loading -------------------------------------------------------------------------------


def load_canon(path: str | os.PathLike[str]) -> Canon:
    """Read and validate one canon file (and the canons it extends); every problem is a
    ``ConfigError``."""
    path = Path(path).absolute()
    return canon_from_text(path, _read_text(path))


def _read_text(path: Path) -> str:
    """The text of a canon file; a ``ConfigError`` when it cannot be read as one."""
    shown = display(path)
    try:
        data = read_bytes(path, MAX_CANON_SIZE)
    except FileNotFoundError:
        raise ConfigError(shown, None, "", "no such file; check --config or [tool.lint-canon] config") from None
    except NotRegularFile as exc:
        raise ConfigError(
            shown, None, "", f"the canon is {not_regular(exc.kind)}; name a canon.yaml file instead"
        ) from None
    except FileTooLarge as exc:
        raise ConfigError(
            shown,
            None,
            "",
            f"the canon is too large ({exc.size:,} bytes, at most {MAX_CANON_SIZE:,}); a canon needs a few kilobytes",
        ) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(shown, None, "", f"cannot read the canon: {printable(reason)}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace") + "x"))
        raise ConfigError(
            shown, line, "", f"the canon is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None
    return text


def canon_from_text(path: str | os.PathLike[str], text: str) -> Canon:
    """Validate ``text`` as the canon file at ``path`` holds it (an editor's unsaved canon.yaml:
    its folder, its neighbours and its messages are the file's), merged with the canons it
    extends; every problem is a ``ConfigError``."""
    return explain_canon(path, text).canon


@dataclass(frozen=True)
class ExplainedCanon:
    """A canon with where each of its values was written: ``raw`` is the merged document (plain
    YAML values), ``origin(keypath)`` the file and line of a key path of it."""

    canon: Canon
    raw: dict[str, Any]
    doc: _Doc

    def origin(self, keypath: tuple[Any, ...]) -> tuple[Path, int | None]:
        return self.doc.origin(keypath)


def explain_canon(path: str | os.PathLike[str], text: str | None = None) -> ExplainedCanon:
    """The canon at ``path`` (its ``text`` when given), merged with those it extends, and where
    each value came from (``lint-canon canon show``)."""
    path = Path(path).absolute()
    text = _read_text(path) if text is None else text
    raw, doc, layers = _layers(path, text, ())
    canon = _validate(raw, doc, path, "\0".join(text for _, text in layers))
    return ExplainedCanon(replace(canon, extends=tuple(p for p, _ in layers[1:])), raw, doc)


# --- extends: a canon that adds to another ------------------------------------------------

# Lists a canon adds to those of the canon it extends (strings once each, in order).
_LIST_KEYS = ("hubs", "tools", "banned", "allowed_hosts", "vendor_modules", "public_apis", "wrappers", "exclude")
# Paths of one repository's files: they belong in the canon of the service that holds them.
_SERVICE_ONLY = ("done_states", "sdk_models")
_PACKAGE = "package:"
MAX_EXTENDS = 10


def _layers(path: Path, text: str, chain: tuple[Path, ...]) -> tuple[Any, _Doc, list[tuple[Path, str]]]:
    """The canon at ``path`` merged with the ones it extends, and each file read (itself first)."""
    raw, doc = _read_yaml(path, text)
    if not isinstance(raw, dict) or "extends" not in raw:
        return raw, doc, [(path, text)]
    target = _extended(raw["extends"], path, doc)
    if os.path.realpath(target) in {os.path.realpath(p) for p in (*chain, path)}:
        cycle = " -> ".join(display(p) for p in (*chain, path, target))
        raise doc.error(("extends",), f"the canons extend each other in a circle ({cycle}); remove one extends")
    if len(chain) + 1 >= MAX_EXTENDS:
        raise doc.error(("extends",), f"more than {MAX_EXTENDS} canons extend one another; a chain needs two or three")
    try:
        base_text = _read_text(target)
    except ConfigError as exc:
        problem = exc.problem
        if problem.startswith("no such file"):
            problem = "no such file (a path is read from the folder of the canon that names it)"
        raise doc.error(("extends",), f"{exc.path}: {problem}") from None
    base, base_doc, files = _layers(target, base_text, (*chain, path))
    merged, merged_doc = _merge(base, base_doc, raw, doc)
    return merged, merged_doc, [(path, text), *files]


def _extended(value: Any, path: Path, doc: _Doc) -> Path:
    """The file ``extends: value`` names, written in the canon at ``path``."""
    if not isinstance(value, str) or not value.strip():
        raise doc.error(
            ("extends",), "name one canon: a path from this file's folder, package:NAME or package:NAME/FILE"
        )
    if not value.startswith(_PACKAGE):
        return Path(os.path.normpath(path.parent / value)).absolute()
    name, _, resource = value[len(_PACKAGE) :].partition("/")
    import importlib.util

    spec = None
    if name.isidentifier():  # a top-level package: found without running any of its code
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise doc.error(
            ("extends",),
            f"no installed package {short(name)}; install the package that ships the canon "
            "(pip install ...) in this environment, or name the canon by its path",
        )
    return Path(os.path.normpath(Path(locations[0]) / (resource or CANON_FILE))).absolute()


def _merge(base: Any, base_doc: _Doc, child: dict[str, Any], child_doc: _Doc) -> tuple[dict[str, Any], _MergedDoc]:
    """``child`` added to ``base``, the canon it extends. Lists (``_LIST_KEYS``) are joined, the
    base's first; any other key is the child's where it has it, else the base's. A child may add
    to the base, never redefine its tools or lift its bans (``_conflicts``)."""
    if not isinstance(base, dict):
        raise base_doc.error((), f"expected a mapping, got {value_kind(base)}")
    problems = [
        base_doc.error(
            (key,),
            f"{key} names files of one repository: it belongs in the canon of the service "
            "that holds them, not in a canon others extend",
        )
        for key in _SERVICE_ONLY
        if key in base
    ]
    problems += _conflicts(base, base_doc, child, child_doc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ConfigErrors(problems[:MAX_REPORTED], max(0, len(problems) - MAX_REPORTED))
    merged: dict[str, Any] = {}
    parts: dict[tuple[Any, ...], tuple[_Doc, tuple[Any, ...]]] = {}
    for key in dict.fromkeys([*base, *child]):
        if key == "extends":
            continue
        mine, theirs = child.get(key), base.get(key)
        if key in _LIST_KEYS and isinstance(mine, list) and isinstance(theirs, list):
            items: list[Any] = []
            for i, item in enumerate(theirs):
                parts[(key, len(items))] = (base_doc, (key, i))
                items.append(item)
            for j, item in enumerate(mine):
                if isinstance(item, str) and item in theirs:
                    continue  # a hub (a host, a glob) both list: once
                parts[(key, len(items))] = (child_doc, (key, j))
                items.append(item)
            merged[key] = items
            parts[(key,)] = (child_doc, (key,))
        elif key == "per_file_ignores" and isinstance(mine, dict) and isinstance(theirs, dict):
            merged[key] = {**theirs, **mine}  # a glob both name: the service's codes
            parts.update({(key, glob): (base_doc, (key, glob)) for glob in theirs})
            parts.update({(key, glob): (child_doc, (key, glob)) for glob in mine})
            parts[(key,)] = (child_doc, (key,))
        elif key in child:
            merged[key], parts[(key,)] = mine, (child_doc, (key,))
        else:
            merged[key], parts[(key,)] = theirs, (base_doc, (key,))
    return merged, _MergedDoc(child_doc, parts)


def _listed_items(raw: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = raw.get(key)
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(item: dict[str, Any], key: str) -> list[tuple[int, str]]:
    value = item.get(key)
    if isinstance(value, str):
        return [(0, value)]
    return [(k, v) for k, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def _conflicts(base: dict[str, Any], base_doc: _Doc, child: dict[str, Any], child_doc: _Doc) -> list[ConfigError]:
    """What a canon may not do to the one it extends, each at its line with the other's: give a
    tool id the base has, or lift a ban (claim a banned module or host for a tool or a public
    API, allow a banned host)."""
    from lint_canon_guard.hosts import hosts_overlap

    def where(keypath: tuple[Any, ...]) -> str:
        file, line = base_doc.origin(keypath)
        return f"{display(file)}:{line}" if line else display(file)

    problems: list[ConfigError] = []
    ids = {item.get("id"): i for i, item in _listed_items(base, "tools") if isinstance(item.get("id"), str)}
    for j, tool in _listed_items(child, "tools"):
        if tool.get("id") in ids:
            problems.append(
                child_doc.error(
                    ("tools", j, "id"),
                    f"{short(tool['id'])} is a tool of the canon this one extends ({where(('tools', ids[tool['id']]))}); "
                    "a canon adds tools to the one it extends, it does not redefine them: give this one another id",
                )
            )
    bans = _listed_items(base, "banned")

    def lifted(kind: str, value: str) -> tuple[int, dict[str, Any]] | None:
        for i, ban in bans:
            for _, banned in _strings(ban, kind):
                if kind == "modules" and (value == banned or value.startswith(banned + ".")):
                    return i, ban
                if kind == "hosts" and hosts_overlap(value, banned):
                    return i, ban
        return None

    claims: list[tuple[tuple[Any, ...], str, str]] = []
    for key in ("tools", "public_apis"):
        for j, item in _listed_items(child, key):
            claims += [((key, j, "modules", k), "modules", m) for k, m in _strings(item, "modules")]
            claims += [((key, j, "hosts", k), "hosts", h) for k, h in _strings(item, "hosts")]
    hosts = child.get("allowed_hosts")
    if isinstance(hosts, list):
        claims += [(("allowed_hosts", k), "hosts", h) for k, h in enumerate(hosts) if isinstance(h, str)]
    for keypath, kind, value in claims:
        found = lifted(kind, value)
        if found is not None:
            i, ban = found
            reason = ban.get("reason") if isinstance(ban.get("reason"), str) else ""
            problems.append(
                child_doc.error(
                    keypath,
                    f"{short(value)} is banned by the canon this one extends ({where(('banned', i))}: {short(reason)}); "
                    "a canon cannot lift the bans of the one it extends",
                )
            )
    return problems
