"""Dependency files: which distributions ``requirements*.txt`` and ``pyproject.toml`` declare,
and on which line. Requirements files are parsed by pip-requirements-parser (pip's own code),
pyproject.toml by tomllib; PEP 508 strings by packaging."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.config import toml_error
from lint_canon.paths import display_path


@dataclass(frozen=True)
class Dependency:
    """A distribution a dependency file declares, at the place that names it."""

    path: str
    line: int
    col: int  # 1-based
    name: str
    text: str


@dataclass(frozen=True)
class ParseProblem:
    """A dependency file, or a line of one, that could not be read (CANON902) or parsed (CANON901)."""

    path: str
    line: int
    code: str
    message: str


def is_requirements_file(path: Path) -> bool:
    """``requirements*.txt`` / ``constraints*.txt`` anywhere, or any ``.txt`` in a ``requirements/`` folder."""
    name = path.name.lower()
    if not name.endswith(".txt"):
        return False
    return (
        name.startswith(("requirements", "constraints"))
        or name.endswith("requirements.txt")
        or path.parent.name == "requirements"
    )


def is_dependency_file(path: Path) -> bool:
    return path.name == "pyproject.toml" or is_requirements_file(path)


def _name_of(text: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text).name
    except InvalidRequirement:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
        return match.group(1) if match else None


def _column(line_text: str, name: str) -> int:
    """1-based column of ``name`` in ``line_text``, spelled any way PEP 503 treats as equal;
    an ``#egg=name`` fragment wins over the same letters earlier in a URL."""
    spelled = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    matches = list(re.finditer(rf"(?<![A-Za-z0-9]){spelled}(?![A-Za-z0-9])", line_text, re.IGNORECASE))
    if not matches:
        return 1
    for match in matches:
        if line_text[: match.start()].endswith("egg="):
            return match.start() + 1
    return matches[0].start() + 1


# --- requirements files -------------------------------------------------------------------


