"""The canon as the linter reads it: its ``[tool.lint-canon]`` settings (settings), the canon
each folder obeys (search), the TOML diagnostics of pyproject.toml (toml), and the globs and
canon-relative paths it is read with. The canon's model, loader and host patterns are the
guard's (lint_canon_guard.config, .hosts), shared with the runtime guard."""
