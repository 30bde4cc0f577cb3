"""The prefilter can never change an answer. For every rule code selected alone and for all of
them together, the findings with and without the prefilter are identical over the test corpus,
the sample repository, every rule page's examples and a generated set of spellings
(tests/spellings.py); and ``--select C`` gives exactly the C findings of a full run."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from lint_canon.analysis.values import Known
from lint_canon.analysis.vendors import host_of
from lint_canon.engine.checker import Checker
from lint_canon.engine.runner import check_run
from lint_canon.engine.suppressions import Selection
from lint_canon.output.codes import implemented_codes
from lint_canon.output.findings import Finding
from lint_canon.rules.unregistered_api_key import SECRET_NAME, SECRET_SUFFIXES
from lint_canon_guard.config import load_canon
from lint_canon_guard.hosts import host_matches
from tests import spellings as generated
from tests.conftest import REPO
from tests.test_rule_docs import PAGES, examples

ALL = "CANON"
SELECTIONS = (ALL, *implemented_codes())
CORPORA = ("corpus", "fixtures", "rule-pages", "spellings")


def _canon_folders(top: Path) -> list[Path]:
    """The folder of every canon.yaml under ``top`` (each is checked with its own canon, as
    ``lint-canon check`` finds it)."""
    folders = sorted(canon.parent for canon in top.rglob("canon.yaml"))
    governed = {p.resolve() for folder in folders for p in folder.rglob("*.py")}
    stray = [p for p in sorted(top.rglob("*.py")) if p.resolve() not in governed]
    assert not stray, f"Python files under {top} that no canon governs: {stray}"
    return folders


def _rule_page_folders(folder: Path) -> list[Path]:
    """Each example of each rule page in a folder of its own, with the page's canon (as
    tests/test_rule_docs.py runs them)."""
    folders = []
    for page in PAGES:
        canon_text, blocks = examples(page)
        for i, (_, files) in enumerate(blocks):
            block = folder / page.stem / f"example{i}"
            for name, body in files:
                target = block / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body)
            (block / "canon.yaml").write_text(canon_text)
            folders.append(block)
    return folders


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    pages = tmp_path_factory.mktemp("rule_pages")
    spelled = tmp_path_factory.mktemp("spellings")
    generated.write_spellings(spelled)
    return {
        "corpus": _canon_folders(REPO / "tests" / "corpus"),
        "fixtures": _canon_folders(REPO / "fixtures"),
        "rule-pages": _rule_page_folders(pages),
        "spellings": [spelled],
    }


Run = Callable[[str, str, bool], list[Finding]]


@pytest.fixture(scope="module")
def run(corpora: dict[str, list[Path]]) -> Run:
    """The findings of one corpus for one selection, with or without the prefilter: what
    ``lint-canon check --select CODE FOLDER...`` finds (each run once per module)."""
    done: dict[tuple[str, str, bool], list[Finding]] = {}

    def check(corpus: str, select: str, prefilter: bool) -> list[Finding]:
        key = (corpus, select, prefilter)
        if key not in done:
            result = check_run(corpora[corpus], Selection((select,)), jobs=1, use_prefilter=prefilter)
            done[key] = sorted(result.findings)
        return done[key]

    return check


def _brief(findings: list[Finding]) -> list[str]:
    return [f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in findings]


@pytest.mark.parametrize("select", SELECTIONS)
@pytest.mark.parametrize("corpus", CORPORA)
def test_findings_are_the_same_without_the_prefilter(run: Run, corpus: str, select: str):
    with_prefilter = _brief(run(corpus, select, True))
    without = _brief(run(corpus, select, False))
    stopped = sorted(set(without) - set(with_prefilter))
    assert not stopped, "the prefilter stopped files with findings:\n" + "\n".join(stopped)
    assert with_prefilter == without


def _select_cases() -> list[object]:
    cases: list[object] = []
    for corpus in CORPORA:
        for code in implemented_codes():
            cases.append(pytest.param(corpus, code))
    return cases


@pytest.mark.parametrize(("corpus", "code"), _select_cases())
def test_select_gives_exactly_the_lines_of_a_full_run(run: Run, corpus: str, code: str):
    full = [f for f in _brief(run(corpus, ALL, True)) if f.split(": ", 1)[1].startswith(code + " ")]
    assert _brief(run(corpus, code, True)) == full


def test_the_corpora_are_not_vacuous(run: Run):
    """Every code a rule over Python files can report is reported somewhere in the corpora."""
    codes = {f.code for corpus in CORPORA for f in run(corpus, ALL, True)}
    assert codes >= {"CANON101", "CANON201", "CANON202", "CANON203", "CANON301", "CANON302", "CANON303"}
    assert codes >= {"CANON304", "CANON305", "CANON901", "CANON902"}


# --- the generated spellings --------------------------------------------------------------

SPELLINGS = generated.spellings()
READY = [s for s in SPELLINGS if not s.pending]
PENDING = [s for s in SPELLINGS if s.pending]


def _codes_by_file(findings: list[Finding]) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for finding in findings:
        codes.setdefault(Path(finding.path).stem, set()).add(finding.code)
    return codes


def test_every_spelling_is_reported_without_the_prefilter(run: Run):
    """The spellings hold what they say they hold: else the differential would prove nothing."""
    codes = _codes_by_file(run("spellings", ALL, False))
    silent = [
        f"{s.name}: {s.data!r} gives {sorted(codes.get(s.name, ()))}, not {s.code}"
        for s in READY
        if s.code not in codes.get(s.name, ())
    ]
    assert not silent, "\n".join(silent)


def test_every_writing_is_tried():
    assert len(READY) > 300
    for label in generated.WRITINGS:
        assert sum(s.name.endswith("_" + label) for s in READY) >= 20, label


@pytest.fixture(scope="module")
def spelling_checker(tmp_path_factory: pytest.TempPathFactory) -> Checker:
    folder = tmp_path_factory.mktemp("pending")
    (folder / "canon.yaml").write_text(generated.CANON)
    return Checker(load_canon(folder / "canon.yaml"))


@pytest.mark.parametrize("spelling", PENDING, ids=lambda s: f"{s.name}-{s.pending}")
def test_the_prefilter_lets_through_spellings_the_engine_is_learning(spelling_checker: Checker, spelling):
    """``from m import *``, ``lazy import`` and NFKC names: the prefilter lets them through
    whether or not the rules report them yet."""
    assert spelling_checker.may_hold_finding(spelling.data)


@pytest.mark.parametrize("spelling", PENDING, ids=lambda s: f"{s.name}-{s.pending}")
def test_star_lazy_and_nfkc_spellings_are_reported(run: Run, spelling):
    codes = _codes_by_file(run("spellings", ALL, False)).get(spelling.name, set())
    assert spelling.code in codes, spelling.data


# --- the tables the needles are made from ---------------------------------------------------


def test_the_secret_suffixes_are_the_ones_the_rule_page_lists():
    page = (REPO / "rules" / "CANON203.md").read_text()
    listed = re.search(r"## What it does\n(.*?)\n\n", page, re.DOTALL)
    assert listed is not None
    assert set(re.findall(r"`_([A-Z_]+)`", listed.group(1))) == set(SECRET_SUFFIXES)
    for suffix in SECRET_SUFFIXES:
        assert SECRET_NAME.search(f"ACME_{suffix}") and SECRET_NAME.search(f"acme_{suffix.lower()}")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://API.Hunter.IO/v2", "api.hunter.io"),
        ("HTTPS://api.hunter.io./v2", "api.hunter.io"),
        ("https://user@API.HUNTER.IO.:443/", "api.hunter.io"),
        ("https://api.\uff48unter.io/v2", "api.hunter.io"),
        ("https://api\uff0ehunter\u3002io/v2", "api.hunter.io"),
    ],
)
def test_hosts_are_compared_as_dns_compares_them(url: str, host: str):
    assert host_of(Known(url, True)) == host
    assert host_matches("API.Hunter.IO.", "api.hunter.io")
    assert host_matches("Person.ClearBit.com", "*.CLEARBIT.com.")
    assert not host_matches("notclearbit.com", "*.clearbit.com")


# --- relative imports inside a package ------------------------------------------------------

RELATIVE_CANON = """\
version: 1
hubs: [HUB-A]
banned:
  - reason: "legacy is frozen"
    modules: [myapp.legacy, myapp.util.helper]
