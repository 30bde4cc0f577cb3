# Sourced by the scripts: make .venv (once) and install lint-canon into it, editable.
# Usage: install_into_venv [EXTRAS]
install_into_venv() {
    local extras="${1:-}"
    local python="${PYTHON:-python3}"
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    local target="."
    if [ -n "$extras" ]; then target=".[$extras]"; fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --editable "$target"
}
