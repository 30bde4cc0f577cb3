"""How paths are shown in findings and messages."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """The path as findings show it: relative to the working folder when below it."""
    absolute = path.absolute()
    try:
        shown = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return str(absolute)
    return str(absolute) if shown.startswith("..") else shown


def canon_relpath(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> str:
    """POSIX path of ``path`` relative to a canon's folder ``root`` (for ``exclude``,
    ``allow_in``, fingerprints). A path outside it stays relative to it (``../x.py``): the same
    from every working folder, and never matched by an anchored glob."""
    root = os.path.abspath(root)
    absolute = os.path.abspath(path)
    prefix = root.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    if absolute == root:
        return "."
    try:
        return os.path.relpath(absolute, root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()
