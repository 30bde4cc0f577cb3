"""``python -m lint_canon`` is ``lint-canon``."""

from lint_canon.cli import main

raise SystemExit(main())