def read_requirements(path: Path, seen: set[Path] | None = None) -> tuple[list[Dependency], list[ParseProblem]]:
    """Requirements of ``path`` and of the files it includes with ``-r`` / ``-c``, each reported
    in the file and at the line that names it. A missing include is a problem at its line."""
    from pip_requirements_parser import InstallationError, RequirementsFile

    seen = set() if seen is None else seen
    path = path.absolute()
    if path in seen:
        return [], []
    seen.add(path)
    shown = display_path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [ParseProblem(shown, 1, "CANON902", f"cannot read requirements file: {exc}")]
    try:
        parsed = RequirementsFile.from_file(str(path), include_nested=False)
    except InstallationError as exc:
        return [], [ParseProblem(shown, 1, "CANON901", f"cannot parse requirements file: {str(exc).splitlines()[0]}")]

    deps: list[Dependency] = []
    problems: list[ParseProblem] = []
    for req in parsed.requirements:
        name = req.name
        if not name and req.link is not None:
            filename = req.link.filename if hasattr(req.link, "filename") else str(req.link).rsplit("/", 1)[-1]
            name = _name_from_archive(filename)
        if not name:
            continue
        text = lines[req.line_number - 1] if 0 < req.line_number <= len(lines) else name
        deps.append(Dependency(shown, req.line_number, _column(text, name), name, text.strip()))
    for invalid in parsed.invalid_lines:
        number = invalid.requirement_line.line_number
        message = (getattr(invalid, "error_message", "") or "invalid requirement").splitlines()[0]
        problems.append(ParseProblem(shown, number, "CANON901", f"cannot parse requirement line: {message}"))
    for option in parsed.options:
        for key in ("requirements", "constraints"):
            for include in option.options.get(key, []) or []:
                if "://" in include:
                    continue  # a remote include is not ours to fetch
                target = (path.parent / include).resolve()
                number = option.requirement_line.line_number
                if not target.is_file():
                    seen.add(target)  # looked for: a file created there changes the findings
                    problems.append(
                        ParseProblem(shown, number, "CANON902", f"included file '{include}' does not exist")
                    )
                    continue
                more, more_problems = read_requirements(target, seen)
                deps.extend(more)
                problems.extend(more_problems)
    return deps, problems


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

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _table_key(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', raw))


class _Locator:
    """Finds the line of a value inside a table of a TOML file (tomllib keeps no positions)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.tables: list[tuple[tuple[str, ...], int, int]] = []
        start, key = 0, ()
        for number, text in enumerate(lines):
            match = _HEADER.match(text)
            if match:
                self.tables.append((key, start, number))
                key, start = _table_key(match.group(1)), number
        self.tables.append((key, start, len(lines)))

    def find(self, table: tuple[str, ...], needle: re.Pattern[str]) -> int | None:
        spans = [(s, e) for key, s, e in self.tables if key == table]
        # A value under a dotted key (project.dependencies = [...]) lives in a parent table.
        for cut in range(len(table) - 1, -1, -1):
            spans += [(s, e) for key, s, e in self.tables if key == table[:cut]]
        for start, end in spans:
            for number in range(start, end):
                if needle.search(self.lines[number]):
                    return number + 1
        return None


def read_pyproject(path: Path) -> tuple[list[Dependency], list[ParseProblem]]:
    """Dependencies of PEP 621 (with optional ones), PEP 735 groups, build-system and Poetry."""
    import tomllib

    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [ParseProblem(shown, 1, "CANON902", f"cannot read pyproject.toml: {exc}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, problem = toml_error(exc, text)
        return [], [ParseProblem(shown, line or 1, "CANON901", f"invalid TOML: {problem}")]
    lines = text.splitlines()
    locator = _Locator(lines)
    deps: list[Dependency] = []

    def add_string(table: tuple[str, ...], value: Any) -> None:
        if not isinstance(value, str):
            return
        name = _name_of(value)
        if not name:
            return
        quoted = re.compile(r"[\"']" + re.escape(value) + r"[\"']")
        number = locator.find(table, quoted) or locator.find((), quoted) or 1
        deps.append(Dependency(shown, number, _column(lines[number - 1] if lines else "", name), name, value))

    def add_key(table: tuple[str, ...], name: str) -> None:
        pattern = re.compile(r"^\s*[\"']?" + re.escape(name) + r"[\"']?\s*=")
        number = locator.find(table, pattern) or 1
        deps.append(Dependency(shown, number, _column(lines[number - 1] if lines else "", name), name, name))

    def strings(table: tuple[str, ...], values: Any) -> None:
        if isinstance(values, list):
            for value in values:
                add_string(table, value)

    project = data.get("project", {})
    if isinstance(project, dict):
        strings(("project",), project.get("dependencies"))
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            for values in optional.values():
                strings(("project", "optional-dependencies"), values)
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for values in groups.values():
            strings(("dependency-groups",), values)  # {include-group = ...} tables are skipped
    build = data.get("build-system", {})
    if isinstance(build, dict):
        strings(("build-system",), build.get("requires"))

    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        tables: list[tuple[tuple[str, ...], Any]] = [
            (("tool", "poetry", "dependencies"), poetry.get("dependencies")),
            (("tool", "poetry", "dev-dependencies"), poetry.get("dev-dependencies")),
        ]
        group_tables = poetry.get("group", {})
        if isinstance(group_tables, dict):
            for group, body in group_tables.items():
                if isinstance(body, dict):
                    tables.append((("tool", "poetry", "group", group, "dependencies"), body.get("dependencies")))
        for table, body in tables:
            if isinstance(body, dict):
                for name in body:
                    if name.lower() != "python":
                        add_key(table, name)
    return deps, []


def read_dependency_file(path: Path, read: set[Path] | None = None) -> tuple[list[Dependency], list[ParseProblem]]:
    """The dependencies a file declares; ``read`` gathers the files a requirements file reads
    (itself and its includes, found or not)."""
    if path.name == "pyproject.toml":
        return read_pyproject(path)
    return read_requirements(path, read)
