"""The runtime guard, under the name existing code imports: ``from lint_canon.guard import
enforce_tool_canon``. The code is lint_canon_guard.guard (the lint-canon-guard distribution,
which ships this file too, so the import works where only the guard is installed)."""

from lint_canon_guard.guard import *  # noqa: F403
from lint_canon_guard.guard import __all__  # noqa: F401
