"""The ways in: the lint-canon command, and flake8 (its plugin and its formatters)."""
