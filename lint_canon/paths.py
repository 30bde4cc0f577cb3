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
