"""Guard violations as governed errors: shq.fn_record_guard_violations(jsonb) writes a batch
(PARK and RETRY live, ARCHIVE straight to the archive, IGNORE nowhere) or refuses it naming the
record and the field; a PARK or RETRY violation blocks what needs its hub, with its V-code shown;
the review unblocks; the daily and weekly jobs govern the table like the others; the per-row hub
of the registry works for any governed table."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.pg import MIGRATIONS, psql_file
from tests.test_sql_promotion import ALL_DONE, HUBS, make

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TABLE = "shq.guard_violations"


def violation(outreach_id, hub: str = "HUB-DOL", disposition: str = "PARK", code: str = "V-SCOPE-001", **fields):
    """One record as the guard's PostgreSQL sink sends it (ViolationRecord.as_dict)."""
    return {
        "code": code,
        "severity": "CRITICAL",
        "disposition": disposition,
        "tool_id": "TOOL-008",
        "hub_id": hub,
        "interaction": "ENRICH",
        "function": "app.enrich.find_people",
        "outreach_id": None if outreach_id is None else str(outreach_id),
        "occurred_at": NOW.isoformat(),
        "message": f"hub {hub} is out of TOOL-008's scope (HUB-PEOPLE)",
        **fields,
    }


def record(db, *records) -> int:
    return db.execute("SELECT shq.fn_record_guard_violations(%s::jsonb)", (json.dumps(list(records)),)).fetchone()[0]


def live(db) -> list[tuple]:
    return db.execute(
        "SELECT violation_id, outreach_id, hub, failure_code, disposition::text, parked_at, parked_by, park_reason,"
        f" created_at FROM {TABLE} ORDER BY violation_id"
    ).fetchall()


def archived(db) -> list[tuple]:
    return db.execute(
        "SELECT violation_id, outreach_id, hub, failure_code, disposition::text, archive_reason::text,"
        " final_disposition::text, archived_at, archived_by, retention_expires_at"
        f" FROM {TABLE}_archive ORDER BY violation_id"
    ).fetchall()


def check(db, function: str, *args):
    return db.execute(f"SELECT shq.{function}({', '.join(['%s'] * len(args))})", args).fetchone()[0]


def can_promote(db, oid) -> list[bool]:
    return [check(db, "fn_can_promote_to_hub", oid, hub) for hub in HUBS]


def tiers(db, oid) -> tuple[bool, bool, bool]:
    return tuple(
        check(db, f"fn_is_{name}", oid)
        for name in ("tier1_marketing_ready", "tier2_enrichment_complete", "tier3_campaign_ready")
    )


def readiness(db, oid) -> tuple:
    return db.execute(
        "SELECT blocking_errors, company_target_blocking, dol_blocking, people_blocking, blog_blocking, bit_blocking,"
        " tier1_marketing_ready, tier2_enrichment_complete, tier3_campaign_ready, highest_tier, blocking_failure_codes"
        " FROM shq.vw_promotion_readiness WHERE outreach_id = %s",
        (oid,),
    ).fetchone()


def blockers(db, oid) -> list[tuple]:
    return db.execute("SELECT * FROM shq.fn_get_promotion_blockers(%s)", (oid,)).fetchall()


READY = (0, 0, 0, 0, 0, 0, True, True, True, 3, [])


@pytest.fixture
def ready(db):
    """An outreach id every hub has DONE: campaign ready, promotable to every hub."""
    oid = make(db, "guarded", **ALL_DONE)
    assert can_promote(db, oid) == [True] * 5
    assert tiers(db, oid) == (True, True, True)
    assert readiness(db, oid) == READY
    return oid


# --- what each disposition does ---------------------------------------------------------------


