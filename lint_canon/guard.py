"""The runtime guard under the name the linter's documentation and ``check --fix`` use:
``from lint_canon.guard import InteractionType, enforce_tool_canon``.

The guard is lint-canon-guard's (``lint_canon_guard.guard``); this module, shipped in the
lint-canon wheel, is the same API object for object, so it works wherever lint-canon is
installed (lint-canon depends on lint-canon-guard). A service that installs only lint-canon-guard
imports ``from lint_canon_guard import InteractionType, enforce_tool_canon``; the linter counts
both as the guard (``DEFAULT_GUARDS`` in lint_canon_guard.config).
"""

# The guard's public names, as lint_canon_guard.guard lists them (tests/test_guard.py holds the
# three lists of them equal).
from lint_canon_guard.guard import *  # noqa: F403
from lint_canon_guard.guard import __all__ as __all__
