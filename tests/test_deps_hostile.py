"""Hostile dependency files through the real CLI: each is a finding at its line (CANON901 cannot
parse, CANON902 cannot read), never a crash or a hang, and a banned package in a requirements file
beside it is still reported. Also the one definition of a dependency file, shared by the CLI and
the pre-commit hook, and allow_in matched against the file that names a package."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lint_canon.project import dependencies as deps
from lint_canon.project.dependencies import DEPENDENCY_FILE_PATTERN, is_dependency_file, read_requirements
from tests.conftest import CANON, REPO, cli_env, dedent

REASON = "Clearbit contract ended; use TOOL-012"
BANNED = f"requirements.txt:2:1: CANON102 banned package 'clearbit': {REASON}"
HOSTILE = "requirements-hostile.txt"


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", *args],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )


def tree(root: Path, files: dict[str, str | bytes], canon: str = CANON) -> Path:
    """The canon, a requirements file with a real banned package, and ``files``."""
    (root / "canon.yaml").write_text(dedent(canon))
    (root / "requirements.txt").write_text("requests\nclearbit==0.1\n")
    for name, body in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return root


def findings(root: Path, *args: str) -> list[str]:
    """The finding lines of a run that must exit 1 with nothing on stderr."""
    result = check(root, *args)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr) == (1, ""), result.stdout + result.stderr
    return result.stdout.splitlines()


def hostile(line: int, col: int, code: str, message: str) -> str:
    return f"{HOSTILE}:{line}:{col}: {code} {message}"


def unparsed(line: int, message: str) -> str:
    return hostile(line, 1, "CANON901", f"cannot parse requirement line: {message}")


REQUIREMENTS = [
    pytest.param("-r\n", [unparsed(1, "-r option requires 1 argument")], id="lone-r"),
    pytest.param(
        "--hash\nsix --hash\n",
        [unparsed(1, "--hash option requires 1 argument"), unparsed(2, "--hash option requires 1 argument")],
        id="hash-without-value",
    ),
    pytest.param(
        "--index-url\n-e\n--no-such-option\n-Z\n",
        [
            unparsed(1, "--index-url option requires 1 argument"),
            unparsed(2, "-e option requires 1 argument"),
            unparsed(3, "no such option: --no-such-option"),
            unparsed(4, "Unsupported, legacy option: --always-unzip"),
        ],
        id="options-without-values",
    ),
    pytest.param(
        "-r sub\n-r /dev/zero\n-c /\n-r nul\0.txt\n-r big.txt\n-r missing.txt\n",
        [
            hostile(1, 1, "CANON902", "included file 'sub' is a folder, not a regular file"),
            hostile(2, 1, "CANON902", "included file '/dev/zero' is outside the repository; not read"),
            hostile(3, 1, "CANON902", "included file '/' is outside the repository; not read"),
            hostile(4, 1, "CANON902", "included file 'nul\\x00.txt' cannot be read: embedded null byte"),
            hostile(
                5,
                1,
                "CANON902",
                "included file 'big.txt' is too large (6,291,457 bytes; the limit is 5,242,880: max_file_size in the canon)",
            ),
            hostile(6, 1, "CANON902", "included file 'missing.txt' does not exist"),
        ],
        id="includes-that-are-not-regular-files",
    ),
    pytest.param(
        "six\n\fclearbit-sdk\n",
        [hostile(2, 2, "CANON102", f"banned package 'clearbit-sdk': {REASON}")],
        id="form-feed-before-the-name",
    ),
    pytest.param(
        "a\fb\n# c\vd\nclearbit\n",
        [hostile(3, 1, "CANON102", f"banned package 'clearbit': {REASON}")],
        id="finding-after-form-feed-lines",
    ),
    pytest.param(
        "six\rclearbit\r\nurllib3\rclearbit-sdk\n",
        [
            hostile(2, 1, "CANON102", f"banned package 'clearbit': {REASON}"),
            hostile(4, 1, "CANON102", f"banned package 'clearbit-sdk': {REASON}"),
        ],
        id="lone-carriage-returns",
    ),
    pytest.param(
        # pip splits at U+2028 (str.splitlines) and installs clearbit: one line for lint-canon.
        "six\u2028clearbit\n",
        [hostile(1, 5, "CANON102", f"banned package 'clearbit': {REASON}")],
        id="line-separator",
    ),
    pytest.param(
        "a" * 1_000_000 + "\n",
        [unparsed(1, "1,000,000 characters long (at most 65,536)")],
        id="one-megabyte-line",
    ),
    pytest.param(
        "six\n" + "a" + " " * 1_000_000 + "b\n",
        [
            unparsed(
                2,
                "Invalid requirement: : Expected semicolon (after name with no version specifier) or end",
            )
        ],
        id="megabyte-of-blanks",
    ),
    pytest.param("[" * 1000 + "\n", [unparsed(1, "1,000 '[' (a requirement has one for its extras)")], id="brackets"),
    pytest.param(
        "ｃｌｅａｒｂｉｔ\n\0\x1b[31mclearbit\n",
        [
            unparsed(1, "Invalid requirement: : Expected package name at the start of dependency specifier"),
            unparsed(2, "Invalid requirement: : Expected package name at the start of dependency specifier"),
        ],
        id="unicode-and-control-characters",
    ),
    pytest.param(
        b"six\nclear\xffbit\n",
        [hostile(2, 1, "CANON902", "cannot decode requirements file: not UTF-8 (byte 0xff)")],
        id="not-utf8",
    ),
    pytest.param(
        "clearbit \\\n    --hash=sha256:" + "a" * 64 + " \\\n    --hash=sha256:" + "b" * 64 + "\nsix\n",
        [hostile(1, 1, "CANON102", f"banned package 'clearbit': {REASON}")],
        id="continued-lines-still-read",
    ),
]


@pytest.mark.parametrize(("text", "expected"), REQUIREMENTS)
def test_hostile_requirements_file(tmp_path, text, expected):
    root = tree(tmp_path, {HOSTILE: text, "sub/notes.md": "", "big.txt": "#" * (6 * 1024 * 1024) + "\n"})
    assert findings(root) == [*expected, BANNED]


def test_include_of_a_fifo(tmp_path):
    root = tree(tmp_path, {HOSTILE: "six\n-r fifo.txt\n-c ./sub/../other-fifo.txt\nclearbit-sdk\n"})
    os.mkfifo(root / "fifo.txt")
    os.mkfifo(root / "other-fifo.txt")
    assert findings(root) == [
        hostile(2, 1, "CANON902", "included file 'fifo.txt' is a FIFO, not a regular file"),
        hostile(3, 1, "CANON902", "included file './sub/../other-fifo.txt' is a FIFO, not a regular file"),
        hostile(4, 1, "CANON102", f"banned package 'clearbit-sdk': {REASON}"),
        BANNED,
    ]


def test_include_chain_longer_than_the_stack(tmp_path):
    files = {f"chain/{i}.txt": f"-r {i + 1}.txt\n" for i in range(1100)}
    files["chain/1100.txt"] = "clearbit-sdk\n"
    root = tree(tmp_path, {HOSTILE: "-r chain/0.txt\n", **files})
    assert findings(root) == [f"chain/1100.txt:1:1: CANON102 banned package 'clearbit-sdk': {REASON}", BANNED]


def garbage(seed: int, lines: int = 200) -> str:
    pieces = ["-r", "-c", "--hash", "--hash=", "-e", "-i", "--", "\\", "#", "@", "[", "]", ";", "==", "'", '"']
    pieces += ["git+https://", "file:", "#egg=", "\t", " ", "a", "\f", "\v", "\x85", "\u2028", "é", "😀", "~", "../"]
    pieces += [".whl", ".tar.gz", "--requirement", "--constraint=", ":all:", "--no-binary", "(", ")", "<", ">", "*"]
    rng = random.Random(seed)
    out = []
    for _ in range(lines):
        if rng.random() < 0.3:
            out.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40))).decode("utf-8", "replace"))
        else:
            out.append("".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(0, 10))))
    return "\n".join(out).replace("\r", "") + "\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_garbage_through_the_cli(tmp_path, seed):
    root = tree(tmp_path, {HOSTILE: garbage(seed)})
    lines = findings(root)
    assert lines[-1] == BANNED
    for line in lines[:-1]:
        assert re.match(rf"{re.escape(HOSTILE)}:\d+:\d+: CANON(901|902|102) ", line), line
        assert line.isprintable(), line


def test_generated_garbage_line_numbers(tmp_path):
    """In-process, many more files: nothing escapes, and every line number is a line of the
    file as split_lines counts them, a dependency on the line whose text names it."""
    from lint_canon_guard.lines import split_lines

    for seed in range(200):
        text = garbage(seed, lines=20) + "\nclearbit\n"  # the blank line ends a trailing backslash
        path = tmp_path / f"requirements-{seed}.txt"
        path.write_text(text, encoding="utf-8")
        lines = split_lines(text)
        found, problems = read_requirements(path)
        assert all(1 <= p.line <= len(lines) for p in problems), problems
        for dep in found:
            assert 1 <= dep.line <= len(lines)
            assert dep.text in lines[dep.line - 1]
        assert found[-1].line == len(lines) and found[-1].name == "clearbit"


def test_lines_past_the_limit_are_a_finding_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.setattr(deps, "MAX_REQUIREMENT_LINES", 5)
    path = tmp_path / "requirements.txt"
    path.write_text("# head\n" + "six\n" * 5 + "\nclearbit\n" + "six\n" * 1000)
    found, problems = read_requirements(path)
    assert [d.name for d in found] == ["six"] * 5
    assert [(p.line, p.code) for p in problems] == [(8, "CANON902")]
    assert problems[0].message.startswith("more than 5 requirement lines: this line and the ones after it are not")


PYPROJECTS = [
    pytest.param('tool = "x"\n', "1:1: CANON901 'tool' must be a table, not a string", id="tool-is-a-string"),
    pytest.param("project = 3\n", "1:1: CANON901 'project' must be a table, not a number", id="project-is-a-number"),
    pytest.param(
        '[tool]\npoetry = "x"\n', "2:1: CANON901 'tool.poetry' must be a table, not a string", id="poetry-is-a-string"
    ),
    pytest.param(
        '[project]\nname = "x"\ndependencies = "clearbit"\n',
        "3:1: CANON901 'project.dependencies' must be an array, not a string",
        id="dependencies-is-a-string",
    ),
    pytest.param(
        '[project]\nname = "x"\n\n[tool.black]\nx = ' + "[" * 10_000 + "]" * 10_000 + "\n",
        "5:1: CANON901 invalid TOML: arrays or inline tables nested too deeply",
        id="10000-nested-arrays",
    ),
    pytest.param(
        "[tool.black]\nline-length = " + "9" * 10_000 + "\n",
        f"2:1: CANON901 invalid TOML: a number of more than {sys.get_int_max_str_digits():,} digits",
        id="10000-digit-integer",
    ),
    pytest.param(
        b'[project]\nname = "\xff"\n',
        "2:1: CANON902 cannot decode pyproject.toml: not UTF-8 (byte 0xff)",
        id="not-utf8",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PYPROJECTS)
def test_hostile_pyproject(tmp_path, text, expected):
    # --config: the canon search would refuse some of these before the check reads them.
    root = tree(tmp_path, {"sub/pyproject.toml": text})
    assert findings(root, "--config", "canon.yaml") == [BANNED, f"sub/pyproject.toml:{expected}"]


def test_pyproject_with_fifty_thousand_dependencies(tmp_path):
    body = "".join(f'  "pkg{i}>=1",\n' for i in range(50_000))
    text = f'[project]\nname = "x"\ndependencies = [\n{body}  "Clearbit",\n]\n'
    root = tree(tmp_path, {"sub/pyproject.toml": text})
    assert findings(root, "--config", "canon.yaml") == [
        BANNED,
        f"sub/pyproject.toml:50004:4: CANON102 banned package 'Clearbit' (clearbit): {REASON}",
    ]


# --- allow_in: matched against the file that names the package -----------------------------------

ALLOW_VENDOR = """\
version: 1
banned:
  - reason: "use the wrapper"
    packages: [clearbit]
    allow_in: ["vendor/**"]
