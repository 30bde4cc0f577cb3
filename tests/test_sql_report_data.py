"""The data of `lint-canon sql report` (lint_canon/db/report.py): on known error rows, archives,
guard violations, outreach ids and job runs, every figure of the governance state is the one
the rows give; the last run of a job is read from the log; the top-N lists and days are cut;
and a role with only the grants of the module's docstring reads the same state."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from lint_canon.db import report
from lint_canon.db.report import (
    Blocker,
    DayCount,
    HubState,
    StatusCounts,
    TableState,
    TierCount,
    ViolationCount,
    governance_state,
)
from tests.test_sql_promotion import ALL_DONE, make

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ZERO = StatusCounts(0, 0, 0, 0, 0)


def add(db, table: str, error_id: int, age: timedelta, **columns) -> None:
    """A live error row created ``age`` before NOW."""
    columns = {"failure_code": "X", "created_at": NOW - age, **columns}
    names = ", ".join(["error_id", *columns])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", (error_id, *columns.values()))


def add_archived(db, table: str, error_id: int, expires: datetime, **columns) -> None:
    """A row of ``table``'s archive, archived a month before NOW, deleted by the weekly cleanup
    after ``expires``."""
    columns = {
        "failure_code": "X",
        "created_at": NOW - 60 * DAY,
        "retry_count": 0,
        "max_retries": 3,
        "escalation_level": 0,
        "ttl_tier": "MEDIUM",
        "retry_exhausted": False,
        "disposition": "ARCHIVED",
        "final_disposition": "RETRY",
        "archived_at": NOW - 30 * DAY,
        "retention_expires_at": expires,
        **columns,
    }
    names = ", ".join(["error_id", *columns])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    db.execute(f"INSERT INTO {table}_archive ({names}) VALUES ({marks})", (error_id, *columns.values()))


def violation(disposition: str, hub: str, code: str, tool: str, outreach_id=None) -> dict:
    """A guard violation record as the guard's PostgreSQL sink sends it, three hours before NOW."""
    return {
        "code": code,
        "severity": "HIGH",
        "disposition": disposition,
        "tool_id": tool,
        "hub_id": hub,
        "interaction": "ENRICH",
        "function": "app.enrich.find_people",
        "outreach_id": None if outreach_id is None else str(outreach_id),
        "occurred_at": (NOW - timedelta(hours=3)).isoformat(),
        "message": "refused",
    }


def record(db, *records: dict) -> None:
    db.execute("SELECT shq.fn_record_guard_violations(%s::jsonb)", (json.dumps(list(records)),))


