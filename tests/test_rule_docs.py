"""Every page in rules/ is a test: a "fires" block gives exactly its code, on exactly the lines
marked ``# CODE``; a "clean" block gives nothing. The docs cannot drift from the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lint_canon.engine.checker import Checker
from lint_canon.output.codes import catalogue, implemented_codes
from lint_canon.output.docs import rule_doc, rules_folder
from lint_canon_guard.config import load_canon
from tests.conftest import REPO, check_paths

FENCE = re.compile(r"^```(\w+) (canon|fires\+?|clean\+?)(?: (\S+))?\n(.*?)^```$", re.MULTILINE | re.DOTALL)
DEFAULT_NAMES = {
    "python": "example.py",
    "text": "requirements.txt",
    "toml": "pyproject.toml",
    "markdown": "DONE_STATE_DEFINITIONS.md",
    "sql": "sql/checkers.sql",
}
# A marker comment: `# CODE` in Python, requirements and TOML, `-- CODE` in SQL, `<!-- CODE -->` in Markdown.
MARK = r"(?:#|--|<!--).*\b{code}\b"
PAGES = sorted((REPO / "rules").glob("CANON*.md"))


def examples(page: Path) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """The page's canon, and its examples: (fires|clean, [(file name, text), ...]). A block
    marked `fires+` / `clean+` adds a file to the example before it."""
    canon = None
    blocks: list[tuple[str, list[tuple[str, str]]]] = []
    for lang, kind, name, body in FENCE.findall(page.read_text()):
        if kind == "canon":
            canon = body
        elif kind.endswith("+"):
            blocks[-1][1].append((name or DEFAULT_NAMES[lang], body))
        else:
            blocks.append((kind, [(name or DEFAULT_NAMES[lang], body)]))
    assert canon is not None, f"{page.name} has no ```yaml canon block"
    assert any(kind == "fires" for kind, _ in blocks), f"{page.name} has no example that fires"
    assert any(kind == "clean" for kind, _ in blocks), f"{page.name} has no example that does not fire"
    return canon, blocks


def test_every_implemented_code_has_a_page_and_no_page_is_orphaned():
    assert sorted(p.stem for p in PAGES) == sorted(implemented_codes())
    for page in PAGES:
        code = page.stem
        assert page.read_text().startswith(f"# {code} {catalogue()[code].name}\n")
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options"):
            assert heading in page.read_text(), f"{page.name} lacks {heading}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_examples(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    code = page.stem
    canon_text, blocks = examples(page)
    monkeypatch.chdir(tmp_path)
    for i, (kind, files) in enumerate(blocks):
        # Each example gets a folder of its own with the page's canon, so that allow_in globs see
        # the file names the page shows.
        folder = tmp_path / f"example{i}"
        for name, body in files:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
        (folder / "canon.yaml").write_text(canon_text)
        checker = Checker(load_canon(folder / "canon.yaml"))
        found = check_paths(checker, [folder])
        if kind == "clean":
            assert found == [], f"{page.name} block {i} should not fire: {found}"
            continue
        marked = {
            (name, n)
            for name, body in files
            for n, line in enumerate(body.splitlines(), 1)
            if re.search(MARK.format(code=code), line)
        }
        assert marked, f"{page.name} block {i} marks no line with {code}"
        assert {f.code for f in found} == {code}, f"{page.name} block {i}: {found}"
        assert {(Path(f.path).relative_to(Path(f"example{i}")).as_posix(), f.line) for f in found} == marked


def test_pages_ship_with_the_package():
    assert rules_folder().is_dir()
    assert rule_doc("CANON101").startswith("# CANON101 banned-import")
    assert rule_doc("CANON999") is None