def test_park_and_retry_at_dol_block_what_needs_dol_with_their_codes(db, ready):
    later = NOW + timedelta(minutes=5)
    stored = record(
        db,
        violation(ready, "HUB-DOL", "PARK", "V-SCOPE-001"),
        violation(ready, "HUB-DOL", "RETRY", "V-GATE-001", occurred_at=later.isoformat()),
    )
    assert stored == 2
    assert live(db) == [
        (1, ready, "HUB-DOL", "V-SCOPE-001", "PARKED", NOW, "lint_canon.guard", "V-SCOPE-001", NOW),
        (2, ready, "HUB-DOL", "V-GATE-001", "RETRY", None, None, None, later),
    ]
    assert archived(db) == []
    # People and BIT need DOL; so do tiers 2 and 3. Company Target and Blog do not, nor does tier 1;
    # DOL itself needs only Company Target (as for an error in outreach.dol_errors).
    assert can_promote(db, ready) == [True, True, False, True, False]
    assert tiers(db, ready) == (True, False, False)
    assert readiness(db, ready) == (2, 0, 2, 0, 0, 0, True, False, False, 1, ["V-GATE-001", "V-SCOPE-001"])
    assert blockers(db, ready) == [
        (
            "BLOCKING_ERRORS",
            "HUB-DOL",
            "shq.guard_violations: 2 blocking error(s), 1 parked, escalation level 0, codes V-GATE-001, V-SCOPE-001",
        )
    ]
    assert db.execute(
        "SELECT error_table, hub, blocking_errors, parked_errors, retry_errors, max_escalation_level,"
        " oldest_blocking_at, failure_codes FROM shq.vw_blocking_errors_by_outreach WHERE outreach_id = %s",
        (ready,),
    ).fetchall() == [(TABLE, "HUB-DOL", 2, 1, 1, 0, NOW, ["V-GATE-001", "V-SCOPE-001"])]
    assert [check(db, "fn_has_blocking_errors", TABLE, ready, hub) for hub in [None, *HUBS]] == [
        True,
        False,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize("disposition", ["PARK", "RETRY"])
def test_a_violation_at_company_target_blocks_tier_1_and_every_hub_after_it(db, ready, disposition):
    assert record(db, violation(ready, "HUB-COMPANY-TARGET", disposition, "V-TOOL-002")) == 1
    assert can_promote(db, ready) == [True, False, False, False, False]
    assert tiers(db, ready) == (False, False, False)
    assert readiness(db, ready) == (1, 1, 0, 0, 0, 0, False, False, False, 0, ["V-TOOL-002"])
    parked = 1 if disposition == "PARK" else 0
    assert blockers(db, ready) == [
        (
            "BLOCKING_ERRORS",
            "HUB-COMPANY-TARGET",
            f"shq.guard_violations: 1 blocking error(s), {parked} parked, escalation level 0, codes V-TOOL-002",
        )
    ]


def test_each_violation_blocks_its_own_hub_only(db, ready):
    other = make(db, "other", **ALL_DONE)
    assert record(db, violation(ready, "HUB-BLOG", "PARK", "V-TYPE-001"), violation(other, "HUB-DOL")) == 2
    # Blog's violation blocks BIT (which needs Blog) and the all-hub tiers, not People (which needs DOL).
    assert can_promote(db, ready) == [True, True, True, True, False]
    assert readiness(db, ready) == (1, 0, 0, 0, 1, 0, True, False, False, 1, ["V-TYPE-001"])
    assert [check(db, "fn_has_blocking_errors", TABLE, ready, hub) for hub in HUBS] == [
        False,
        False,
        False,
        True,
        False,
    ]
    # and the other outreach id's DOL violation is its own
    assert can_promote(db, other) == [True, True, False, True, False]
    assert readiness(db, other)[:6] == (1, 0, 1, 0, 0, 0)
    # Violations of one outreach id at two hubs: a row of the blocking view for each hub.
    record(db, violation(ready, "HUB-DOL", "RETRY", "V-TOOL-003"))
    assert db.execute(
        "SELECT hub, blocking_errors, failure_codes FROM shq.vw_blocking_errors_by_outreach WHERE outreach_id = %s"
        " ORDER BY hub",
        (ready,),
    ).fetchall() == [("HUB-BLOG", 1, ["V-TYPE-001"]), ("HUB-DOL", 1, ["V-TOOL-003"])]
    assert [(b[1], b[2][-16:]) for b in blockers(db, ready)] == [
        ("HUB-BLOG", "codes V-TYPE-001"),
        ("HUB-DOL", "codes V-TOOL-003"),
    ]
    assert can_promote(db, ready) == [True, True, False, True, False]
    assert readiness(db, ready)[-1] == ["V-TOOL-003", "V-TYPE-001"]


def test_archive_goes_straight_to_the_archive_and_blocks_nothing(db, ready):
    assert record(db, violation(ready, "HUB-DOL", "ARCHIVE", "V-TOOL-001")) == 1
    assert live(db) == []
    assert archived(db) == [
        (
            1,
            ready,
            "HUB-DOL",
            "V-TOOL-001",
            "ARCHIVED",
            "ARCHIVE_DISPOSITION",
            "ARCHIVED",
            NOW,
            "lint_canon.guard",
            NOW + timedelta(days=365),
        )
    ]
    assert can_promote(db, ready) == [True] * 5
    assert tiers(db, ready) == (True, True, True)
    assert readiness(db, ready) == READY
    assert blockers(db, ready) == []
    assert db.execute(
        "SELECT location, disposition, error_count FROM shq.vw_error_governance_summary WHERE error_table = %s",
        (TABLE,),
    ).fetchall() == [("archive", "ARCHIVED", 1)]


def test_ignore_is_not_stored(db, ready):
    assert record(db, violation(ready, "HUB-DOL", "IGNORE"), violation(None, "HUB-BIT", "IGNORE")) == 0
    assert live(db) == [] and archived(db) == []
    assert readiness(db, ready) == READY


def test_a_mixed_batch_counts_what_it_stored_and_keeps_its_order(db, ready):
    batch = [
        violation(ready, "HUB-DOL", "PARK", "V-SCOPE-001"),
        violation(ready, "HUB-PEOPLE", "IGNORE", "V-TYPE-001"),
        violation(ready, "HUB-BLOG", "ARCHIVE", "V-TOOL-001"),
        violation(None, "HUB-BIT", "RETRY", "V-GATE-001"),
        violation(ready, "HUB-PEOPLE", "RETRY", "V-TOOL-003"),
        violation(ready, "HUB-BIT", "IGNORE", "V-GATE-002"),
    ]
    assert record(db, *batch) == 4
    # Live rows in the batch's order; the archived one's id from the same sequence, so that no live
    # row can later be archived onto it.
    assert [(r[0], r[2], r[4]) for r in live(db)] == [
        (1, "HUB-DOL", "PARKED"),
        (2, "HUB-BIT", "RETRY"),
        (3, "HUB-PEOPLE", "RETRY"),
    ]
    assert [(r[0], r[2], r[5]) for r in archived(db)] == [(4, "HUB-BLOG", "ARCHIVE_DISPOSITION")]
    # a violation that names no outreach id blocks nothing
    assert readiness(db, ready)[:6] == (2, 0, 1, 1, 0, 0)
    assert record(db) == 0  # an empty batch


def test_the_sinks_times_are_taken_with_their_zone(db, ready):
    times = {
        "2026-03-01T12:00:00Z": NOW,
        "2026-03-01T12:00:00.250000+00:00": NOW + timedelta(milliseconds=250),
        "2026-03-01T17:30:00+05:30": NOW,
        "2026-03-01T17:30:00+0530": NOW,
        "2026-03-01T04:00:00-08": NOW,
        "2026-03-02T03:59:00+15:59": NOW,
        "2026-03-01T12:00:00+00:00:00": NOW,
        "2026-03-01 12:00:00+00:00": NOW,
        "2024-02-29T12:00:00+00:00": datetime(2024, 2, 29, 12, tzinfo=UTC),
    }
    assert record(db, *[violation(ready, occurred_at=text) for text in times]) == len(times)
    assert [r[-1] for r in live(db)] == list(times.values())


# --- refused records ---------------------------------------------------------------------------


MISSING = object()


def bad(field: str, value) -> dict:
    """A good record with one field changed (MISSING: removed)."""
    fields = violation(uuid.uuid4())
    if value is MISSING:
        del fields[field]
    else:
        fields[field] = value
    return fields


@pytest.mark.parametrize(
    ("record_", "field", "message"),
    [
        (
            bad("disposition", "SHELVE"),
            "disposition",
            'is an unknown disposition "SHELVE": give PARK, RETRY, ARCHIVE or IGNORE',
        ),
        (
            bad("disposition", "park"),
            "disposition",
            'is an unknown disposition "park": give PARK, RETRY, ARCHIVE or IGNORE',
        ),
        (bad("severity", "SEVERE"), "severity", 'must be CRITICAL, HIGH, MEDIUM or LOW, got "SEVERE"'),
        (bad("code", "SCOPE-001"), "code", 'must be a violation code such as V-SCOPE-001, got "SCOPE-001"'),
        (bad("occurred_at", MISSING), "occurred_at", "is missing"),
        (
            bad("occurred_at", "2026-03-01T12:00:00"),
            "occurred_at",
            'must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got "2026-03-01T12:00:00"',
        ),
        (
            bad("occurred_at", "2026-02-29T12:00:00Z"),
            "occurred_at",
            'must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got "2026-02-29T12:00:00Z"',
        ),
        (
            bad("occurred_at", "2026-13-01T12:00:00Z"),
            "occurred_at",
            'must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got "2026-13-01T12:00:00Z"',
        ),
        (
            bad("occurred_at", "2026-03-01T24:00:00Z"),
            "occurred_at",
            'must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got "2026-03-01T24:00:00Z"',
        ),
        (
            bad("occurred_at", "2026-03-01T12:00:00+05:99"),
            "occurred_at",
            'must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got "2026-03-01T12:00:00+05:99"',
        ),
        (
            bad("occurred_at", "2026-03-01T12:00:00+16:00"),
            "occurred_at",
            'must be an ISO 8601 time with its zone, such as 2026-03-01T12:00:00+00:00, got "2026-03-01T12:00:00+16:00"',
        ),
        (bad("occurred_at", 1772366400), "occurred_at", "must be a string, got number"),
        (bad("outreach_id", "42"), "outreach_id", 'must be a UUID (8-4-4-4-12 hex digits) or null, got "42"'),
        (bad("outreach_id", 42), "outreach_id", "must be a string or null, got number"),
        (bad("outreach_id", MISSING), "outreach_id", "is missing"),
        (bad("tool_id", " "), "tool_id", "must not be empty"),
        (bad("hub_id", None), "hub_id", "must be a string, got null"),
        (bad("function", ""), "function", "must not be empty"),
        (bad("message", ["a"]), "message", "must be a string, got array"),
        (
            bad("hub_id", "HUB-DOLL"),
            "hub_id",
            'is not a hub of shq.hubs (HUB-COMPANY-TARGET, HUB-DOL, HUB-PEOPLE, HUB-BLOG, HUB-BIT), got "HUB-DOLL"',
        ),
        (bad("tool_id", "T" * 201), "tool_id", "is 201 characters long; at most 200"),
        (bad("interaction", "E" * 300), "interaction", "is 300 characters long; at most 200"),
        (bad("function", "f" * 501), "function", "is 501 characters long; at most 500"),
        (bad("occurred_at", "0001-01-01T00:00:00Z"), "occurred_at", 'is before 2000-01-01, got "0001-01-01T00:00:00Z"'),
        (
            bad("occurred_at", "1999-12-31T23:59:59+00:00"),
            "occurred_at",
            'is before 2000-01-01, got "1999-12-31T23:59:59+00:00"',
        ),
        (
            bad("hub", "HUB-DOL"),
            "hub",
            "is not a field of a guard violation record (code, severity, disposition, tool_id, hub_id, interaction,"
            " function, outreach_id, occurred_at, message)",
        ),
    ],
)
def test_a_malformed_record_refuses_the_batch_naming_record_and_field(db, record_, field, message):
    with pytest.raises(psycopg.errors.InvalidParameterValue) as info:
        record(db, violation(uuid.uuid4()), record_, violation(uuid.uuid4()))
    assert info.value.diag.message_primary == f'guard violation record 2 of 3: field "{field}" {message}'
    assert info.value.diag.column_name == field
    assert info.value.diag.message_hint == "the whole batch was refused: nothing of it was stored"
    assert live(db) == [] and archived(db) == []


def test_a_violation_from_the_future_is_refused(db):
    ahead = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0).isoformat()
    with pytest.raises(psycopg.errors.InvalidParameterValue) as info:
        record(db, violation(uuid.uuid4(), occurred_at=ahead))
    assert info.value.diag.message_primary.startswith(
        'guard violation record 1 of 1: field "occurred_at" is more than an hour later than the database\'s clock ('
    )
    assert info.value.diag.message_primary.endswith(f', got "{ahead}"')
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()  # a host's clock a little ahead
    assert record(db, violation(uuid.uuid4(), occurred_at=soon)) == 1


