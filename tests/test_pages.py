"""The HTML pages, seen in a real browser (headless Chromium over the DevTools protocol,
tests/browser.py): `lint-canon inventory --format html` and `lint-canon sql report --format html`
open with no console error and nothing refused, at 375 and 1440 pixels wide without a
horizontal scroll bar; the rendered DOM holds the figures the test computes from what it wrote;
a screenshot of each width is written beside the page and its size checked."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, png_size
from tests.conftest import run_cli

WIDTHS = (375, 1440)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    opened = Browser()
    try:
        yield opened
    finally:
        opened.close()


def figures(browser: Browser) -> dict[str, str]:
    """Every ``data-figure`` of the rendered page and its text."""
    found: dict[str, str] = json.loads(
        browser.evaluate(
            "JSON.stringify(Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
            ".map(e => [e.dataset.figure, e.textContent.trim()])))"
        )
    )
    return found


def seen(browser: Browser, page: Path) -> dict[str, str]:
    """The page at both widths: no problem, no horizontal scroll, a screenshot each; its figures."""
    found: dict[str, str] = {}
    for width in WIDTHS:
        browser.events.clear()
        browser.open(page, width)
        assert browser.problems() == []
        assert browser.evaluate("document.documentElement.scrollWidth") == width
        # Every chart has its figures in a table under it (read without the picture).
        assert browser.evaluate(
            "[...document.querySelectorAll('figure')].every(f => f.parentElement.querySelector('table, p.empty'))"
        )
        shot = browser.screenshot(page.with_name(f"{page.stem}-{width}.png"))
        assert png_size(shot)[0] == width and len(shot) > 20_000
        found = figures(browser)
    return found


# --- inventory --------------------------------------------------------------------------------

CANON = """version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-001
    vendor: acme
    hubs: [HUB-A]
    interactions: [READ]
    hosts: [api.acme.com]
banned:
  - reason: "contract ended"
    modules: [clearbit]
    hosts: ["*.clearbit.com"]
