"""The README's two pictures, made, not drawn: `lint-canon inventory --format html` on the sample
repository (fixtures/outreach_repo) and `lint-canon sql report --format html` on a database with
the reference schema and the migrations, seeded with the rows the report's tests use
(tests/test_sql_report_data.py `populate`, on a throwaway embedded server); each page opened in
headless Chromium at 1440 pixels and captured.

    .venv/bin/python scripts/screenshots.py        # writes docs/inventory.png and docs/governance.png

Needs the test extras (`bash scripts/test.sh` installs them) and Chromium (scripts/browser.sh).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser import Browser  # noqa: E402
from tests.pg import Databases, start_server  # noqa: E402

DOCS = REPO / "docs"
WIDTH = 1440


def lint_canon(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "lint_canon", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def capture(page: Path, target: Path, browser: Browser) -> None:
    browser.open(page, WIDTH)
    assert browser.problems() == [], browser.problems()
    data = browser.screenshot(target)
    print(f"{target.relative_to(REPO)}: {len(data):,} bytes")


def main() -> int:
    import psycopg

    from tests.test_sql_report_data import populate

    DOCS.mkdir(exist_ok=True)
    browser = Browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            inventory = work / "inventory.html"
            lint_canon("inventory", "--format", "html", "-o", str(inventory), cwd=REPO / "fixtures" / "outreach_repo")
            capture(inventory, DOCS / "inventory.png", browser)

            url, server = start_server(work)
            try:
                databases = Databases(url)
                db_url = databases.create()
                with psycopg.connect(db_url, autocommit=True) as conn:
                    populate(conn)
                governance = work / "governance.html"
                lint_canon(
                    "sql", "report", "--format", "html", "-o", str(governance), "--database-url", db_url, cwd=work
                )
                capture(governance, DOCS / "governance.png", browser)
            finally:
                if server is not None:
                    server.cleanup()  # type: ignore[attr-defined]
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
