"""lint-canon: enforce a team's tool canon in Python code, dependency files and PostgreSQL."""

# One version for both distributions, written once: guard/lint_canon_guard/__init__.py.
from lint_canon_guard import __version__

__all__ = ["__version__"]