"""
FILES = {
    "services/billing/pay.py": 'import requests\n\n\ndef pay():\n    requests.post("https://api.acme.com/pay", timeout=3)\n'
    '    requests.get("https://api.acme.com/status", timeout=3)\n',
    "services/search/find.py": "import clearbit\nimport requests\n\n\ndef find(d):\n"
    '    return requests.get("https://api.acme.com/q", timeout=3)\n',
    "services/search/other.py": 'import requests\n\n\ndef other():\n    return requests.get("https://api.other-vendor.io/x", timeout=3)\n',
}


def test_the_inventory_page_shows_each_vendor_by_service_with_links_to_its_places(tmp_path, browser):
    (tmp_path / "canon.yaml").write_text(CANON)
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    out = tmp_path / "pages" / "inventory.html"
    out.parent.mkdir()
    result = run_cli(tmp_path, "inventory", "--format", "html", "-o", str(out), "services")
    assert (result.returncode, result.stderr) == (0, "")
    # What the files hold: acme 3 requests (2 in billing, 1 in search), clearbit an import in
    # search, other-vendor.io 1 request in search.
    found = seen(browser, out)
    assert {k: v for k, v in found.items() if k.startswith(("uses:", "total:"))} == {
        "uses:acme:billing": "2",
        "uses:acme:search": "1",
        "total:acme": "3",
        "uses:clearbit:billing": "",
        "uses:clearbit:search": "1",
        "total:clearbit": "1",
        "uses:other-vendor:billing": "",
        "uses:other-vendor:search": "1",
        "total:other-vendor": "1",
    }
    assert (found["vendors"], found["registered"], found["unregistered"], found["banned"]) == ("3", "1", "1", "1")
    # Each count links to its places; each place links to its file, relative to the page.
    browser.open(out, 1440)
    targets = browser.evaluate(
        "[...document.querySelectorAll('table a')].map(a => document.getElementById(a.hash.slice(1)) !== null)"
    )
    assert targets == [True] * 4  # acme twice, clearbit, other-vendor
    places = browser.evaluate("[...document.querySelectorAll('ul.places a')].map(a => a.getAttribute('href'))")
    assert sorted(set(places)) == [
        "../services/billing/pay.py",
        "../services/search/find.py",
        "../services/search/other.py",
    ]
    assert all((out.parent / place).is_file() for place in places)


# --- governance ---------------------------------------------------------------------------


def test_the_governance_page_shows_the_state_it_is_given(tmp_path, browser):
    from lint_canon.db.report import (
        Blocker,
        DayCount,
        GovernanceState,
        HubState,
        JobRun,
        StatusCounts,
        TableState,
        TierCount,
        ViolationCount,
    )
    from lint_canon.db.report_page import render_html

    people = StatusCounts(live=12, retry=3, parked=4, escalated=1, archived=40)
    dol = StatusCounts(live=2, retry=0, parked=1, escalated=0, archived=5)
    state = GovernanceState(
        tables=(
            TableState("outreach.people_errors", "HUB-PEOPLE", people),
            TableState("outreach.dol_errors", "HUB-DOL", dol),
        ),
        hubs=(HubState("HUB-PEOPLE", people), HubState("HUB-DOL", dol)),
        days=tuple(DayCount(datetime.date(2026, 12, d), d % 3, d % 2) for d in range(1, 6)),
        runs=(
            JobRun("archive", "daily", datetime.datetime(2026, 12, 5, 3), 1.25, 40, 0, 0, 0, "done"),
            JobRun("cleanup", "weekly", datetime.datetime(2026, 12, 1, 4), 0.5, 0, 0, 0, 7, "done"),
        ),
        tiers=(TierCount("tier 0", 100), TierCount("tier 1", 60), TierCount("tier 2", 12)),
        blockers=(Blocker("E-PEOPLE-404", 9, "outreach-17"), Blocker("V-SCOPE-001", 3, "outreach-4")),
        violations=(ViolationCount("TOOL-012", "HUB-DOL", "V-SCOPE-001", 3),),
    )
    page = tmp_path / "report.html"
    page.write_text(
        render_html(state, "postgresql://localhost/test", datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC))
    )
    found = seen(browser, page)
    assert found["total:live"] == "14" and found["total:archived"] == "45" and found["tables"] == "2"
    assert found["parked:outreach.people_errors"] == "4" and found["live:HUB-DOL"] == "2"
    assert [found[f"tier:tier {n}"] for n in range(3)] == ["100", "60", "12"]
    assert (found["blocker:E-PEOPLE-404"], found["example:E-PEOPLE-404"]) == ("9", "outreach-17")
    assert found["violations:TOOL-012:HUB-DOL:V-SCOPE-001"] == "3"
    assert found["cleaned:cleanup:weekly"] == "7"
    assert [found[f"parked:2026-12-0{d}"] for d in range(1, 6)] == ["1", "2", "0", "1", "2"]


def test_the_inventory_page_of_the_sample_repository_holds_the_figures_of_its_json(tmp_path, browser):
    """The README's page: fixtures/outreach_repo. Its figures, counted here from the JSON
    inventory's locations (module and host uses, by the folder below outreach/), are the page's."""
    sample = Path(__file__).resolve().parent.parent / "fixtures" / "outreach_repo"

    def inventory(*args: str) -> str:
        result = run_cli(sample, "inventory", *args)
        assert (result.returncode, result.stderr) == (0, "")
        return result.stdout

    data = json.loads(inventory("--format", "json"))
    expected: dict[str, str] = {}
    for vendor in data["vendors"]:
        places = {
            (loc["path"], loc["line"], loc["col"], loc["use"])
            for item in (*vendor["modules"], *vendor["hosts"])
            for loc in item["locations"]
        }
        for path, *_ in places:
            key = f"uses:{vendor['vendor']}:{path.split('/')[1]}"
            expected[key] = str(int(expected.get(key, "0")) + 1)
        expected[f"total:{vendor['vendor']}"] = str(len(places))
    page = tmp_path / "inventory.html"
    inventory("--format", "html", "-o", str(page))
    found = seen(browser, page)
    assert {k: v for k, v in found.items() if k.startswith(("uses:", "total:")) and v} == expected
    banned = sum(1 for v in data["vendors"] if v["banned"])
    registered = sum(1 for v in data["vendors"] if v["tools"] and not v["banned"])
    assert (found["vendors"], found["banned"], found["registered"]) == (
        str(len(data["vendors"])),
        str(banned),
        str(registered),
    )
    assert found["files"] == str(data["files"]) == "16"


def test_a_place_links_to_its_file_as_a_path_never_as_a_scheme(tmp_path, monkeypatch):
    from lint_canon.adoption.page import place_link

    monkeypatch.chdir(tmp_path)
    assert place_link("javascript:alert(1).py", ".") == "./javascript%3Aalert%281%29.py"
    assert place_link("svc/a#b?c%.py", "out") == "../svc/a%23b%3Fc%25.py"
