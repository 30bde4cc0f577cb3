#!/usr/bin/env bash
# Build what a release publishes, into DIST (default dist/): the sdists of lint-canon-guard and
# lint-canon and the wheels built from those sdists, with lint-canon pinned to the guard of its
# own version (LINT_CANON_RELEASE=1, see hatch_build.py); then `twine check --strict` them.
# .github/workflows/release.yml runs it; tests/test_packaging.py runs it too.
# Needs `build`, `twine` and `hatchling` in the running Python (the `test` extra has them).
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
python="${PYTHON:-python3}"
if [ -n "$(ls -A "$dist" 2>/dev/null)" ]; then
    echo "scripts/build_release.sh: $dist is not empty; give a new or empty folder (twine checks all it holds)" >&2
    exit 2
fi
export LINT_CANON_RELEASE=1
"$python" -m build --no-isolation --outdir "$dist" guard
"$python" -m build --no-isolation --outdir "$dist" .
"$python" -m twine check --strict "$dist"/*
