"""Checks over project files rather than one Python module: dependency files (requirements, pyproject.toml) and the DONE doc against its SQL checkers."""