def populate(db) -> dict:
    """The rows of the state the tests read, then a daily and a weekly run at NOW. Returns the
    outreach ids a and b (blocked) and the database's clock before and after the runs."""
    # dol_errors shows its failure codes with its blocking errors (a guard V-code table does anyway).
    db.execute("SELECT shq.fn_govern_error_table('outreach.dol_errors', p_code_column => 'failure_code')")
    make(db, "ready", **ALL_DONE)  # tier 3
    make(db, "complete", **{**ALL_DONE, "verified": 2})  # tier 2
    make(db, "marketing", ct={})  # tier 1
    a = make(db, "a", **ALL_DONE)  # blocked on Company Target by a guard RETRY: not ready
    b = make(db, "b", ct={})  # blocked on DOL only: still tier 1

    dol = "outreach.dol_errors"  # HUB-DOL, max_retries 5
    add(db, dol, 1, DAY, outreach_id=a, failure_code="EIN_NOT_FOUND", disposition="RETRY")
    add(db, dol, 2, 2 * DAY, outreach_id=b, failure_code="EIN_NOT_FOUND", disposition="RETRY")
    add(db, dol, 3, DAY, outreach_id=a, failure_code="TIMEOUT", disposition=None)  # unset: a retry
    add(db, dol, 4, DAY, retry_count=5)  # the daily run parks it at NOW
    # parked ten days ago: the daily run escalates it to 3 at NOW
    add(
        db,
        dol,
        5,
        11 * DAY,
        outreach_id=a,
        failure_code="EIN_NOT_FOUND",
        disposition="PARKED",
        parked_at=NOW - 10 * DAY,
    )
    # parked two days ago, escalated to 1: stays (72 hours for level 2)
    add(db, dol, 6, 3 * DAY, disposition="PARKED", parked_at=NOW - 2 * DAY, escalation_level=1, escalated_at=NOW - DAY)
    add(db, dol, 7, DAY, outreach_id=b, failure_code="TIMEOUT", disposition="RESOLVED")  # blocks nothing
    add(db, dol, 8, 40 * DAY)  # past its 30 days: the daily run archives it
    add_archived(db, dol, 100, NOW + 100 * DAY)
    add_archived(db, dol, 101, NOW - DAY)  # the weekly run deletes it
    # parked, escalated, then resolved and archived: its days still count
    add_archived(
        db,
        dol,
        102,
        NOW + 300 * DAY,
        parked_at=NOW - 5 * DAY,
        escalation_level=1,
        escalated_at=NOW - 4 * DAY,
        final_disposition="RESOLVED",
    )

    people = "people.people_errors"  # HUB-PEOPLE
    add(db, people, 1, 3 * DAY, disposition="RETRY")
    add(
        db,
        people,
        2,
        3 * DAY,
        disposition="PARKED",
        parked_at=NOW - 2 * DAY,
        escalation_level=1,
        escalated_at=NOW - DAY,
    )
    add(db, people, 3, DAY, disposition="IGNORE")
    add_archived(db, people, 50, NOW + 100 * DAY)

    add(db, "public.shq_error_log", 1, DAY, disposition="RETRY")  # system-wide: no hub

    record(
        db,
        violation("PARK", "HUB-DOL", "V-SCOPE-001", "TOOL-008", a),
        violation("PARK", "HUB-DOL", "V-SCOPE-001", "TOOL-008", b),
        violation("RETRY", "HUB-COMPANY-TARGET", "V-AUTH-002", "TOOL-003", a),
        violation("ARCHIVE", "HUB-PEOPLE", "V-RATE-003", "TOOL-008"),  # straight to the archive
        violation("PARK", "HUB-COMPANY-TARGET", "V-SCOPE-001", "TOOL-003"),  # no outreach id: blocks nothing
        violation("IGNORE", "HUB-DOL", "V-SCOPE-001", "TOOL-008"),  # not stored
    )

    # Earlier runs in the log, which the runs at NOW follow.
    db.execute(
        "INSERT INTO shq.governance_job_runs (job_name, error_table, as_of, rows_affected, status, started_at,"
        " finished_at) VALUES"
        " ('archive_expired_errors', 'outreach.dol_errors', %(then)s, 99, 'ok', now() - interval '1 day',"
        "  now() - interval '1 day'),"
        " ('escalate_stale_parked_errors', NULL, %(then)s, 0, 'failed', now() - interval '1 day',"
        "  now() - interval '1 day')",
        {"then": NOW - DAY},
    )
    before = db.execute("SELECT clock_timestamp()").fetchone()[0]
    db.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall()
    while any(more for (more,) in db.execute("SELECT more FROM shq.fn_cleanup_expired_archives(%s, 1, 1)", (NOW,))):
        pass  # one batch per call, as `lint-canon sql jobs weekly` drives it
    after = db.execute("SELECT clock_timestamp()").fetchone()[0]
    return {"a": a, "b": b, "before": before, "after": after}


