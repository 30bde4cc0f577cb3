"""Hostile canon.yaml and pyproject.toml through the real CLI: one line on stderr naming the file
(and the line, where there is one), exit code 2; never a traceback, a hang or a memory blow-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lint_canon_guard.config import MAX_CANON_SIZE, MAX_VALUES, load_canon
from lint_canon_guard.errors import ConfigError
from tests.conftest import cli_env


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", *args],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )


def refused(root: Path, *args: str) -> str:
    """The one line a refused configuration prints (without the 'lint-canon: ' prefix)."""
    result = check(root, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("lint-canon: ") and result.stderr.endswith("\n"), result.stderr
    assert result.stderr[:-1].isprintable(), result.stderr  # exactly one line, nothing unprintable
    return result.stderr[len("lint-canon: ") : -1]


def canon_tree(tmp_path: Path, canon: str | bytes) -> Path:
    target = tmp_path / "canon.yaml"
    target.write_bytes(canon if isinstance(canon, bytes) else canon.encode("utf-8"))
    (tmp_path / "app.py").write_text("import os\n")
    return tmp_path


def billion_laughs() -> str:
    lines = ["version: 1", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"


CANONS = [
    pytest.param(
        billion_laughs(),
        f"canon.yaml:6: e: more than {MAX_VALUES:,} values once aliases are expanded (an alias bomb?); "
        "write the values out, a canon needs far fewer",
        id="billion-laughs",
    ),
    pytest.param(
        "version: 1\nhubs: &x [*x]\n",
        "canon.yaml:2: hubs[0]: an alias refers to a value that contains it (a recursive anchor); remove it",
        id="recursive-sequence",
    ),
    pytest.param(
        "version: 1\nguard: &g {decorators: *g}\n",
        "canon.yaml:2: guard.decorators: an alias refers to a value that contains it (a recursive anchor); remove it",
        id="recursive-mapping",
    ),
    pytest.param(
        "version: 1\nhubs: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "canon.yaml:2: invalid YAML: exceeded maximum nesting depth",
        id="10000-nested-flow-sequences",
    ),
    pytest.param(
        "version: 1\nhubs: " + "{a: " * 10_000 + "b" + "}" * 10_000 + "\n",
        "canon.yaml:2: invalid YAML: exceeded maximum nesting depth",
        id="10000-nested-flow-mappings",
    ),
    pytest.param(
        "version: 1\nhubs: " + "[" * 200 + "]" * 200 + "\n",
        "canon.yaml:2: hubs" + "[0]" * 31 + "...: nested more than 64 levels deep; a canon needs four at most",
        id="200-nested-sequences",
    ),
    pytest.param(
        "version: 1\nguard:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(100)),
        "canon.yaml:66: guard.k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11.k12.k13.k14.k15.k16.k17.k18.k19.k20.k21.k22.k23.k24.k...: "
        "nested more than 64 levels deep; a canon needs four at most",
        id="100-nested-block-mappings",
    ),
    pytest.param(
        "version: " + "9" * 10_000 + "\n",
        "canon.yaml:1: version: cannot read '" + "9" * 76 + "... as a number: a number of more than "
        f"{sys.get_int_max_str_digits():,} digits; quote it to make it a string",
        id="10000-digit-integer",
    ),
    pytest.param(
        "version: 1\nhubs: [HUB-A, 2024-13-45]\n",
        "canon.yaml:2: hubs[1]: cannot read '2024-13-45' as a date: month must be in 1..12; "
        "quote it to make it a string",
        id="impossible-date",
    ),
    pytest.param(
        "version: !!python/object/apply:os.system ['touch pwned']\n",
        "canon.yaml:1: version: the tag !!python/object/apply:os.system is not allowed in the canon; remove it",
        id="python-object-tag",
    ),
    pytest.param(
        "version: 1\nhubs: [!!binary aGVsbG8=]\n",
        "canon.yaml:2: hubs[0]: the tag !!binary is not allowed in the canon; remove it",
        id="binary-tag",
    ),
    pytest.param(
        "version: 1\nhubs: !!set {a, b}\n",
        "canon.yaml:2: hubs: the tag !!set is not allowed in the canon; remove it",
        id="set-tag",
    ),
    pytest.param(
        "version: .nan\n",
        "canon.yaml:1: version: unsupported version nan; this lint-canon reads version 1",
        id="nan-version",
    ),
    pytest.param(
        "version: 1\nmax_file_size: .inf\n",
        "canon.yaml:2: max_file_size: expected a size such as 5MB or 1048576, got a number",
        id="infinite-size",
    ),
    pytest.param(
        "version: 1\nmax_file_size: -5\n",
        "canon.yaml:2: max_file_size: -5 is out of range; give between 1KiB and 1GiB",
        id="negative-size",
    ),
    pytest.param(
        "version: 1\nmax_file_size: 5XB\n",
        "canon.yaml:2: max_file_size: '5XB' is not a size; write a number of bytes or 512KB, 5MB, 2MiB",
        id="unknown-size-unit",
    ),
    pytest.param(
        "version: 1\nbase: &b {decorators: [a.b]}\nguard:\n  <<: *b\n",
        "canon.yaml:4: guard.<<: merge keys ('<<') are not supported; write the keys out",
        id="merge-key",
    ),
    pytest.param(
        "version: 1\n? [a, b]\n: 1\n",
        "canon.yaml:2: ?: keys must be strings",
        id="sequence-as-key",
    ),
    pytest.param(
        "version: 1\nhubs: [HUB-A\x07]\n",
        "canon.yaml:2: invalid YAML: character U+0007 is not allowed (special characters are not allowed)",
        id="control-character",
    ),
    pytest.param(
        'version: 1\n"hubs\\n\\u2028x": [A]\n',
        "canon.yaml:2: hubs\\n\\u2028x: unknown key; did you mean 'hubs'?",
        id="key-with-line-breaks",
    ),
    pytest.param(
        "# note\u2028\nversion: 1\nhub: [A]\n",
        "canon.yaml:3: hub: unknown key; did you mean 'hubs'?",
        id="line-separator-keeps-line-numbers",
    ),
    pytest.param(
        "version: 1\ntools:\n  - id: T1\n    vendor: v\n    tier: " + "X" * 100_000 + "\n",
        "canon.yaml:5: tools[0].tier: '" + "X" * 76 + "... is not one of TIER_0, TIER_1, TIER_2",
        id="huge-value-quoted-short",
    ),
    pytest.param(
        b"version: 1\nhubs: [\xff]\n",
        "canon.yaml:2: the canon is not UTF-8 text (byte 0xff); save it as UTF-8",
        id="not-utf8",
    ),
    pytest.param(
        "version: 1\n" + "#" * (MAX_CANON_SIZE + 1) + "\n",
        f"canon.yaml: the canon is too large ({MAX_CANON_SIZE + 13:,} bytes, at most {MAX_CANON_SIZE:,}); "
        "a canon needs a few kilobytes",
        id="too-large",
    ),
]


@pytest.mark.parametrize(("canon", "message"), CANONS)
def test_hostile_canon(tmp_path, canon, message):
    assert refused(canon_tree(tmp_path, canon)) == message


def test_alias_bomb_costs_neither_time_nor_memory(tmp_path):
    # Ten more levels than the CLI test: 10^19 values if expanded; refused after MAX_VALUES.
    levels = [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 20)]
    (tmp_path / "canon.yaml").write_text("version: 1\nl0: &l0 [x, x]\n" + "\n".join(levels) + "\n")
    with pytest.raises(ConfigError, match="more than 100,000 values"):
        load_canon(tmp_path / "canon.yaml")


def test_canon_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "canon.yaml")
    (tmp_path / "app.py").write_text("import os\n")
    assert refused(tmp_path) == "canon.yaml: the canon is a FIFO, not a regular file; name a canon.yaml file instead"


def test_canon_is_a_link_to_dev_zero(tmp_path):
    (tmp_path / "canon.yaml").symlink_to("/dev/zero")
    (tmp_path / "app.py").write_text("import os\n")
    assert refused(tmp_path) == (
        "canon.yaml: the canon is a character device, not a regular file; name a canon.yaml file instead"
    )


def test_config_option_names_dev_zero(tmp_path):
    (tmp_path / "app.py").write_text("import os\n")
    assert refused(tmp_path, "--config", "/dev/zero") == (
        f"{os.path.relpath('/dev/zero', tmp_path)}: the canon is a character device, not a regular file; "
        "name a canon.yaml file instead"
    )


def test_canon_folder_is_refused_not_skipped(tmp_path):
    # A canon.yaml that is not a file must not hand the folder's files to a parent's canon.
    (tmp_path / "canon.yaml").write_text("version: 1\n")
    (tmp_path / "svc" / "canon.yaml").mkdir(parents=True)
    (tmp_path / "svc" / "app.py").write_text("import os\n")
    assert (
        refused(tmp_path) == "svc/canon.yaml: the canon is a folder, not a regular file; name a canon.yaml file instead"
    )


# Each may hold [tool.lint-canon] (it spells lint-canon): the run cannot read its own settings and
# stops. One that cannot hold them is a dependency file like any other (tests/test_run_contracts.py).
PYPROJECTS = [
    pytest.param(
        'tool = "x"\n',
        "pyproject.toml:1: tool: expected a table, got a string; write it as a [tool] table",
        id="tool-is-a-string",
    ),
    pytest.param(
        '[project]\nname = "x"\n\n[tool]\nlint-canon = 3\n',
        "pyproject.toml:5: tool.lint-canon: expected a table, got a number; write [tool.lint-canon]",
        id="section-is-a-number",
    ),
    pytest.param(
        "# [tool.lint-canon] below\n[tool.black]\nx = " + "[" * 10_000 + "]" * 10_000 + "\n",
        "pyproject.toml:3: invalid TOML: arrays or inline tables nested too deeply",
        id="10000-nested-arrays",
    ),
    pytest.param(
        "# [tool.lint-canon] below\n[tool.black]\n\nx = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n",
        "pyproject.toml:4: invalid TOML: arrays or inline tables nested too deeply",
        id="10000-nested-inline-tables",
    ),
    pytest.param(
        "# [tool.lint-canon] below\n[tool.black]\nline-length = " + "9" * 10_000 + "\n",
        f"pyproject.toml:3: invalid TOML: a number of more than {sys.get_int_max_str_digits():,} digits",
        id="10000-digit-integer",
    ),
    pytest.param(
        '[tool.lint-canon]\nconfig = "canon.yaml"\nconifg = "x"\n',
        "pyproject.toml:3: tool.lint-canon.conifg: unknown key; known keys: config, exclude, ignore, per-file-ignores, select",
        id="unknown-key",
    ),
    pytest.param(
        b'[tool]\nlint-canon = {}\nx = "\xff"\n',
        "pyproject.toml:3: not UTF-8 text (byte 0xff); TOML is UTF-8",
        id="not-utf8",
    ),
    pytest.param(
        "#" * (6 * 1024 * 1024) + "\n",
        "pyproject.toml: cannot read: too large (6,291,457 bytes, at most 5,242,880)",
        id="too-large",
    ),
]


@pytest.mark.parametrize(("pyproject", "message"), PYPROJECTS)
def test_hostile_pyproject_on_the_canon_search(tmp_path, pyproject, message):
    root = canon_tree(tmp_path, "version: 1\n")
    target = root / "pyproject.toml"
    target.write_bytes(pyproject if isinstance(pyproject, bytes) else pyproject.encode("utf-8"))
    assert refused(root) == message


def test_pyproject_names_dev_zero(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.lint-canon]\nconfig = "/dev/zero"\n')
    (tmp_path / "app.py").write_text("import os\n")
    # outside the repository, before it is ever opened (a device inside it: not a regular file)
    assert refused(tmp_path).endswith(
        "tool.lint-canon.config: /dev/zero is outside the repository (.); name a canon.yaml inside it"
    )


def test_max_file_size_is_read(tmp_path):
    (tmp_path / "canon.yaml").write_text("version: 1\nmax_file_size: 2MiB\n")
    assert load_canon(tmp_path / "canon.yaml").max_file_size == 2 * 1024 * 1024
    (tmp_path / "canon.yaml").write_text("version: 1\nmax_file_size: 512KB\n")
    assert load_canon(tmp_path / "canon.yaml").max_file_size == 512_000
    (tmp_path / "canon.yaml").write_text("version: 1\n")
    assert load_canon(tmp_path / "canon.yaml").max_file_size == 5 * 1024 * 1024
