"""Dependency files: which distributions ``requirements*.txt`` and ``pyproject.toml`` declare,
and on which line. Requirements files are parsed by pip-requirements-parser (pip's own code),
pyproject.toml by tomllib; PEP 508 strings by packaging.

Both come with pull requests: they are read only when regular and within the size limit, and
whatever they hold ends as a finding at its line (CANON901 cannot parse, CANON902 cannot read),
never as a crash or a hang.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.canon.paths import display_path
from lint_canon.canon.toml import TomlProblem, load_toml
from lint_canon_guard.config import repository_root
from lint_canon_guard.files import DEFAULT_MAX_FILE_SIZE, FileTooLarge, NotRegularFile, read_bytes
from lint_canon_guard.lines import split_lines

# Reads a file of at most so many bytes (files.read_bytes, or a run's RunReader.read_bytes).
Reader = Callable[[Path, int], bytes]

# The one definition of a dependency file, for re.search on a POSIX path: pre-commit matches a
# hook's `files` that way on the repository-relative path, and .pre-commit-hooks.yaml holds this
# same pattern (a test keeps the two equal). `requirements*.txt`, `*requirements.txt`, the same
# with `constraints`, any `.txt` directly in a `requirements/` folder (names in any case, the
# `.txt` as written), and `pyproject.toml`.
DEPENDENCY_FILE_PATTERN = (
    r"(^|/)(pyproject\.toml"
    r"|(?i:requirements|constraints)[^/]*\.txt"
    r"|[^/]*(?i:requirements|constraints)\.txt"
    r"|(?i:requirements)/[^/]*\.txt)$"
)
_DEPENDENCY_FILE = re.compile(DEPENDENCY_FILE_PATTERN)


@dataclass(frozen=True)
class Dependency:
    """A distribution a dependency file declares, at the place that names it."""

    path: str
    line: int
    col: int  # 1-based
    name: str
    text: str
    file: str = ""  # absolute path of the file that names it ("" when unknown): for allow_in


@dataclass(frozen=True)
class ParseProblem:
    """A dependency file, or a line of one, that could not be read (CANON902) or parsed (CANON901)."""

    path: str
    line: int
    code: str
    message: str


def is_dependency_file(path: Path | str) -> bool:
    """True for the files ``DEPENDENCY_FILE_PATTERN`` describes."""
    return _DEPENDENCY_FILE.search(Path(path).as_posix()) is not None


def is_requirements_file(path: Path | str) -> bool:
    """A dependency file other than pyproject.toml."""
    return Path(path).name != "pyproject.toml" and is_dependency_file(path)


def _name_of(text: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text).name
    except InvalidRequirement:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
        return match.group(1) if match else None


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SEPARATORS = frozenset("-_.")


def _column(line_text: str, name: str) -> int:
    """1-based column of ``name`` in ``line_text``, spelled any way PEP 503 treats as equal and
    not inside a longer name; an ``#egg=name`` fragment wins over the same letters earlier in a
    URL. (No regex per name: compiling one per dependency cost more than the rest of a file.)"""
    parts = [part for part in re.split(r"[-_.]+", name.translate(_ASCII_LOWER)) if part]
    if not parts:
        return 1
    low = line_text.translate(_ASCII_LOWER)  # ASCII only: every offset stays where it was
    size = len(low)
    first = None
    start = low.find(parts[0])
    while start != -1:
        end = _spelled_at(low, start, parts)
        if end is not None and (start == 0 or low[start - 1] not in _ALNUM) and (end == size or low[end] not in _ALNUM):
            if low.endswith("egg=", 0, start):
                return start + 1
            if first is None:
                first = start
            start = low.find(parts[0], end)
        else:
            start = low.find(parts[0], start + 1)
    return 1 if first is None else first + 1


def _spelled_at(low: str, at: int, parts: list[str]) -> int | None:
    """Where ``parts`` joined by runs of ``-_.`` end when they start at ``at``, or None."""
    for index, part in enumerate(parts):
        if index:
            run = at
            while run < len(low) and low[run] in _SEPARATORS:
                run += 1
            if run == at:
                return None
            at = run
        if not low.startswith(part, at):
            return None
        at += len(part)
    return at


def _one_line(text: str, size: int = 200) -> str:
    """A message from a library, as one printable line of readable length."""
    text = split_lines(text.strip())[0] if text.strip() else ""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= size else text[: size - 3] + "..."


def _why_not_read(exc: Exception) -> str:
    """Why a file was not read, as the end of a sentence about it."""
    if isinstance(exc, FileNotFoundError):
        return "does not exist"
    if isinstance(exc, NotRegularFile):
        kind = exc.kind if exc.kind.startswith("not ") else f"{exc.kind}, not a regular file"
        return f"is {kind}"
    if isinstance(exc, FileTooLarge):
        return f"is too large ({exc.size:,} bytes; the limit is {exc.limit:,}: max_file_size in the canon)"
    if isinstance(exc, OSError):
        return f"cannot be read: {_one_line(exc.strerror or str(exc))}"
    return f"cannot be read: {_one_line(str(exc))}"  # ValueError: a NUL in the path


def _decode(data: bytes) -> tuple[str | None, int, str]:
    """UTF-8 text (a BOM allowed), or None with the line and words of the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), 0, ""
    except UnicodeDecodeError as exc:
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace") + "x"))
        return None, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})"


