"""``[tool.lint-canon]`` in pyproject.toml: the linter's settings, read and checked.

``config`` names the canon (for the linter's search, ``lint_canon.canon.search``, and for the
guard's); ``select``, ``ignore`` and ``exclude`` shape a run. Every mistake here is a
``ConfigError`` for ``lint-canon check`` (exit 2), and only for it: the guard reads
``config`` alone, tolerantly (``lint_canon_guard.locate``), so a typo in a linter key never
reaches a guarded call. A run's canon carries the settings of the pyproject.toml that named it
(``with_settings`` / ``settings_of``), folded into its digest.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lint_canon.canon.toml import TomlProblem, line_matching, load_toml
from lint_canon_guard.config import Canon, Key, repository_root
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.files import DEFAULT_MAX_FILE_SIZE, FileTooLarge, NotRegularFile, read_bytes
from lint_canon_guard.lines import split_lines
from lint_canon_guard.messages import cut, display, not_regular, printable, short, value_kind

# Where a run's canon keeps its settings (Canon._index: what the linter attaches to a canon).
_KEY = "settings"


@dataclass(frozen=True)
class Settings:
    """``[tool.lint-canon]`` of a pyproject.toml: the canon it names (``config``) and the run's
    ``select`` / ``ignore`` (code prefixes, upper-cased) and ``exclude`` (globs relative to the
    pyproject.toml's folder). ``lines``: the line of each key given, for later errors about it."""

    path: Path
    config: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    lines: tuple[tuple[str, int | None], ...] = ()
    # glob (relative to the pyproject.toml's folder) -> code prefixes not reported there
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def applies(self) -> bool:
        """Whether it sets anything for a run (beyond naming the canon)."""
        return self.select is not None or bool(self.ignore) or bool(self.exclude) or bool(self.per_file_ignores)

    def line(self, key: str) -> int | None:
        return dict(self.lines).get(key)

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(display(self.path), self.line(key), f"tool.lint-canon.{key}", problem)


# The keys of [tool.lint-canon]; "codes" are checked against the rule codes by the linter
# (lint_canon.engine.runner), which knows them.
SETTINGS = Key(
    "mapping",
    "[tool.lint-canon] in pyproject.toml.",
    keys={
        "config": Key("string", "The canon.yaml to use, relative to this pyproject.toml."),
        "select": Key("codes", "Code prefixes to report (default CANON); --select replaces it."),
        "ignore": Key("codes", "Code prefixes not to report; --ignore adds to it."),
        "exclude": Key("strings", "Path globs not checked, relative to this pyproject.toml; added to the canon's."),
        "per-file-ignores": Key(
            "codemap",
            "Path globs (relative to this pyproject.toml), each to the code prefixes not reported in its files; "
            "added to the canon's per_file_ignores.",
        ),
    },
)
_CODE = re.compile(r"^[A-Z]+[0-9]*$")


# What a pyproject.toml holding our settings spells, however its TOML is written ([tool.lint-canon],
# tool."lint-canon", [tool] lint-canon = {...}).
_NAMES_US = b"lint-canon"


def pyproject_settings(pyproject: Path) -> Settings | None:
    """``[tool.lint-canon]`` of ``pyproject``, checked (None when it has no such table)."""
    shown = display(pyproject)
    try:
        data = read_bytes(pyproject, DEFAULT_MAX_FILE_SIZE)
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _NAMES_US not in data:
            return None  # cannot hold [tool.lint-canon]: a dependency file's problem (CANON902) if checked
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace") + "x"))
        raise ConfigError(shown, line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x}); TOML is UTF-8") from None
    except NotRegularFile as exc:
        raise ConfigError(shown, None, "", f"cannot read: {not_regular(exc.kind)}") from None
    except FileTooLarge as exc:
        raise ConfigError(
            shown, None, "", f"cannot read: too large ({exc.size:,} bytes, at most {DEFAULT_MAX_FILE_SIZE:,})"
        ) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(shown, None, "", f"cannot read: {printable(reason)}") from None
    try:
        table = load_toml(source)
    except TomlProblem as exc:
        if _NAMES_US not in data:
            # a pyproject.toml that cannot hold [tool.lint-canon] is not the run's config: when it
            # is checked, its syntax is its finding (CANON901) and the run goes on
            return None
        raise ConfigError(shown, exc.line, "", f"invalid TOML: {exc.problem}") from None
    tool = table.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(
            shown,
            line_matching(source, r"\s*[\"']?tool[\"']?\s*="),
            "tool",
            f"expected a table, got {value_kind(tool)}; write it as a [tool] table",
        )
    section = tool.get("lint-canon")
    if section is None:
        return None
    header = line_matching(source, r"\s*\[\s*[\"']?tool[\"']?\s*\.\s*[\"']?lint-canon[\"']?\s*\]")
    if not isinstance(section, dict):
        section_line = line_matching(source, r"\s*(?:[\"']?tool[\"']?\s*\.\s*)?[\"']?lint-canon[\"']?\s*=")
        raise ConfigError(
            shown,
            section_line,
            "tool.lint-canon",
            f"expected a table, got {value_kind(section)}; write [tool.lint-canon]",
        )
    lines = tuple(
        (key, line_matching(source, rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", header or 0) or header) for key in section
    )
    settings = Settings(pyproject, lines=lines)
    unknown = sorted(set(section) - set(SETTINGS.keys))
    if unknown:
        key = printable(cut(unknown[0], 60))
        raise ConfigError(
            shown,
            settings.line(unknown[0]),
            f"tool.lint-canon.{key}",
            f"unknown key; known keys: {', '.join(sorted(SETTINGS.keys))}",
        )
    config = section.get("config")
    if config is not None and (not isinstance(config, str) or not config):
        raise ConfigError(shown, None, "tool.lint-canon.config", "expected the path of a canon.yaml")
    if config is not None:
        root = repository_root(pyproject.parent.absolute())
        if not (pyproject.parent.absolute() / config).resolve().is_relative_to(root.resolve()):
            raise ConfigError(
                shown,
                settings.line("config"),
                "tool.lint-canon.config",
                f"{config} is outside the repository ({display(root)}); name a canon.yaml inside it",
            )
    select = _codes(settings, section, "select")
    return Settings(
        pyproject,
        config=None if config is None else pyproject.parent / config,
        select=select,
        ignore=_codes(settings, section, "ignore") or (),
        exclude=_globs(settings, section),
        lines=lines,
        per_file_ignores=_per_file_ignores(settings, section),
    )


def _per_file_ignores(settings: Settings, section: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    value = section.get("per-file-ignores", {})
    if not isinstance(value, dict):
        raise settings.error(
            "per-file-ignores", f'expected a table such as {{"tests/**" = ["CANON201"]}}, got {value_kind(value)}'
        )
    pairs = []
    for glob, codes in value.items():
        if not glob.strip():
            raise settings.error("per-file-ignores", "expected a path glob such as tests/**, got an empty string")
        listed = _codes(settings, {"per-file-ignores": codes}, "per-file-ignores")
        pairs.append((glob, listed or ()))
    return tuple(pairs)


def _codes(settings: Settings, section: dict[str, Any], key: str) -> tuple[str, ...] | None:
    if key not in section:
        return None
    value = section[key]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        got = (
            "a list holding " + value_kind(next(c for c in value if not isinstance(c, str)))
            if isinstance(value, list)
            else value_kind(value)
        )
        raise settings.error(key, f'expected a list of code prefixes such as ["CANON1"], got {got}')
    codes = tuple(code.strip().upper() for code in value)
    for code in codes:
        if not _CODE.match(code):
            raise settings.error(key, f"{short(code)} is not a code prefix; write CANON, CANON1 or CANON101")
    return codes


def _globs(settings: Settings, section: dict[str, Any]) -> tuple[str, ...]:
    value = section.get("exclude", [])
    if not isinstance(value, list) or not all(isinstance(glob, str) and glob.strip() for glob in value):
        got = (
            "a list holding " + value_kind(next(g for g in value if not (isinstance(g, str) and g.strip())))
            if isinstance(value, list)
            else value_kind(value)
        )
        raise settings.error("exclude", f'expected a list of path globs such as ["build/**"], got {got}')
    return tuple(value)


def settings_in(folder: Path | str) -> Settings | None:
    """``[tool.lint-canon]`` of the folder's pyproject.toml, if it has one: the settings of a run
    over the files whose canon this folder names (``canon_file_in``)."""
    pyproject = Path(folder) / "pyproject.toml"
    return pyproject_settings(pyproject) if pyproject.is_file() else None


def with_settings(canon: Canon, settings: Settings | None) -> Canon:
    """The canon as a run uses it with ``settings`` (None: none); its digest covers them."""
    if settings is None:
        return canon
    shaped = repr((str(settings.path), settings.select, settings.ignore, settings.exclude, settings.per_file_ignores))
    digest = hashlib.sha256(f"{canon.digest}\0{shaped}".encode("utf-8", "surrogateescape")).hexdigest()
    return replace(canon, digest=digest, _index={**canon._index, _KEY: settings})


def settings_of(canon: Canon) -> Settings | None:
    """The settings a run uses ``canon`` with (``with_settings``); None when it has none."""
    settings: Settings | None = canon._index.get(_KEY)
    return settings
