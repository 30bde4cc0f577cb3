#!/usr/bin/env bash
# Install lint-canon and lint the sample repository in fixtures/outreach_repo.
# The sample holds violations on purpose: findings are printed and the script exits 0;
# a configuration or usage error (lint-canon's exit 2) fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
install_into_venv
cd fixtures/outreach_repo
echo "$ lint-canon check ."
status=0
../../.venv/bin/lint-canon check . || status=$?
if [ "$status" -eq 2 ]; then exit 2; fi
echo "(lint-canon exited $status: 0 clean, 1 findings, 2 error)"
