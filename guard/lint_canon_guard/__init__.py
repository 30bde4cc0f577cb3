"""lint-canon-guard: the tool canon at run time, for services that do not run the linter.

``from lint_canon_guard import InteractionType, enforce_tool_canon`` is the guard
(``lint_canon_guard.guard``: ``enforce_tool_canon``, ``ToolCanonGuard``, and where its
violations go, ``LoggingSink``, ``PostgresSink``, any callable). The canon model and its loader
are ``lint_canon_guard.config``; where the guard finds the canon, ``lint_canon_guard.locate``.
It needs PyYAML, and psycopg for the PostgreSQL sink (``pip install
'lint-canon-guard[postgres]'``). Where lint-canon is installed, ``lint_canon.guard`` is the same
guard under the name the linter's documentation and ``check --fix`` use.

The guard's names are imported on first use: the linter imports this package's other modules
(errors, the canon's loader) and does not load the guard with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from lint_canon_guard.guard import (
        InteractionType,
        LoggingSink,
        PostgresSink,
        ToolCanonGuard,
        ToolCanonViolationError,
        ToolTier,
        ToolViolation,
        ValidationResult,
        ViolationDisposition,
        ViolationRecord,
        ViolationSeverity,
        enforce_tool_canon,
        set_default_sinks,
    )

__all__ = [
    "InteractionType",
    "LoggingSink",
    "PostgresSink",
    "ToolCanonGuard",
    "ToolCanonViolationError",
    "ToolTier",
    "ToolViolation",
    "ValidationResult",
    "ViolationDisposition",
    "ViolationRecord",
    "ViolationSeverity",
    "__version__",
    "enforce_tool_canon",
    "set_default_sinks",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from lint_canon_guard import guard

        return getattr(guard, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