# --- requirements files -------------------------------------------------------------------

# pip's line parser takes time quadratic in the length of a line for some contents, and far
# worse on long runs of white space or of '[': what a real requirements file never holds is
# cut before it reaches the parser, so that a file of the size limit is read in seconds.
MAX_REQUIREMENT_LINE = 65_536  # characters in one logical line (hashes of ~600 wheels)
MAX_BRACKETS = 16  # '[' in one logical line (extras, an IPv6 URL)
MAX_REQUIREMENT_LINES = 10_000  # logical lines that are not blank or comments, per file
_LONG_SPACE = re.compile(r"(\s{64})\s+")
_COMMENT_LINE = re.compile(r"\s*#")


def read_requirements(
    path: Path,
    seen: set[Path] | None = None,
    limit: int = DEFAULT_MAX_FILE_SIZE,
    reader: Reader = read_bytes,
    within: Path | None = None,
) -> tuple[list[Dependency], list[ParseProblem]]:
    """Requirements of ``path`` and of the files it includes with ``-r`` / ``-c``, each reported
    in the file and at the line that names it. An include that is missing, not a regular file or
    too large is a problem at the line that includes it. ``seen`` gathers the files read or
    looked for. An include outside the repository of ``within`` (the canon's folder; the file's
    own by default) is not read: a problem at its line."""
    seen = set() if seen is None else seen
    deps: list[Dependency] = []
    problems: list[ParseProblem] = []
    # A worklist, not recursion: a chain of thousands of includes must not exhaust the stack.
    work: deque[tuple[Path, tuple[str, int, str] | None]] = deque([(Path(os.path.abspath(path)), None)])
    root = _identity(repository_root(Path(os.path.abspath(within or Path(path).parent))))
    while work:
        file, site = work.popleft()
        identity = _identity(file)
        if file in seen or identity in seen:
            continue
        if "\0" not in str(file):  # looked for: a file created there changes the findings
            seen.update((file, identity))
        shown = display_path(file)
        try:
            data = reader(file, limit)
        except (OSError, ValueError) as exc:
            if site is None:
                problems.append(ParseProblem(shown, 1, "CANON902", f"requirements file {_why_not_read(exc)}"))
            else:
                where, number, include = site
                quoted = _one_line(include, 100)
                problems.append(
                    ParseProblem(where, number, "CANON902", f"included file '{quoted}' {_why_not_read(exc)}")
                )
            continue
        text, bad_line, reason = _decode(data)
        if text is None:
            problems.append(ParseProblem(shown, bad_line, "CANON902", f"cannot decode requirements file: {reason}"))
            continue
        file_deps, file_problems, includes = _parse_requirements(text, file, shown)
        deps.extend(file_deps)
        problems.extend(file_problems)
        for number, include in includes:
            target = Path(os.path.normpath(os.path.join(file.parent, include)))
            if not _identity(target).is_relative_to(root):
                # the repository's files only: an include elsewhere (/etc/..., a link out of it)
                # is not read, and none of its lines can be printed
                quoted = _one_line(include, 100)
                problems.append(
                    ParseProblem(
                        shown, number, "CANON902", f"included file '{quoted}' is outside the repository; not read"
                    )
                )
                continue
            work.append((target, (shown, number, include)))
    return deps, problems


