"""`lint-canon sql report` end to end: a database seeded with known rows (the rows of
tests/test_sql_report_data.py's ``populate``), the summary on the terminal and the HTML page in
a real browser, with the figures those rows give in the rendered DOM; and the same report from
a role with only the documented SELECT grants."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.browser import Browser
from tests.conftest import run_cli
from tests.test_pages import seen
from tests.test_sql_report_data import populate


def sql_report(db_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, "sql", "report", "--database-url", db_url, *args)


def test_the_report_of_a_seeded_database_on_the_terminal_and_in_a_browser(db, db_url, tmp_path):
    made = populate(db)
    a, b = str(made["a"]), str(made["b"])
    text = sql_report(db_url, tmp_path)
    assert (text.returncode, text.stderr) == (0, "")
    lines = text.stdout.splitlines()
    assert lines[1] == "error rows: 2 settled, 6 retry, 4 parked, 3 escalated, 5 archived in 6 tables"
    assert ["outreach.dol_errors", "1", "3", "1", "2", "3"] in [line.split() for line in lines]
    assert (
        f"top blocking codes (outreach ids): EIN_NOT_FOUND 2 (e.g. {min(a, b)}), V-SCOPE-001 2 (e.g. {min(a, b)}), TIMEOUT 1 (e.g. {a}), V-AUTH-002 1 (e.g. {a})"
        in lines
    )

    page = tmp_path / "governance.html"
    html = sql_report(db_url, tmp_path, "--format", "html", "-o", str(page))
    assert (html.returncode, html.stdout, html.stderr) == (0, f"wrote {page}\n", "")
    # The page names the database, not where its server runs (it travels as a CI artefact).
    written = page.read_text()
    assert f"lint-canon sql report; database {db.info.dbname}; " in written and "host=" not in written
    browser = Browser()
    try:
        found = seen(browser, page)
    finally:
        browser.close()
    # Sums over the tables (dol 1/3/1/2/3, people 1/1/0/1/1, the error log's 1 retry, the guard's
    # 1 retry, 3 parked, 1 archived). dol_errors: 7 settled; 1, 2, 3 retry; 4 parked; 5, 6 escalated; 100, 102, 8 archived
    assert [found[f"{s}:outreach.dol_errors"] for s in ("live", "retry", "parked", "escalated", "archived")] == [
        "1",
        "3",
        "1",
        "2",
        "3",
    ]
    assert found["parked:HUB-DOL"] == "3" and found["escalated:HUB-PEOPLE"] == "1"
    assert [
        found[f"tier:{t}"]
        for t in ("TIER_3_CAMPAIGN_READY", "TIER_2_ENRICHMENT_COMPLETE", "TIER_1_MARKETING_READY", "NOT_READY")
    ] == ["1", "1", "2", "1"]
    assert (found["blocker:EIN_NOT_FOUND"], found["example:EIN_NOT_FOUND"]) == ("2", min(a, b))
    assert found["violations:TOOL-008:HUB-DOL:V-SCOPE-001"] == "2"
    assert found["cleaned:cleanup_expired_archives:weekly"] == "1"
    assert found["escalated:2026-02-28"] == "2" and found["parked:2026-03-01"] == "4"
    assert found["total:archived"] == "5" and found["tables"] == "6"