def test_a_long_message_is_cut_and_says_so(db):
    text = "x" * 10_000
    assert record(db, violation(uuid.uuid4(), message=text), violation(uuid.uuid4(), message="short")) == 2
    stored = [row[0] for row in db.execute(f"SELECT error_message FROM {TABLE} ORDER BY violation_id")]
    assert stored == ["x" * 4000 + " [cut: the first 4000 of 10000 characters kept]", "short"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("[1]", "guard violation record 1 of 1: is a JSON number, not an object"),
        ("[null]", "guard violation record 1 of 1: is a JSON null, not an object"),
        ('{"code": "V-TOOL-001"}', "guard violation records must be a JSON array of objects, got object"),
        (None, "guard violation records must be a JSON array of objects, got NULL"),
    ],
)
def test_what_is_not_an_array_of_objects_is_refused(db, payload, message):
    with pytest.raises(psycopg.errors.InvalidParameterValue) as info:
        db.execute("SELECT shq.fn_record_guard_violations(%s::jsonb)", (payload,))
    assert info.value.diag.message_primary == message


# --- the review ---------------------------------------------------------------------------------


def test_the_review_resolves_and_unblocks(db, ready):
    record(db, violation(ready, "HUB-DOL", "PARK", "V-SCOPE-001"), violation(ready, "HUB-DOL", "RETRY", "V-GATE-001"))
    assert can_promote(db, ready) == [True, True, False, True, False]
    # The review: a person settles the violations of an outreach id.
    db.execute(
        f"UPDATE {TABLE} SET disposition = 'RESOLVED' WHERE outreach_id = %s AND failure_code = 'V-SCOPE-001'", (ready,)
    )
    assert readiness(db, ready)[-1] == ["V-GATE-001"]  # one left
    assert tiers(db, ready) == (True, False, False)
    db.execute(f"UPDATE {TABLE} SET disposition = 'RESOLVED' WHERE outreach_id = %s", (ready,))
    assert can_promote(db, ready) == [True] * 5
    assert tiers(db, ready) == (True, True, True)
    assert readiness(db, ready) == READY
    assert blockers(db, ready) == []
    assert check(db, "fn_has_blocking_errors", TABLE, ready, None) is False
    # The daily job archives the resolved rows once their TTL (MEDIUM, 30 days) is past.
    assert (TABLE, 2, 1, "ok") in run_job(db, "fn_archive_expired_errors", NOW + timedelta(days=31))
    assert [(r[0], r[5], r[6]) for r in archived(db)] == [(1, "RESOLVED", "RESOLVED"), (2, "RESOLVED", "RESOLVED")]