"""


def test_allow_in_covers_an_included_file(tmp_path):
    root = tree(
        tmp_path,
        {"requirements.txt": "-r vendor/extra.txt\nclearbit\n", "vendor/extra.txt": "clearbit\n"},
        ALLOW_VENDOR,
    )
    assert findings(root) == ["requirements.txt:2:1: CANON102 banned package 'clearbit': use the wrapper"]


def test_allow_in_of_the_including_file_does_not_cover_its_includes(tmp_path):
    canon = ALLOW_VENDOR.replace('["vendor/**"]', '["requirements.txt"]')
    root = tree(tmp_path, {"requirements.txt": "-r more/extra.txt\nclearbit\n", "more/extra.txt": "clearbit\n"}, canon)
    assert findings(root) == ["more/extra.txt:1:1: CANON102 banned package 'clearbit': use the wrapper"]


# --- one definition of a dependency file ----------------------------------------------------------------


def test_pre_commit_hook_uses_the_same_pattern():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["lint-canon-requirements"]["files"] == DEPENDENCY_FILE_PATTERN


PATHS = [
    ("requirements.txt", True),
    ("requirements-dev.txt", True),
    ("requirements_test.txt", True),
    ("dev-requirements.txt", True),
    ("test_requirements.txt", True),
    ("Requirements.txt", True),
    ("REQUIREMENTS-DEV.txt", True),
    ("constraints.txt", True),
    ("pip-constraints.txt", True),
    ("requirements/base.txt", True),
    ("Requirements/prod.txt", True),
    ("svc/requirements/dev.txt", True),
    ("svc/pyproject.toml", True),
    ("requirements/sub/deep.txt", False),
    ("requirements.in", False),
    ("requirements.txt.bak", False),
    ("requirements.TXT", False),
    ("PyProject.toml", False),
    ("notes.txt", False),
    ("docs/requirements-notes.md", False),
    ("myrequirements-list.txt", False),
]


@pytest.mark.parametrize(("path", "expected"), PATHS)
def test_dependency_file_names(path, expected):
    assert is_dependency_file(Path(path)) is expected
    assert bool(re.search(DEPENDENCY_FILE_PATTERN, path)) is expected  # as pre-commit matches `files`
    assert is_dependency_file(Path("/abs/repo") / path) is expected


def test_the_cli_checks_exactly_those_files(tmp_path):
    files = {
        path: '[project]\nname = "x"\ndependencies = ["clearbit"]\n' if path.endswith(".toml") else "clearbit\n"
        for path, _ in PATHS
    }
    root = tree(tmp_path, files)
    (root / "requirements.txt").write_text("six\n")
    reported = {line.split(":", 1)[0] for line in findings(root)}
    assert reported == {path for path, expected in PATHS if expected} - {"requirements.txt"}
