"""``--fix`` on a generated corpus of 520 files (tests/fix_corpus.py), each holding a CANON301,
302 or 305 finding in another surrounding: afterwards every file compiles, ruff's import rules
(I, F) find nothing they did not find before, and a re-check finds nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from lint_canon.frontends.cli import main
from tests.fix_corpus import write_corpus

COUNT = 520
RUFF = Path(sys.executable).parent / "ruff"


def ruff(root: Path) -> Counter[tuple[str, str]]:
    """(file, code) of each finding of ruff's I and F rules."""
    result = subprocess.run(
        [str(RUFF), "check", "-q", "--no-cache", "--isolated", "--select", "I,F", "--output-format", "concise", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return Counter(re.findall(r"^(\S+?):\d+:\d+: (\S+)", result.stdout, re.MULTILINE))


def test_every_fixed_file_compiles_keeps_its_imports_clean_and_is_clean(tmp_path, monkeypatch, capsys):
    written = write_corpus(tmp_path, COUNT)
    assert len({combination for _, combination in written}) == COUNT  # no two alike
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-cache", "--exit-zero", "--format", "json"]) == 0
    before = Counter(re.findall(r'"code": "(CANON\d+)"', capsys.readouterr().out))
    assert before == {"CANON301": 371, "CANON302": 75, "CANON305": 74}
    imports_before = ruff(tmp_path)

    assert main(["check", "--no-cache", "--fix", "--unsafe-fixes"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"lint-canon: fixed {COUNT} findings in {COUNT} files\n")

    for path, combination in written:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)  # raises on a broken file
        assert path.read_bytes() != b"", combination
    assert ruff(tmp_path) - imports_before == Counter()
    assert main(["check", "--no-cache"]) == 0
    assert capsys.readouterr() == ("", "")
