"""DONE states, blocking errors, promotion and the three tiers, on crafted outreach ids; the
set-based readiness view agrees with the per-id functions."""

from __future__ import annotations

import uuid

import pytest

HUBS = ["HUB-COMPANY-TARGET", "HUB-DOL", "HUB-PEOPLE", "HUB-BLOG", "HUB-BIT"]


def make(db, name: str, *, ct=None, dol=None, slots=0, verified=0, blog=False, bit=None, errors=()):
    """An outreach id with the hub rows given; ct/dol/bit are dicts of columns or None."""
    oid = uuid.uuid5(uuid.NAMESPACE_DNS, name)
    db.execute("INSERT INTO outreach.outreach (outreach_id, domain) VALUES (%s, %s)", (oid, f"{name}.example.com"))
    if ct is not None:
        row = {
            "execution_status": "ready",
            "email_method": "pattern",
            "confidence_score": 0.9,
            "imo_completed_at": "2026-02-01T00:00:00Z",
            **ct,
        }
        db.execute(
            "INSERT INTO outreach.company_target (outreach_id, execution_status, email_method, confidence_score,"
            " imo_completed_at) VALUES (%s, %s, %s, %s, %s)",
            (oid, *row.values()),
        )
    if dol is not None:
        row = {"ein": "12-3456789", "filing_present": True, **dol}
        db.execute(
            "INSERT INTO outreach.dol (outreach_id, ein, filing_present) VALUES (%s, %s, %s)", (oid, *row.values())
        )
    for i in range(slots):
        db.execute(
            "INSERT INTO people.company_slot (outreach_id, slot_type, person_unique_id, is_filled, email_verified)"
            " VALUES (%s, %s, %s, true, %s)",
            (oid, f"slot{i}", f"p{i}", i < verified),
        )
    db.execute(
        "INSERT INTO people.company_slot (outreach_id, slot_type, is_filled) VALUES (%s, 'empty', false)", (oid,)
    )
    if blog:
        db.execute("INSERT INTO outreach.blog (outreach_id, blog_url) VALUES (%s, 'https://x/blog')", (oid,))
    if bit is not None:
        row = {"score": 71.5, "signal_count": 4, **bit}
        db.execute(
            "INSERT INTO outreach.bit_scores (outreach_id, score, signal_count) VALUES (%s, %s, %s)",
            (oid, *row.values()),
        )
    for table, disposition in errors:
        db.execute(
            f"INSERT INTO {table} (outreach_id, failure_code, disposition) VALUES (%s, 'X', %s)", (oid, disposition)
        )
    return oid


ALL_DONE = {"ct": {}, "dol": {}, "slots": 3, "verified": 3, "blog": True, "bit": {}}


@pytest.fixture
def ids(db):
    return {
        "campaign": make(db, "campaign", **ALL_DONE),
        "complete": make(db, "complete", **{**ALL_DONE, "verified": 2}),
        "marketing": make(db, "marketing", ct={}),
        "low_confidence": make(db, "low_confidence", ct={"confidence_score": 0.5}),
        "dol_parked": make(db, "dol_parked", **ALL_DONE, errors=[("outreach.dol_errors", "PARKED")]),
        "ct_retry": make(
            db,
            "ct_retry",
            ct={"confidence_score": 0.95},
            errors=[("outreach.company_target_errors", "RETRY"), ("outreach.company_target_errors", "IGNORE")],
        ),
        "system_error": make(db, "system_error", **ALL_DONE, errors=[("public.shq_error_log", "RETRY")]),
        "resolved_only": make(
            db,
            "resolved_only",
            **ALL_DONE,
            errors=[("people.people_errors", "RESOLVED"), ("company.url_discovery_failures", "ARCHIVED")],
        ),
        "nothing": make(db, "nothing"),
    }


def check(db, function: str, oid, *args):
    return db.execute(f"SELECT shq.{function}(%s{', %s' * len(args)})", (oid, *args)).fetchone()[0]


@pytest.mark.parametrize(
    ("columns", "done"),
    [
        ({}, True),
        ({"execution_status": "pending"}, False),
        ({"email_method": None}, False),
        ({"confidence_score": None}, False),
        ({"imo_completed_at": None}, False),
    ],
)
def test_company_target_done(db, columns, done):
    oid = make(db, "ct", ct=columns)
    assert check(db, "fn_check_company_target_done", oid) is done


@pytest.mark.parametrize(("columns", "done"), [({}, True), ({"ein": None}, False), ({"filing_present": False}, False)])
def test_dol_done(db, columns, done):
    assert check(db, "fn_check_dol_done", make(db, "dol", dol=columns)) is done


