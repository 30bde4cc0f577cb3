"""Output formats. A formatter turns findings into text; it knows nothing of rules.

``FORMATS`` is the one list of format names (``check --format`` offers it): each names a module
here holding ``format_<name>``, imported when a run uses it, not to build the command line."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from lint_canon.output.findings import Finding

Formatter = Callable[[Sequence["Finding"]], str]

FORMATS = ("text", "json", "github", "sarif")


def formatter(name: str) -> Formatter:
    """The formatter of the format ``name`` (one of ``FORMATS``)."""
    if name not in FORMATS:
        raise KeyError(name)
    return cast(Formatter, getattr(importlib.import_module(f"{__name__}.{name}"), f"format_{name}"))
