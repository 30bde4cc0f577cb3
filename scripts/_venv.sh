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
    # lint-canon requires lint-canon-guard from guard/ (hatch_build.py); then the guard is made
    # editable too, so that an edit in guard/ is seen without reinstalling.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --editable "$target"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --editable ./guard
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
    pyproject = tomllib.load(file)
project = pyproject["project"]
pins = {}
# lint-canon's requirements besides the guard, which hatch_build.py adds
for requirement in pyproject["tool"]["hatch"]["metadata"]["hooks"]["custom"]["dependencies"]:
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
    .venv-lowest/bin/python -m pip install --quiet --disable-pip-version-check --editable ".[flake8]" $pins
    .venv-lowest/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --editable ./guard
}
