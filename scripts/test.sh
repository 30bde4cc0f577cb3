#!/usr/bin/env bash
# Install lint-canon with its test tools and run everything CI runs: format, lint, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
install_into_venv test
.venv/bin/ruff format --check .
.venv/bin/ruff check .
# pytest exits 5 when it collects no test: that fails this script like any other failure.
.venv/bin/python -m pytest "$@"