def _identity(path: Path) -> Path:
    """The file a path names, through symbolic links (an include loop by another name)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return path


_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _pip_lines(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The lines as pip splits them (``str.splitlines``: also at form feeds, vertical tabs,
    U+0085, U+2028, ...), each with its line and offset in lint-canon's line model."""
    lines = split_lines(text)
    if not _OTHER_BREAKS.search(text):
        return lines, [(number, 0) for number in range(1, len(lines) + 1)]
    bodies: list[str] = []
    where: list[tuple[int, int]] = []
    for number, line in enumerate(lines, 1):
        offset = 0
        for piece in (line + "\n").splitlines(keepends=True):
            bodies.append(piece[:-1])  # every break left inside a line is one character
            where.append((number, offset))
            offset += len(piece)
    return bodies, where


def _screen(bodies: list[str], where: list[tuple[int, int]], shown: str) -> tuple[list[str], list[ParseProblem]]:
    """The lines handed to pip's parser: white-space runs shortened, and the logical lines
    (joined at a trailing backslash, as pip joins them) that only a hostile file holds left
    out, each with a problem at its line; nothing after the first ``MAX_REQUIREMENT_LINES``."""
    fed = [_LONG_SPACE.sub(r"\1", body) if len(body) > 64 else body for body in bodies]
    problems: list[ParseProblem] = []
    first = 0  # of the logical line being read
    logical = 0
    for index, body in enumerate(fed):
        if body.endswith("\\") and not _COMMENT_LINE.match(body):
            continue
        joined = fed[first : index + 1]
        line = where[first][0]
        start, first = first, index + 1
        if not any(part.strip() and not _COMMENT_LINE.match(part) for part in joined):
            continue
        logical += 1
        if logical > MAX_REQUIREMENT_LINES:
            problems.append(
                ParseProblem(
                    shown,
                    line,
                    "CANON902",
                    f"more than {MAX_REQUIREMENT_LINES:,} requirement lines: this line and the ones after it are "
                    "not checked; split the file with -r includes",
                )
            )
            return fed[:start], problems
        size = sum(len(part) for part in joined)
        brackets = sum(part.count("[") for part in joined)
        if size > MAX_REQUIREMENT_LINE:
            problem = f"{size:,} characters long (at most {MAX_REQUIREMENT_LINE:,})"
        elif brackets > MAX_BRACKETS:
            problem = f"{brackets:,} '[' (a requirement has one for its extras)"
        else:
            continue
        problems.append(ParseProblem(shown, line, "CANON901", f"cannot parse requirement line: {problem}"))
        fed[start : index + 1] = [""] * (index + 1 - start)
    return fed, problems


def _parse_requirements(
    text: str, path: Path, shown: str
) -> tuple[list[Dependency], list[ParseProblem], list[tuple[int, str]]]:
    """Dependencies, problems and local includes (line, target) of one requirements file."""
    from pip_requirements_parser import RequirementsFile

    bodies, where = _pip_lines(text)
    fed, problems = _screen(bodies, where, shown)

    def place(number: Any) -> tuple[int, int, str]:
        if isinstance(number, int) and 0 < number <= len(where):
            line, offset = where[number - 1]
            return line, offset, bodies[number - 1]
        return 1, 0, ""

    # The parser reads a file: it gets the lines above, UTF-8 with a BOM (so that neither the
    # locale nor a coding comment changes how it decodes them), one per line of pip's model.
    handle, name = tempfile.mkstemp(prefix="lint-canon-", suffix=".txt")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(codecs.BOM_UTF8 + "\n".join(fed).encode("utf-8", "surrogateescape") + b"\n")
        try:
            parsed = RequirementsFile.from_file(name, include_nested=False)
        except Exception as exc:  # pip's code on input it never met: whatever it raises is a finding
            message = _one_line(str(exc).replace(name, shown)) or type(exc).__name__
            problems.append(ParseProblem(shown, 1, "CANON901", f"cannot parse requirements file: {message}"))
            return [], problems, []
    finally:
        try:
            os.unlink(name)
        except OSError:
            pass

    deps: list[Dependency] = []
    for req in parsed.requirements:
        try:
            number = req.line_number
            name_ = req.name
            if not name_ and req.link is not None:
                link = req.link
                filename = link.filename if hasattr(link, "filename") else str(link).rsplit("/", 1)[-1]
                name_ = _name_from_archive(filename)
        except Exception as exc:  # an attribute of pip's objects that fails on this line
            line = place(getattr(req, "line_number", None))[0]
            message = _one_line(str(exc).replace(name, shown)) or type(exc).__name__
            problems.append(ParseProblem(shown, line, "CANON901", f"cannot parse requirement line: {message}"))
            continue
        if not name_:
            continue
        line, offset, body = place(number)
        col = offset + _column(body, name_) if body else 1
        deps.append(Dependency(shown, line, col, name_, (body or name_).strip(), str(path)))
    for invalid in parsed.invalid_lines:
        line = place(invalid.requirement_line.line_number)[0]
        message = str(getattr(invalid, "error_message", "") or "").replace(name, shown)
        message = _one_line(message.replace("pip_requirements_parser: error: ", "")) or "invalid requirement"
        problems.append(ParseProblem(shown, line, "CANON901", f"cannot parse requirement line: {message}"))
    includes: list[tuple[int, str]] = []
    for option in parsed.options:
        line = place(option.requirement_line.line_number)[0]
        for key in ("requirements", "constraints"):
            targets = option.options.get(key) or []
            for include in [targets] if isinstance(targets, str) else targets:
                if not isinstance(include, str) or "://" in include:
                    continue  # a remote include is not ours to fetch
                includes.append((line, include))
    return deps, problems, includes


