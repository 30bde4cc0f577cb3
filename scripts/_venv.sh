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
    # lint-canon-guard (guard/) first: lint-canon depends on it, and it is not on an index.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --editable ./guard --editable "$target"
}

# Make .venv-lowest (once) and install lint-canon into it, editable, with the lowest libcst and
# pglast pyproject.toml admits (the lower bounds of their pins, read from it: a bound raised
# there is the version tested here) and pytest, so that the bounds are tested, not guessed.
# Usage: install_lowest_into_venv
install_lowest_into_venv() {
    local python="${PYTHON:-python3}"
    if [ ! -x .venv-lowest/bin/python ]; then
        "$python" -m venv .venv-lowest
    fi
    local pins
    pins=$(.venv-lowest/bin/python - <<'PY'
import re
import sys
import tomllib

with open("pyproject.toml", "rb") as file:
    project = tomllib.load(file)["project"]
pins = {}
for requirement in project["dependencies"]:
    match = re.fullmatch(r"(libcst|pglast)>=([0-9.]+),<[0-9.]+", requirement)
    if match:
        pins[match[1]] = f"{match[1]}=={match[2]}"
if sorted(pins) != ["libcst", "pglast"]:
    sys.exit("pyproject.toml: libcst and pglast must be pinned as 'name>=LOWEST,<NEXT_MAJOR'")
pytest = [r for r in project["optional-dependencies"]["test"] if re.match(r"pytest\b", r)]
print(*pins.values(), *pytest)
PY
)
    echo "lowest versions: $pins"
    # shellcheck disable=SC2086  # one word per requirement
    .venv-lowest/bin/python -m pip install --quiet --disable-pip-version-check --editable ./guard --editable ".[flake8]" $pins
}
