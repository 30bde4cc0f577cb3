#!/usr/bin/env bash
# Install lint-canon with its test tools and run everything CI runs: format, lint, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
install_into_venv test
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy  # strict, on lint_canon and lint_canon_guard: [tool.mypy] in pyproject.toml
# The lowest libcst and pglast pyproject.toml admits, on the tests that exercise them: libcst's
# internals (lint_canon/syntax), the Python rules, and pglast without a PostgreSQL server.
install_lowest_into_venv
.venv-lowest/bin/python -m pytest -q -p no:cacheprovider \
    tests/test_libcst_contract.py tests/test_walker.py tests/test_engine.py tests/test_banned_import.py \
    tests/test_vendor_calls.py tests/test_recall.py tests/test_false_alarms.py \
    tests/test_done_drift.py tests/test_done_drift_hostile.py
# Headless Chromium for tests/test_pages.py (Debian's package; apt when missing).
bash scripts/browser.sh >/dev/null
# pytest exits 5 when it collects no test: that fails this script like any other failure.
.venv/bin/python -m pytest "$@"