def test_people_blog_bit_done(db):
    two = make(db, "two", slots=2)
    assert check(db, "fn_check_people_done", two) is False
    assert check(db, "fn_check_people_done", two, 2) is True
    assert check(db, "fn_check_people_done", make(db, "three", slots=3)) is True
    assert check(db, "fn_check_blog_done", make(db, "blog", blog=True)) is True
    assert check(db, "fn_check_blog_done", make(db, "noblog")) is False
    assert check(db, "fn_check_bit_done", make(db, "bit", bit={})) is True
    assert check(db, "fn_check_bit_done", make(db, "bit0", bit={"signal_count": 0})) is False
    assert check(db, "fn_check_bit_done", make(db, "bitnull", bit={"score": None})) is False
    assert check(db, "fn_check_company_target_done", make(db, "none")) is False


def test_blocking_error_checkers(db, ids):
    assert check(db, "fn_has_blocking_dol_errors", ids["dol_parked"]) is True
    assert check(db, "fn_has_blocking_dol_errors", ids["campaign"]) is False
    assert check(db, "fn_has_blocking_company_target_errors", ids["ct_retry"]) is True
    assert check(db, "fn_has_blocking_people_errors", ids["resolved_only"]) is False


def test_tiers(db, ids):
    expected = {
        "campaign": (True, True, True),
        "complete": (True, True, False),
        "marketing": (True, False, False),
        "low_confidence": (False, False, False),
        "dol_parked": (True, False, False),
        "ct_retry": (False, False, False),
        "system_error": (True, False, False),
        "resolved_only": (True, True, True),
        "nothing": (False, False, False),
    }
    for name, tiers in expected.items():
        oid = ids[name]
        got = (
            check(db, "fn_is_tier1_marketing_ready", oid),
            check(db, "fn_is_tier2_enrichment_complete", oid),
            check(db, "fn_is_tier3_campaign_ready", oid),
        )
        assert got == tiers, name


def test_readiness_view_agrees_with_the_functions(db, ids):
    rows = db.execute(
        "SELECT outreach_id, company_target_done, dol_done, people_done, blog_done, bit_done,"
        " tier1_marketing_ready, tier2_enrichment_complete, tier3_campaign_ready, highest_tier, blocking_errors"
        " FROM shq.vw_promotion_readiness"
    ).fetchall()
    assert len(rows) == len(ids)
    for oid, *values in rows:
        functions = [
            check(db, name, oid)
            for name in (
                "fn_check_company_target_done",
                "fn_check_dol_done",
                "fn_check_people_done",
                "fn_check_blog_done",
                "fn_check_bit_done",
                "fn_is_tier1_marketing_ready",
                "fn_is_tier2_enrichment_complete",
                "fn_is_tier3_campaign_ready",
            )
        ]
        assert values[:8] == functions, oid
    by_id = {r[0]: r for r in rows}
    assert by_id[ids["campaign"]][9] == 3
    assert by_id[ids["complete"]][9] == 2
    assert by_id[ids["dol_parked"]][9] == 1
    assert by_id[ids["ct_retry"]][10] == 1  # the IGNORE error does not count


def test_readiness_summary(db, ids):
    rows = db.execute("SELECT * FROM shq.vw_promotion_readiness_summary").fetchall()
    assert rows == [
        (3, "TIER_3_CAMPAIGN_READY", 2),
        (2, "TIER_2_ENRICHMENT_COMPLETE", 1),
        (1, "TIER_1_MARKETING_READY", 3),
        (0, "NOT_READY", 3),
    ]


def test_promotion_blockers(db, ids):
    blockers = db.execute("SELECT * FROM shq.fn_get_promotion_blockers(%s)", (ids["dol_parked"],)).fetchall()
    assert blockers == [
        ("BLOCKING_ERRORS", "HUB-DOL", "outreach.dol_errors: 1 blocking error(s), 1 parked, escalation level 0")
    ]
    blockers = db.execute("SELECT blocker, hub FROM shq.fn_get_promotion_blockers(%s)", (ids["marketing"],)).fetchall()
    assert blockers == [("HUB_NOT_DONE", hub) for hub in HUBS[1:]]
    assert db.execute("SELECT * FROM shq.fn_get_promotion_blockers(%s)", (ids["campaign"],)).fetchall() == []


def test_can_promote_to_hub(db, ids):
    def can(name, hub):
        return check(db, "fn_can_promote_to_hub", ids[name], hub)

    assert [can("nothing", hub) for hub in HUBS] == [True, False, False, False, False]
    assert [can("marketing", hub) for hub in HUBS] == [True, True, False, True, False]
    assert [can("campaign", hub) for hub in HUBS] == [True] * 5
    assert [can("dol_parked", hub) for hub in HUBS] == [True, True, False, True, False]
    assert [can("ct_retry", hub) for hub in HUBS] == [True, False, False, False, False]
    with pytest.raises(Exception, match="unknown hub HUB-CRM"):
        can("campaign", "HUB-CRM")