def _name_from_archive(filename: str) -> str | None:
    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

    filename = filename.split("#", 1)[0].split("?", 1)[0]
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        return str(parse_sdist_filename(filename)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


# --- pyproject.toml -----------------------------------------------------------------------

# Linear on any line (a header inside a multi-line string can be a megabyte of blanks).
_HEADER = re.compile(r"^\s*\[\[?([^\[\]]*)\]\]?\s*(?:#.*)?$")
_STRING = re.compile(r""""((?:[^"\\]|\\.)*)"|'([^']*)'""")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*[=.]""")


def _table_key(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', raw.strip()))


class _Locator:
    """Finds the line of a value inside a table of a TOML file (tomllib keeps no positions).
    Each table's strings and keys are indexed once: a file with a hundred thousand
    dependencies is located in linear time."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.spans: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        start = 0
        key: tuple[str, ...] = ()
        for number, text in enumerate(lines):
            if "[" not in text:
                continue
            match = _HEADER.match(text)
            if match:
                self.spans.setdefault(key, []).append((start, number))
                key, start = _table_key(match.group(1)), number
        self.spans.setdefault(key, []).append((start, len(lines)))
        self._strings: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
        self._keys: dict[tuple[int, int], dict[str, int]] = {}

    def _spans(self, table: tuple[str, ...]) -> list[tuple[int, int]]:
        spans = list(self.spans.get(table, []))
        # A value under a dotted key (project.dependencies = [...]) lives in a parent table.
        for cut in range(len(table) - 1, -1, -1):
            spans += self.spans.get(table[:cut], [])
        return spans

    def string(self, table: tuple[str, ...], value: str) -> tuple[int, int] | None:
        """Line (1-based) and 0-based offset of the quoted ``value`` in ``table`` or a parent."""
        for span in self._spans(table):
            index = self._strings.get(span)
            if index is None:
                index = self._strings[span] = {}
                for number in range(*span):
                    for match in _STRING.finditer(self.lines[number]):
                        group = 1 if match.group(1) is not None else 2
                        index.setdefault(match.group(group), (number + 1, match.start(group)))
            if value in index:
                return index[value]
        return None

    def key(self, table: tuple[str, ...], name: str) -> int | None:
        """Line (1-based) of the key ``name`` in ``table`` or a parent."""
        for span in self._spans(table):
            index = self._keys.get(span)
            if index is None:
                index = self._keys[span] = {}
                for number in range(*span):
                    match = _KEY.match(self.lines[number])
                    if match:
                        index.setdefault(next(g for g in match.groups() if g is not None), number + 1)
            if name in index:
                return index[name]
        return None


def _kind(value: Any) -> str:
    return {dict: "a table", list: "an array", str: "a string", bool: "a boolean", int: "a number"}.get(
        type(value), "a number" if isinstance(value, float) else f"a {type(value).__name__}"
    )


def read_pyproject(
    path: Path, limit: int = DEFAULT_MAX_FILE_SIZE, reader: Reader = read_bytes
) -> tuple[list[Dependency], list[ParseProblem]]:
    """Dependencies of PEP 621 (with optional ones), PEP 735 groups, build-system and Poetry.
    A table or array of the wrong type where they are declared is a CANON901 at its line."""
    shown = display_path(path)
    try:
        data = reader(path, limit)
    except (OSError, ValueError) as exc:
        return [], [ParseProblem(shown, 1, "CANON902", f"pyproject.toml {_why_not_read(exc)}")]
    text, bad_line, reason = _decode(data)
    if text is None:
        return [], [ParseProblem(shown, bad_line, "CANON902", f"cannot decode pyproject.toml: {reason}")]
    try:
        document = load_toml(text)
    except TomlProblem as exc:
        return [], [ParseProblem(shown, exc.line or 1, "CANON901", f"invalid TOML: {exc.problem}")]
    lines = split_lines(text)
    locator = _Locator(lines)
    deps: list[Dependency] = []
    problems: list[ParseProblem] = []
    absolute = os.path.abspath(path)

    def wrong(table: tuple[str, ...], key: str, expected: str, value: Any, item: int | None = None) -> None:
        # The key's line, else its table's (an inline table keeps its keys off line starts).
        line = locator.key(table, key) or (locator.key(table[:-1], table[-1]) if table else None) or 1
        dotted = ".".join((*table, key)) + (f"[{item}]" if item is not None else "")
        problems.append(
            ParseProblem(shown, line, "CANON901", f"'{_one_line(dotted, 100)}' must be {expected}, not {_kind(value)}")
        )

    def get(table: tuple[str, ...], body: dict[str, Any] | None, key: str, kind: type) -> Any:
        """``body[key]`` when it has the type ``kind``; a problem when it is there with another."""
        if body is None or key not in body:
            return None
        value = body[key]
        if not isinstance(value, kind):
            wrong(table, key, "a table" if kind is dict else "an array", value)
            return None
        return value

    def add_string(table: tuple[str, ...], value: str) -> None:
        name = _name_of(value)
        if not name:
            return
        found = locator.string(table, value) or locator.string((), value)
        if found is None:
            deps.append(Dependency(shown, 1, 1, name, value, absolute))
            return
        number, offset = found
        deps.append(Dependency(shown, number, offset + _column(value, name), name, value, absolute))

    def add_key(table: tuple[str, ...], name: str) -> None:
        number = locator.key(table, name)
        col = _column(lines[number - 1], name) if number is not None else 1
        deps.append(Dependency(shown, number or 1, col, name, name, absolute))

    def strings(table: tuple[str, ...], key: str, values: list[Any] | None, groups: bool = False) -> None:
        for i, value in enumerate(values or []):
            if isinstance(value, str):
                add_string(table, value)
            elif not (groups and isinstance(value, dict)):  # {include-group = "..."} in a group
                wrong(table, key, "a string (PEP 508)", value, i)

    project = get((), document, "project", dict)
    strings(("project",), "dependencies", get(("project",), project, "dependencies", list))
    optional = get(("project",), project, "optional-dependencies", dict)
    for extra in optional or {}:
        table: tuple[str, ...] = ("project", "optional-dependencies")
        strings(table, extra, get(table, optional, extra, list))
    groups = get((), document, "dependency-groups", dict)
    for group in groups or {}:
        strings(("dependency-groups",), group, get(("dependency-groups",), groups, group, list), groups=True)
    build = get((), document, "build-system", dict)
    strings(("build-system",), "requires", get(("build-system",), build, "requires", list))

    tool = get((), document, "tool", dict)
    poetry = get(("tool",), tool, "poetry", dict)
    tables: list[tuple[tuple[str, ...], Any]] = [
        (("tool", "poetry", "dependencies"), get(("tool", "poetry"), poetry, "dependencies", dict)),
        (("tool", "poetry", "dev-dependencies"), get(("tool", "poetry"), poetry, "dev-dependencies", dict)),
    ]
    group_tables = get(("tool", "poetry"), poetry, "group", dict)
    for group in group_tables or {}:
        body = get(("tool", "poetry", "group"), group_tables, group, dict)
        table = ("tool", "poetry", "group", group)
        tables.append(((*table, "dependencies"), get(table, body, "dependencies", dict)))
    for table, body in tables:
        for name in body or {}:
            if name.lower() != "python":
                add_key(table, name)
    return deps, problems


def read_dependency_file(
    path: Path,
    read: set[Path] | None = None,
    limit: int = DEFAULT_MAX_FILE_SIZE,
    reader: Reader = read_bytes,
    within: Path | None = None,
) -> tuple[list[Dependency], list[ParseProblem]]:
    """The dependencies a file declares; ``read`` gathers the files a requirements file reads
    (itself and its includes, found or not). Files larger than ``limit`` bytes are not read.
    ``reader`` reads each file (a run's ``RunReader.read_bytes``, which records it)."""
    if path.name == "pyproject.toml":
        return read_pyproject(path, limit, reader)
    return read_requirements(path, read, limit, reader, within)
