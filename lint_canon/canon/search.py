"""The linter's canon search: which canon a folder names, walking up until one does.

A folder names its canon by ``[tool.lint-canon] config`` in its pyproject.toml, else by its
canon.yaml. The linter reads that table strictly (``lint_canon.canon.settings``): a mistake in
it stops the run with its line. The guard finds the same canon at run time with a look-up of
its own that reads ``config`` alone and never fails on the linter's keys
(``lint_canon_guard.locate``); tests/test_guard_settings_split.py holds the two to the same
answer wherever the table is right.
"""

from __future__ import annotations

import os
from pathlib import Path

from lint_canon.canon.settings import pyproject_settings
from lint_canon_guard.config import CANON_FILE, Canon, load_canon
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.messages import display


def _canon_present(candidate: Path) -> bool:
    """A canon.yaml is there: a FIFO, a device or a folder of that name is refused when loaded,
    never passed over (a canon swapped for a FIFO must not hand its files to a parent's)."""
    return os.path.exists(candidate)


def find_canon_file(start: Path | str, looked: list[Path] | None = None) -> Path | None:
    """Walk up from ``start``: ``[tool.lint-canon] config`` in a pyproject.toml, or a canon.yaml.
    ``looked`` gathers the folders looked in (a canon put in one of them would be found)."""
    here = Path(start).absolute()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if looked is not None:
            looked.append(folder)
        named = canon_file_in(folder)
        if named is not None:
            return named
    return None


def resolve_canon(config: Path | str | None, start: Path | str, looked: list[Path] | None = None) -> Canon:
    """The canon for a run: ``--config`` if given, else the one found from ``start`` (the
    folders looked in are added to ``looked``)."""
    if config is not None:
        return load_canon(config)
    found = find_canon_file(start, looked)
    if found is None:
        raise ConfigError(
            display(Path(start).absolute()),
            None,
            "",
            f"no {CANON_FILE} here or in any parent folder; create one with `lint-canon init` or pass --config FILE",
        )
    return load_canon(found)


def canon_file_in(folder: Path) -> Path | None:
    """The canon a folder names itself: ``[tool.lint-canon] config`` in its pyproject.toml, else
    its canon.yaml; None when it names none (look in its parent then)."""
    pyproject = folder / "pyproject.toml"
    settings = pyproject_settings(pyproject) if pyproject.is_file() else None
    if settings is not None and settings.config is not None:
        return settings.config
    candidate = folder / CANON_FILE
    if _canon_present(candidate):
        return candidate
    if settings is not None and settings.applies:
        # Settings with no canon to apply them to would be left out without a word.
        key = next(k for k in ("select", "ignore", "exclude") if k in dict(settings.lines))
        raise settings.error(
            key, f'no {CANON_FILE} here for it to apply to; add config = "path/to/{CANON_FILE}" to this table'
        )
    return None
