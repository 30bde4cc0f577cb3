"""The runtime guard under the name the linter's documentation and ``check --fix`` use:
``from lint_canon.guard import InteractionType, enforce_tool_canon``.

The guard is lint-canon-guard's (``lint_canon_guard.guard``); this module, shipped in the
lint-canon wheel, is the same API object for object, so it works wherever lint-canon is
installed (lint-canon depends on lint-canon-guard). A service that installs only lint-canon-guard
imports ``from lint_canon_guard import InteractionType, enforce_tool_canon``; the linter counts
both as the guard (``DEFAULT_GUARDS`` in lint_canon_guard.config).
"""

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
    "enforce_tool_canon",
    "set_default_sinks",
]