"""
# file -> (source, whether it imports or spells a banned name)
RELATIVE = {
    "myapp/__init__.py": ("from .legacy import x\n", True),
    "myapp/legacy/__init__.py": ("", False),
    "myapp/legacy/deep.py": ("from . import old\n", True),  # myapp.legacy.old: inside the ban
    "myapp/util.py": ("def helper():\n    return 1\n", False),
    "myapp/sub/__init__.py": ("", False),
    "myapp/sub/a.py": ("from ..legacy import x\n", True),
    "myapp/sub/b.py": ("from .. import legacy\n", True),
    "myapp/sub/c.py": ("from ..legacy.deep import y\n", True),
    "myapp/sub/d.py": ("from .. import util\n\nutil.helper()\n", True),
    "myapp/sub/e.py": ("from ..util import helper\n", True),
    "myapp/sub/f.py": ("from ..util import (\n    helper as h,  # the old one\n)\n", True),
    "myapp/sub/g.py": ("from ..util import \\\n    helper\r\n", True),
    "myapp/sub/h.py": ("from .legacy import x\n", False),  # myapp.sub.legacy: another module
    "myapp/sub/i.py": ("from ... import legacy\n", False),  # climbs out of the package
    "myapp/sub/j.py": ("from .. import util\n\nutil.other()\n", False),
    "myapp/sub/k.py": ("from ..util import other\n\nother.helper()\n", False),
    "myapp/sub/l.py": ("from ..legacy import *\n", True),
    "myapp/sub/n.py": ("from ..util import *\n\nhelper()\n", True),
    "loose/m.py": ("from .legacy import x\n", False),  # no package: a relative import imports nothing
    # inside an HTTP library's own package: a call through one of its tables' names, or not
    "httpx/__init__.py": ("", False),
    "httpx/_api.py": ('from . import Client\n\nClient().get("https://api.vendor.example.org/x")\n', True),
    "httpx/_models.py": ('from ._client import Client\n\nClient().get("https://api.vendor.example.org/x")\n', False),
}


def test_relative_imports_the_prefilter_lets_through_what_may_hold_a_finding(tmp_path: Path):
    for name, (source, _) in RELATIVE.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.encode())
    (tmp_path / "canon.yaml").write_text(RELATIVE_CANON)
    found = {}
    for prefilter in (True, False):
        result = check_run([tmp_path], Selection(("CANON101", "CANON201")), jobs=1, use_prefilter=prefilter)
        found[prefilter] = _brief(sorted(result.findings))
    assert found[True] == found[False]
    reported = {Path(line.split(":", 1)[0]).relative_to(tmp_path).as_posix() for line in found[True]}
    assert reported == {name for name, (_, banned) in RELATIVE.items() if banned}
    # The prefilter itself: a file whose relative imports reach no banned name is not parsed.
    checker = Checker(load_canon(tmp_path / "canon.yaml"), Selection(("CANON101", "CANON201")))
    passed = {
        name
        for name in RELATIVE
        if checker.may_hold_finding((tmp_path / name).read_bytes(), checker.package_of(tmp_path / name))
    }
    assert passed == {name for name, (_, banned) in RELATIVE.items() if banned}
