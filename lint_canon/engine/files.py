"""Bounded file reads: lives in lint_canon_guard.files (the lint-canon-guard distribution, which services that only
use the guard install without the linter); imported here under the name the linter's modules use."""

from lint_canon_guard.files import *  # noqa: F403