def test_every_figure_is_the_one_the_rows_give(db):
    made = populate(db)
    a, b = str(made["a"]), str(made["b"])
    state = governance_state(db)

    # live (resolved, ignored), retry, parked (level 0), escalated (level 1-3), archived
    assert state.tables == (
        TableState("company.url_discovery_failures", "HUB-COMPANY-TARGET", ZERO),
        TableState("outreach.company_target_errors", "HUB-COMPANY-TARGET", ZERO),
        # 7; 1, 2, 3; 4 (parked at NOW); 5 (escalated at NOW), 6; 100, 102, 8 (101 cleaned up)
        TableState("outreach.dol_errors", "HUB-DOL", StatusCounts(1, 3, 1, 2, 3)),
        TableState("people.people_errors", "HUB-PEOPLE", StatusCounts(1, 1, 0, 1, 1)),
        TableState("public.shq_error_log", None, StatusCounts(0, 1, 0, 0, 0)),
        TableState("shq.guard_violations", None, StatusCounts(0, 1, 3, 0, 1)),  # a hub per row
    )
    # The five are disjoint: they add up to the rows each table and its archive hold.
    for t in state.tables:
        held = db.execute(f"SELECT (SELECT count(*) FROM {t.table}) + (SELECT count(*) FROM {t.table}_archive)")
        assert sum(astuple(t.counts)) == held.fetchone()[0], t.table

    assert state.hubs == (  # shq.hubs' order; the guard's rows count for their own hubs
        HubState("HUB-COMPANY-TARGET", StatusCounts(0, 1, 1, 0, 0)),
        HubState("HUB-DOL", StatusCounts(1, 3, 3, 2, 3)),
        HubState("HUB-PEOPLE", StatusCounts(1, 1, 0, 1, 2)),
        HubState("HUB-BLOG", ZERO),
        HubState("HUB-BIT", ZERO),
    )

    assert state.days == (
        DayCount(date(2026, 2, 19), 1, 0),  # dol 5 parked
        DayCount(date(2026, 2, 24), 1, 0),  # archived dol 102 parked ...
        DayCount(date(2026, 2, 25), 0, 1),  # ... and escalated
        DayCount(date(2026, 2, 27), 2, 0),  # dol 6, people 2
        DayCount(date(2026, 2, 28), 0, 2),  # dol 6, people 2 escalated
        DayCount(date(2026, 3, 1), 4, 1),  # dol 4 and three guard PARKs (09:00 UTC); dol 5 escalated
    )

    assert [(r.job, r.schedule, r.archived, r.parked, r.escalated, r.cleaned, r.status) for r in state.runs] == [
        ("archive_expired_errors", "daily", 1, 0, 0, 0, "ok"),  # dol 8 (not the 99 of the day before)
        ("auto_park_exhausted_retries", "daily", 0, 1, 0, 0, "ok"),  # dol 4
        ("escalate_stale_parked_errors", "daily", 0, 0, 1, 0, "ok"),  # dol 5 (the failed run was earlier)
        ("cleanup_expired_archives", "weekly", 0, 0, 0, 1, "ok"),  # dol 101
    ]
    for run in state.runs:
        assert made["before"] <= run.started_at <= made["after"], run
        assert 0 <= run.seconds <= (made["after"] - made["before"]).total_seconds(), run

    assert state.tiers == (
        TierCount("TIER_3_CAMPAIGN_READY", 1),
        TierCount("TIER_2_ENRICHMENT_COMPLETE", 1),
        TierCount("TIER_1_MARKETING_READY", 2),  # marketing, b
        TierCount("NOT_READY", 1),  # a
    )
    assert state.blockers == (  # outreach ids blocked; dol_errors' codes and the guard's V-codes
        Blocker("EIN_NOT_FOUND", 2, min(a, b)),
        Blocker("V-SCOPE-001", 2, min(a, b)),
        Blocker("TIMEOUT", 1, a),  # b's TIMEOUT is RESOLVED
        Blocker("V-AUTH-002", 1, a),
    )
    assert state.violations == (  # live and archived; the IGNOREd one is not stored
        ViolationCount("TOOL-008", "HUB-DOL", "V-SCOPE-001", 2),
        ViolationCount("TOOL-003", "HUB-COMPANY-TARGET", "V-AUTH-002", 1),
        ViolationCount("TOOL-003", "HUB-COMPANY-TARGET", "V-SCOPE-001", 1),
        ViolationCount("TOOL-008", "HUB-PEOPLE", "V-RATE-003", 1),
    )


def test_an_empty_database_has_tables_and_hubs_with_nothing_in_them(db):
    state = governance_state(db)
    assert [t.counts for t in state.tables] == [ZERO] * 6
    assert [h.hub for h in state.hubs] == ["HUB-COMPANY-TARGET", "HUB-DOL", "HUB-PEOPLE", "HUB-BLOG", "HUB-BIT"]
    assert (state.days, state.runs, state.blockers, state.violations) == ((), (), (), ())
    assert [t.outreach_ids for t in state.tiers] == [0, 0, 0, 0]


def log(db, job: str, as_of: datetime, status: str, rows: int, started: int, finished: int | None = None) -> None:
    """A row of the run log, started ``started`` seconds after an hour before NOW."""
    db.execute(
        "INSERT INTO shq.governance_job_runs (job_name, error_table, as_of, rows_affected, status, started_at,"
        " finished_at) VALUES (%s, 'outreach.dol_errors', %s, %s, %s, %s, %s)",
        (job, as_of, rows, status, HOUR_AGO + started * SECOND, HOUR_AGO + (finished or started) * SECOND),
    )


HOUR_AGO = NOW - timedelta(hours=1)
SECOND = timedelta(seconds=1)


