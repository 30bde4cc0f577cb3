"""The canon: model, loading, validation: lives in lint_canon_guard.config (the lint-canon-guard distribution, which services that only
use the guard install without the linter); imported here under the name the linter's modules use."""

from lint_canon_guard.config import *  # noqa: F403
