"""CANON101 line for line beside ruff's TID251 (banned-api), given the same bans, on the speed
corpus of ``lint_corpus.py``.

    python benchmarks/tid251_agreement.py

Runs ``lint-canon check --select CANON101`` and ``ruff check --select TID251`` on the same
files with the same bans (``lint_corpus.BANS``), and prints the lines only one of them reports,
each with the reason for the difference when it is a known one:

- dynamic imports (``importlib.import_module("x")``, ``__import__("x")``): lint-canon only;
- imports under ``if TYPE_CHECKING:``: ruff reports them, lint-canon only with
  ``type_checking_imports: flag`` (they never run);
- uses of a name after its banned import was reported: ruff reports each use, lint-canon the
  import once (a use through another alias is reported).

A benchmark, not a test: it downloads the corpus as ``lint_corpus.py`` does, and needs ruff
(``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lint_corpus  # noqa: E402  (the corpus, its bans and configurations)


def lint_canon_lines(corpus: Path, work: Path) -> dict[tuple[str, int], str]:
    lint_canon = str(Path(sys.executable).parent / "lint-canon")
    out = subprocess.run(
        [lint_canon, "check", "--config", str(work / "canon.yaml"), "--select", "CANON101", "--format", "json"]
        + ["--no-cache", "--exit-zero", str(corpus)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {(Path(f["path"]).resolve().as_posix(), f["line"]): f["message"] for f in json.loads(out)["findings"]}


def ruff_lines(corpus: Path, work: Path) -> dict[tuple[str, int], str]:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        raise SystemExit("ruff is not installed: pip install -e '.[bench]'")
    out = subprocess.run(
        [ruff, "check", "--no-cache", "--config", str(work / "ruff.toml"), "--output-format", "json"]
        + ["--exit-zero", str(corpus)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {(Path(f["filename"]).resolve().as_posix(), f["location"]["row"]): f["message"] for f in json.loads(out)}


def reason(path: str, line: int, only_in: str) -> str:
    """Why a line is reported by one tool only, when the source line shows a known cause."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[line - 1]
    except (OSError, IndexError):
        return "?"
    if only_in == "lint-canon" and re.search(r"import_module\(|__import__\(", text):
        return "dynamic import (ruff does not read import_module / __import__)"
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[: line - 1]
    guarded = any(re.match(r"\s*if\s+(typing\.)?TYPE_CHECKING\s*:", previous) for previous in lines[-40:])
    if only_in == "ruff" and guarded and re.match(r"\s+(from|import)\s", text):
        return "under if TYPE_CHECKING: (never runs; lint-canon reports it with type_checking_imports: flag)"
    if only_in == "ruff" and not re.match(r"\s*(from|import)\s", text):
        return "a use of a name whose banned import lint-canon reported once"
    return "unexplained"


def main() -> int:
    corpus = lint_corpus.corpus()  # downloaded once, into benchmarks/.cache/
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lint_corpus.write_configs(work)
        ours = lint_canon_lines(corpus, work)
        theirs = ruff_lines(corpus, work)
    both = set(ours) & set(theirs)
    print(f"CANON101 lines: {len(ours)}; TID251 lines: {len(theirs)}; on both: {len(both)}")
    unexplained = 0
    for only_in, lines in (("lint-canon", set(ours) - set(theirs)), ("ruff", set(theirs) - set(ours))):
        print(f"\nonly {only_in} ({len(lines)}):")
        for path, line in sorted(lines):
            why = reason(path, line, only_in)
            unexplained += why == "unexplained"
            shown = Path(path).relative_to(corpus.resolve()).as_posix()
            print(f"  {shown}:{line}  {why}")
    print(f"\nunexplained differences: {unexplained}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