def test_the_last_run_of_a_job_is_the_rows_of_its_newest_as_of(db):
    archive, park, escalate = "archive_expired_errors", "auto_park_exhausted_retries", "escalate_stale_parked_errors"
    log(db, archive, NOW - DAY, "ok", 50, 0)  # the run before
    log(db, archive, NOW, "ok", 2, 10)  # one batch per call ...
    log(db, archive, NOW + DAY, "skipped", 0, 12)  # ... while another runner was skipped ...
    log(db, archive, NOW, "ok", 3, 20, 25)  # ... then the next batch
    log(db, park, NOW - DAY, "ok", 7, 0)
    log(db, park, NOW, "skipped", 0, 30)  # the newest run did nothing
    log(db, escalate, NOW, "ok", 4, 40)
    log(db, escalate, NOW, "failed", 0, 41, 43)  # one table failed
    runs = {r.job: r for r in governance_state(db).runs}
    assert set(runs) == {archive, park, escalate}  # the cleanup never ran
    assert (runs[archive].archived, runs[archive].status, runs[archive].seconds) == (5, "ok", 15.0)
    assert runs[archive].started_at == HOUR_AGO + 10 * SECOND
    assert (runs[park].parked, runs[park].status) == (0, "skipped")
    assert (runs[escalate].escalated, runs[escalate].status, runs[escalate].seconds) == (4, "failed", 3.0)


def test_days_blockers_and_violations_are_cut_to_their_limits(db):
    for k in range(35):  # one row parked on each of 35 days, two on the last
        parked = {"parked_at": NOW - k * DAY, "escalation_level": 3, "escalated_at": NOW}
        add(db, "people.people_errors", k + 1, 40 * DAY, disposition="PARKED", **parked)
    add(db, "people.people_errors", 99, 40 * DAY, disposition="PARKED", parked_at=NOW)
    records, ids = [], {}
    for i in range(1, 13):  # code i blocks i outreach ids, each recorded by tool j
        code = f"V-TEST-{i:03d}"
        ids[code] = [uuid.uuid5(uuid.NAMESPACE_DNS, f"{i}-{j}") for j in range(i)]
        records += [violation("RETRY", "HUB-DOL", code, f"TOOL-{j:03d}", oid) for j, oid in enumerate(ids[code])]
    record(db, *records)

    state = governance_state(db)
    assert state.days == (
        *(DayCount((NOW - k * DAY).date(), 1, 0) for k in range(29, 0, -1)),
        DayCount(NOW.date(), 2, 35),
    )
    assert state.blockers == tuple(
        Blocker(f"V-TEST-{i:03d}", i, min(str(oid) for oid in ids[f"V-TEST-{i:03d}"])) for i in range(12, 2, -1)
    )
    groups = Counter((r["tool_id"], r["hub_id"], r["code"]) for r in records)
    assert len(groups) > report.TOP_VIOLATIONS
    expected = sorted(groups.items(), key=lambda g: (-g[1], *g[0]))[: report.TOP_VIOLATIONS]
    assert state.violations == tuple(ViolationCount(*key, n) for key, n in expected)


def report_grants(role: str) -> str:
    """The module docstring's block of the report role's grants, for ``role``."""
    assert report.__doc__ is not None
    block = report.__doc__.split("-- the report role's grants\n", 1)[1].split("\n\n", 1)[0]
    return "\n".join(line.strip() for line in block.splitlines()).replace("reporter", f'"{role}"')


# What a role holds, granted on a schema or a relation (not on functions: PUBLIC's EXECUTE).
HELD = """
SELECT 'schema', n.nspname, a.privilege_type
FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a WHERE a.grantee = %(role)s::regrole
UNION ALL
SELECT 'relation', n.nspname, a.privilege_type
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE a.grantee = %(role)s::regrole
UNION ALL
SELECT 'column', n.nspname, a.privilege_type
FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(t.attacl) a WHERE a.grantee = %(role)s::regrole
"""


def test_a_role_with_only_the_documented_grants_reads_the_same_state(db, db_url):
    populate(db)
    owner_state = governance_state(db)
    role = f"lc_reporter_{uuid.uuid4().hex[:8]}"
    db.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        db.execute(report_grants(role))
        # USAGE on shq and SELECT on some of its tables and views: nothing outside shq.
        held = set(db.execute(HELD, {"role": f'"{role}"'}).fetchall())
        assert held == {("schema", "shq", "USAGE"), ("relation", "shq", "SELECT")}
        info = conninfo_to_dict(db_url)
        info["user"] = role
        with psycopg.connect(make_conninfo(**info), autocommit=True) as conn:
            assert governance_state(conn) == owner_state
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # its transaction ended
            with conn.transaction():  # as `sql report` calls it: in a read-only transaction of its own
                conn.execute("SET TRANSACTION READ ONLY")
                assert governance_state(conn) == owner_state
    finally:
        db.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
