"""``python -m lint_canon`` is ``lint-canon``."""

from lint_canon.frontends.cli import main

raise SystemExit(main())