# --- the jobs govern the table like the others ---------------------------------------------------


def run_job(db, function: str, now: datetime) -> list[tuple]:
    return db.execute(f"SELECT error_table, rows_affected, batches, status FROM shq.{function}(%s)", (now,)).fetchall()


def test_ttl_archive_keeps_parked_violations(db, ready):
    old = (NOW - timedelta(days=31)).isoformat()
    record(
        db,
        violation(ready, disposition="RETRY", occurred_at=old),
        violation(ready, disposition="PARK", occurred_at=old),
    )
    assert (TABLE, 1, 1, "ok") in run_job(db, "fn_archive_expired_errors", NOW)
    assert [(r[0], r[4]) for r in live(db)] == [(2, "PARKED")]  # parked rows wait for a person
    assert archived(db) == [
        (
            1,
            ready,
            "HUB-DOL",
            "V-SCOPE-001",
            "ARCHIVED",
            "TTL_EXPIRED",
            "RETRY",
            NOW,
            "shq.fn_archive_expired_errors",
            NOW + timedelta(days=365),
        )
    ]


def test_retry_violations_past_max_retries_are_parked_then_escalated(db, ready):
    record(db, violation(ready, disposition="RETRY", code="V-TOOL-003"), violation(ready, disposition="RETRY"))
    assert db.execute(f"SELECT max_retries FROM {TABLE}").fetchall() == [(3,), (3,)]
    db.execute(f"UPDATE {TABLE} SET retry_count = 3 WHERE violation_id = 1")
    assert (TABLE, 1, 1, "ok") in run_job(db, "fn_auto_park_exhausted_retries", NOW)
    assert db.execute(
        f"SELECT violation_id, disposition::text, retry_exhausted, parked_at, parked_by, park_reason FROM {TABLE}"
        " ORDER BY 1"
    ).fetchall() == [
        (1, "PARKED", True, NOW, "shq.fn_auto_park_exhausted_retries", "MAX_RETRIES_EXCEEDED"),
        (2, "RETRY", False, None, None, None),
    ]
    # Parked at NOW: level 1 after 24 hours, 2 after 72, 3 after 7 days.
    for hours, level in ((23, 0), (25, 1), (73, 2), (24 * 8, 3)):
        run_job(db, "fn_escalate_stale_parked_errors", NOW + timedelta(hours=hours))
        assert db.execute(f"SELECT escalation_level FROM {TABLE} WHERE violation_id = 1").fetchone() == (level,)
    assert db.execute(
        "SELECT max_escalation_level FROM shq.vw_blocking_errors_by_outreach WHERE outreach_id = %s", (ready,)
    ).fetchone() == (3,)
    assert blockers(db, ready)[0][2] == (
        "shq.guard_violations: 2 blocking error(s), 1 parked, escalation level 3, codes V-SCOPE-001, V-TOOL-003"
    )


