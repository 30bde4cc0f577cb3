"""A released migration is never edited: sql/checksums.txt records each file's sha256 (line ends
normalised, as the runner's ledger takes it), and every file of the plan must match it."""

from __future__ import annotations

from pathlib import Path

from lint_canon.db.migrations import checksum, load_plan
from tests.conftest import REPO

SQL = REPO / "sql"


def recorded(path: Path) -> dict[str, str]:
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {name: digest for digest, name in rows}


def test_every_migration_matches_its_recorded_checksum():
    plan = load_plan(SQL, own=True)
    sums = recorded(SQL / "checksums.txt")
    assert [m.name for m in plan.migrations] == list(sums), "sql/checksums.txt lists the plan's files, in order"
    changed = [
        f"{m.name}: sha256 {checksum(m.path.read_bytes())[:12]}, recorded {sums[m.name][:12]}"
        for m in plan.migrations
        if checksum(m.path.read_bytes()) != sums[m.name]
    ]
    assert changed == [], (
        "a released migration was edited (fix forward with a new file appended to plan.txt): " + "; ".join(changed)
    )


def test_an_edit_of_one_byte_is_refused(tmp_path):
    for name in [*(line for line in (SQL / "plan.txt").read_text().splitlines()), "checksums.txt"]:
        if name and not name.startswith(("#", "%")):
            (tmp_path / name).write_bytes((SQL / name).read_bytes())
    (tmp_path / "plan.txt").write_bytes((SQL / "plan.txt").read_bytes())
    third = tmp_path / "2026-02-02-error-ttl-jobs.sql"  # a file of migration 3
    third.write_bytes(third.read_bytes().replace(b"retention", b"retentioN", 1))
    sums = recorded(tmp_path / "checksums.txt")
    plan = load_plan(tmp_path, own=True)
    assert [m.name for m in plan.migrations if m.checksum != sums[m.name]] == [third.name]
    crlf = tmp_path / "2026-02-02-error-archive-tables.sql"  # a CRLF checkout is no edit
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    assert checksum(crlf.read_bytes()) == sums[crlf.name]