def test_violations_parked_by_the_guard_escalate_from_when_they_occurred(db, ready):
    record(db, violation(ready, occurred_at=(NOW - timedelta(hours=73)).isoformat()))
    assert (TABLE, 1, 1, "ok") in run_job(db, "fn_escalate_stale_parked_errors", NOW)
    assert db.execute(f"SELECT escalation_level, escalated_at FROM {TABLE}").fetchall() == [(2, NOW)]


def test_weekly_cleanup_deletes_expired_archived_violations(db, ready):
    record(
        db,
        violation(ready, disposition="ARCHIVE"),
        violation(ready, disposition="ARCHIVE", occurred_at=(NOW + timedelta(days=2)).isoformat()),
    )
    assert (f"{TABLE}_archive", 0, 0, "ok") in run_job(db, "fn_cleanup_expired_archives", NOW + timedelta(days=365))
    assert (f"{TABLE}_archive", 1, 1, "ok") in run_job(db, "fn_cleanup_expired_archives", NOW + timedelta(days=366))
    assert [r[0] for r in archived(db)] == [2]


def test_the_master_runner_goes_through_the_table(db, ready):
    record(db, violation(ready, disposition="RETRY", occurred_at=(NOW - timedelta(days=40)).isoformat()))
    rows = db.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall()
    assert [r for r in rows if r[1] == TABLE] == [
        ("archive_expired_errors", TABLE, 1, "ok"),
        ("auto_park_exhausted_retries", TABLE, 0, "ok"),
        ("escalate_stale_parked_errors", TABLE, 0, "ok"),
    ]


# --- grants, registry, re-runs ---------------------------------------------------------------------


def test_an_application_role_needs_only_execute(db):
    role = f"lc_app_{uuid.uuid4().hex[:8]}"
    db.execute(f'CREATE ROLE "{role}"; GRANT USAGE ON SCHEMA shq TO "{role}"')
    try:
        db.execute(f'SET ROLE "{role}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not executable by PUBLIC
            record(db, violation(None))
        db.execute("RESET ROLE")
        db.execute(f'GRANT EXECUTE ON FUNCTION shq.fn_record_guard_violations(jsonb) TO "{role}"')
        db.execute(f'SET ROLE "{role}"')
        assert record(db, violation(None), violation(None, disposition="ARCHIVE")) == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # and no right on the table itself
            db.execute(f"SELECT count(*) FROM {TABLE}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute(
                f"INSERT INTO {TABLE} (hub, tool_id, interaction, failure_code, severity, error_message, created_at)"
                " VALUES ('HUB-DOL', 'T', 'READ', 'V-TOOL-001', 'LOW', 'm', now())"
            )
    finally:
        db.execute("RESET ROLE")
        db.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
    assert len(live(db)) == len(archived(db)) == 1


def test_the_table_is_registered_with_a_per_row_hub_and_its_code_column(db):
    assert db.execute(
        "SELECT id_column, outreach_column, hub, hub_column, code_column, max_retries, retention, archive_schema,"
        " archive_table FROM shq.error_table_registry WHERE table_schema = 'shq' AND table_name = 'guard_violations'"
    ).fetchone() == (
        "violation_id",
        "outreach_id",
        None,
        "hub",
        "failure_code",
        3,
        timedelta(days=365),
        "shq",
        "guard_violations_archive",
    )
    # The document's five tables keep a table-wide hub and no code column.
    assert db.execute(
        "SELECT count(*) FROM shq.error_table_registry WHERE hub_column IS NULL AND code_column IS NULL"
    ).fetchone() == (5,)


def test_a_second_run_keeps_the_violations_and_the_registry(db, db_url, ready):
    record(db, violation(ready), violation(ready, disposition="ARCHIVE"))
    registry = db.execute("SELECT * FROM shq.error_table_registry ORDER BY 1, 2").fetchall()
    result = psql_file(db_url, next(m for m in MIGRATIONS if m.name == "2026-11-28-guard-violations.sql"))
    assert result.returncode == 0, result.stderr
    assert db.execute("SELECT * FROM shq.error_table_registry ORDER BY 1, 2").fetchall() == registry
    assert len(live(db)) == len(archived(db)) == 1
    assert record(db, violation(ready)) == 1
    assert [r[0] for r in live(db)] == [1, 3]


# --- the per-row hub of the registry, for any governed table ---------------------------------------


def test_any_governed_table_may_take_its_hub_from_each_row(db, ready):
    db.execute(
        "CREATE SCHEMA billing; CREATE TABLE billing.invoice_errors (id bigint PRIMARY KEY, outreach_id uuid,"
        " owning_hub text, failure_code text, created_at timestamptz NOT NULL DEFAULT now())"
    )
    with pytest.raises(psycopg.errors.RaiseException) as info:
        db.execute("SELECT shq.fn_govern_error_table('billing.invoice_errors', p_hub_column => 'hub')")
    assert info.value.diag.message_primary == "table billing.invoice_errors has no column hub"
    [(message,)] = db.execute(
        "SELECT shq.fn_govern_error_table('billing.invoice_errors', p_hub => 'HUB-BIT', p_hub_column => 'owning_hub')"
    ).fetchall()
    assert message == (
        "billing.invoice_errors governed: archive billing.invoice_errors_archive, max_retries 3, retention 1 year, "
        "hub per row (column owning_hub, else HUB-BIT)"
    )
    # failure_code found on its own, as outreach_id is, on a first registration
    assert db.execute(
        "SELECT hub, hub_column, code_column FROM shq.error_table_registry WHERE table_name = 'invoice_errors'"
    ).fetchone() == ("HUB-BIT", "owning_hub", "failure_code")
    db.execute(
        "INSERT INTO billing.invoice_errors (id, outreach_id, owning_hub, failure_code) VALUES"
        " (1, %(o)s, 'HUB-PEOPLE', 'LATE'), (2, %(o)s, NULL, 'VOID'), (3, %(o)s, NULL, NULL)",
        {"o": ready},
    )
    assert db.execute(
        "SELECT hub, blocking_errors, failure_codes FROM shq.vw_blocking_errors_by_outreach"
        " WHERE error_table = 'billing.invoice_errors' ORDER BY hub"
    ).fetchall() == [("HUB-BIT", 2, ["VOID"]), ("HUB-PEOPLE", 1, ["LATE"])]
    assert [check(db, "fn_has_blocking_errors", "billing.invoice_errors", ready, hub) for hub in HUBS] == [
        False,
        False,
        True,
        False,
        True,
    ]
    assert can_promote(db, ready) == [True, True, True, True, False]  # BIT needs People
    assert readiness(db, ready) == (3, 0, 0, 1, 0, 2, True, False, False, 1, ["LATE", "VOID"])
    summary = db.execute(
        "SELECT hub, location, error_count FROM shq.vw_error_governance_summary"
        " WHERE error_table = 'billing.invoice_errors' ORDER BY hub"
    ).fetchall()
    assert summary == [("HUB-BIT", "live", 2), ("HUB-PEOPLE", "live", 1)]
    # Governing it again changes only what is named: the hub column stays.
    db.execute("SELECT shq.fn_govern_error_table('billing.invoice_errors', 4)")
    assert db.execute(
        "SELECT hub, hub_column, code_column, max_retries FROM shq.error_table_registry WHERE table_name = 'invoice_errors'"
    ).fetchone() == ("HUB-BIT", "owning_hub", "failure_code", 4)


def test_a_document_table_shows_its_codes_once_asked_to(db, ready):
    db.execute(
        "INSERT INTO outreach.dol_errors (outreach_id, failure_code, disposition) VALUES"
        " (%(o)s, 'EIN_NOT_FOUND', 'RETRY'), (%(o)s, 'RATE_LIMIT', 'PARKED')",
        {"o": ready},
    )
    detail = "outreach.dol_errors: 2 blocking error(s), 1 parked, escalation level 0"
    assert blockers(db, ready) == [("BLOCKING_ERRORS", "HUB-DOL", detail)]
    assert readiness(db, ready)[-1] == []
    db.execute("SELECT shq.fn_govern_error_table('outreach.dol_errors', p_code_column => 'failure_code')")
    assert blockers(db, ready) == [("BLOCKING_ERRORS", "HUB-DOL", f"{detail}, codes EIN_NOT_FOUND, RATE_LIMIT")]
    assert readiness(db, ready)[-1] == ["EIN_NOT_FOUND", "RATE_LIMIT"]
    # and a guard violation's code joins them, sorted, once each
    record(db, violation(ready, "HUB-PEOPLE", code="V-TOOL-001"), violation(ready, "HUB-PEOPLE", code="V-TOOL-001"))
    assert readiness(db, ready)[-1] == ["EIN_NOT_FOUND", "RATE_LIMIT", "V-TOOL-001"]
