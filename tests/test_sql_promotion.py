"""DONE states, blocking errors, promotion and the three tiers, on crafted outreach ids; the
set-based readiness view agrees with the per-id functions on every edge of every criterion (one
definition per hub); the hubs are rows of shq.hubs; the plans are lookups for one id and joins
for the view."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from tests.pg import MIGRATIONS, psql_file

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


# --- one definition per hub: the view and the functions on every edge -----------------------

CT_VARIANTS = {  # company_target row (None: no row), its confidence score
    "done": {},
    "pending": {"execution_status": "pending"},
    "no_email": {"email_method": None},
    "no_confidence": {"confidence_score": None},
    "no_imo": {"imo_completed_at": None},
    "low_confidence": {"confidence_score": 0.5},
    "missing": None,
}
DOL_VARIANTS = {"done": {}, "no_ein": {"ein": None}, "no_filing": {"filing_present": False}, "missing": None}
PEOPLE_VARIANTS = {  # (filled, verified) slots besides one unfilled slot; None: no slot row at all
    "missing": None,
    "unfilled": (0, 0),
    "2/2": (2, 2),
    "3/2": (3, 2),
    "3/3": (3, 3),
}
BIT_VARIANTS = {"done": {}, "no_score": {"score": None}, "no_signal": {"signal_count": 0}, "missing": None}
ERROR_VARIANTS = {  # the (table, disposition) of each error row of an outreach id
    "none": [],
    "ct_retry": [("outreach.company_target_errors", "RETRY")],
    "url_parked": [("company.url_discovery_failures", "PARKED")],
    "dol_parked": [("outreach.dol_errors", "PARKED")],
    "people_unset": [("people.people_errors", None)],
    "system_retry": [("public.shq_error_log", "RETRY")],
    "settled": [
        ("outreach.company_target_errors", "IGNORE"),
        ("outreach.dol_errors", "RESOLVED"),
        ("people.people_errors", "ARCHIVED"),
    ],
}
BLOCKS = {  # the hub an error table's blocking errors count for (None: the all-hub total only)
    "outreach.company_target_errors": "company_target",
    "company.url_discovery_failures": "company_target",
    "outreach.dol_errors": "dol",
    "people.people_errors": "people",
    "public.shq_error_log": None,
}
DONE_COLUMNS = ["company_target_done", "dol_done", "people_done", "blog_done", "bit_done"]
TIER_COLUMNS = ["tier1_marketing_ready", "tier2_enrichment_complete", "tier3_campaign_ready"]
CHECKERS = [f"fn_check_{c.removesuffix('_done')}_done" for c in DONE_COLUMNS]
TIER_FUNCTIONS = ["fn_is_tier1_marketing_ready", "fn_is_tier2_enrichment_complete", "fn_is_tier3_campaign_ready"]
HUB_TABLES = {"company_target", "dol", "company_slot", "blog", "bit_scores"}


def cases() -> list[tuple[str, str, str, str, str, str]]:
    """(ct, dol, people, blog, bit, errors): every combination of the hubs' variants without
    errors, and each error variant on outreach ids whose hubs are all DONE (with 3 and with 2
    verified slots), so that only the errors decide their tiers."""
    combinations = [
        (ct, dol, people, blog, bit, "none")
        for ct in CT_VARIANTS
        for dol in DOL_VARIANTS
        for people in PEOPLE_VARIANTS
        for blog in ("done", "missing")
        for bit in BIT_VARIANTS
    ]
    with_errors = [
        (ct, "done", people, "done", "done", errors)
        for errors in ERROR_VARIANTS
        if errors != "none"
        for ct in ("done", "low_confidence")
        for people in ("3/3", "3/2")
    ]
    return combinations + with_errors


def case_id(case: tuple[str, ...]) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, "/".join(case))


def load(db, all_cases: list[tuple[str, ...]]) -> None:
    """The outreach ids of ``all_cases`` with their hub and error rows, then ANALYZE (plans as
    on a database whose statistics are current)."""
    with db.cursor() as cur:
        cur.executemany(
            "INSERT INTO outreach.outreach (outreach_id, domain) VALUES (%s, %s)",
            [(case_id(c), "/".join(c)) for c in all_cases],
        )
        ct_rows, dol_rows, slot_rows, blog_rows, bit_rows, error_rows = [], [], [], [], [], []
        for case in all_cases:
            oid = case_id(case)
            ct, dol, people, blog, bit, errors = case
            if CT_VARIANTS[ct] is not None:
                row = {
                    "execution_status": "ready",
                    "email_method": "pattern",
                    "confidence_score": 0.9,
                    "imo_completed_at": "2026-02-01T00:00:00Z",
                    **CT_VARIANTS[ct],
                }
                ct_rows.append((oid, *row.values()))
            if DOL_VARIANTS[dol] is not None:
                row = {"ein": "12-3456789", "filing_present": True, **DOL_VARIANTS[dol]}
                dol_rows.append((oid, *row.values()))
            if PEOPLE_VARIANTS[people] is not None:
                filled, verified = PEOPLE_VARIANTS[people]
                slot_rows += [(oid, f"slot{i}", True, i < verified) for i in range(filled)]
                slot_rows.append((oid, "unfilled", False, False))
            if blog == "done":
                blog_rows.append((oid,))
            if BIT_VARIANTS[bit] is not None:
                row = {"score": 71.5, "signal_count": 4, **BIT_VARIANTS[bit]}
                bit_rows.append((oid, *row.values()))
            error_rows += [(table, oid, disposition) for table, disposition in ERROR_VARIANTS[errors]]
        cur.executemany(
            "INSERT INTO outreach.company_target (outreach_id, execution_status, email_method, confidence_score,"
            " imo_completed_at) VALUES (%s, %s, %s, %s, %s)",
            ct_rows,
        )
        cur.executemany("INSERT INTO outreach.dol (outreach_id, ein, filing_present) VALUES (%s, %s, %s)", dol_rows)
        cur.executemany(
            "INSERT INTO people.company_slot (outreach_id, slot_type, is_filled, email_verified) VALUES (%s, %s, %s, %s)",
            slot_rows,
        )
        cur.executemany("INSERT INTO outreach.blog (outreach_id) VALUES (%s)", blog_rows)
        cur.executemany(
            "INSERT INTO outreach.bit_scores (outreach_id, score, signal_count) VALUES (%s, %s, %s)", bit_rows
        )
        for table, oid, disposition in error_rows:
            cur.execute(
                f"INSERT INTO {table} (outreach_id, failure_code, disposition) VALUES (%s, 'X', %s)", (oid, disposition)
            )
    db.execute("ANALYZE")


def expected(case: tuple[str, ...], min_slots: int) -> dict[str, object]:
    """What the document says of one case, column by column of the readiness view."""
    ct, dol, people, blog, bit, errors = case
    confidence = None if CT_VARIANTS[ct] is None else CT_VARIANTS[ct].get("confidence_score", 0.9)
    filled, verified = PEOPLE_VARIANTS[people] or (0, 0)
    blocking = {"company_target": 0, "dol": 0, "people": 0, "blog": 0, "bit": 0}
    total = 0
    for table, disposition in ERROR_VARIANTS[errors]:
        if disposition in ("RETRY", "PARKED", None):
            total += 1
            if BLOCKS[table] is not None:
                blocking[BLOCKS[table]] += 1
    done = {
        "company_target_done": ct in ("done", "low_confidence"),
        "dol_done": dol == "done",
        "people_done": PEOPLE_VARIANTS[people] is not None and filled >= min_slots,
        "blog_done": blog == "done",
        "bit_done": bit == "done",
    }
    tier1 = done["company_target_done"] and confidence >= 0.8 and blocking["company_target"] == 0
    tier2 = all(done.values()) and total == 0
    tier3 = tier2 and verified >= min_slots
    return {
        **done,
        "filled_slots": filled,
        "verified_slots": verified,
        "blocking_errors": total,
        **{f"{hub}_blocking": n for hub, n in blocking.items()},
        "tier1_marketing_ready": tier1,
        "tier2_enrichment_complete": tier2,
        "tier3_campaign_ready": tier3,
        "highest_tier": 3 if tier3 else 2 if tier2 else 1 if tier1 else 0,
    }


@pytest.fixture
def generated(db):
    all_cases = cases()
    load(db, all_cases)
    return {case_id(c): c for c in all_cases}


@pytest.mark.parametrize("min_slots", [3, 2, 0])
def test_view_and_functions_agree_on_every_edge(db, generated, min_slots):
    db.execute("UPDATE shq.promotion_settings SET min_slots = %s", (min_slots,))
    columns = [*DONE_COLUMNS, "filled_slots", "verified_slots", "blocking_errors"]
    columns += [f"{hub}_blocking" for hub in ("company_target", "dol", "people", "blog", "bit")]
    columns += [*TIER_COLUMNS, "highest_tier"]
    view = {
        row[0]: dict(zip(columns, row[1:], strict=True))
        for row in db.execute(f"SELECT outreach_id, {', '.join(columns)} FROM shq.vw_promotion_readiness")
    }
    calls = [f"shq.{f}(outreach_id)" for f in CHECKERS + TIER_FUNCTIONS]
    calls += [f"shq.fn_hub_done(outreach_id, '{hub}')" for hub in HUBS]
    functions = {
        row[0]: row[1:] for row in db.execute(f"SELECT outreach_id, {', '.join(calls)} FROM outreach.outreach")
    }
    assert len(view) == len(functions) == len(generated) == 7 * 4 * 5 * 2 * 4 + 24
    for oid, case in generated.items():
        want = expected(case, min_slots)
        assert view[oid] == want, case
        done, tiers = [want[c] for c in DONE_COLUMNS], [want[c] for c in TIER_COLUMNS]
        assert list(functions[oid]) == done + tiers + done, case
    # Every edge is there: of the 1,120 combinations (and the 24 all-DONE ids with errors), how
    # many each hub holds DONE, and each tier.
    people_variants_done = {3: 2, 2: 3, 0: 4}[min_slots]  # 3/2 and 3/3; and 2/2; and unfilled
    verified_enough = {3: 1, 2: 3, 0: 4}[min_slots]  # 3/3; and 2/2, 3/2; and unfilled
    counts = {c: sum(v[c] for v in view.values()) for c in DONE_COLUMNS + TIER_COLUMNS}
    assert counts == {
        "company_target_done": 1120 * 2 // 7 + 24,  # done, low_confidence
        "dol_done": 1120 // 4 + 24,
        "people_done": 1120 * people_variants_done // 5 + 24,
        "blog_done": 1120 // 2 + 24,
        "bit_done": 1120 // 4 + 24,
        "tier1_marketing_ready": 1120 // 7 + 8,  # ct done; the 12 with errors but 4 blocking CT
        "tier2_enrichment_complete": 2 * people_variants_done + 4,  # and the 4 "settled" ids
        # and of the 4 "settled" ids, those with 3 verified slots, and with 2 when min_slots <= 2
        "tier3_campaign_ready": 2 * verified_enough + (2 if min_slots == 3 else 4),
    }


def test_the_people_checker_takes_its_own_min_slots(db, generated):
    for min_slots in (0, 2, 3, 4):
        got = dict(
            db.execute(
                "SELECT outreach_id, shq.fn_check_people_done(outreach_id, %s) FROM outreach.outreach", (min_slots,)
            )
        )
        assert got == {oid: expected(case, min_slots)["people_done"] for oid, case in generated.items()}, min_slots


def test_summary_counts_the_generated_tiers(db, generated):
    tiers = [expected(case, 3)["highest_tier"] for case in generated.values()]
    assert [tiers.count(tier) for tier in (3, 2, 1, 0)] == [4, 4, 164, 972]
    assert db.execute("SELECT tier, outreach_count FROM shq.vw_promotion_readiness_summary").fetchall() == [
        (3, 4),
        (2, 4),
        (1, 164),
        (0, 972),
    ]


def test_a_tier_nobody_reaches_counts_zero(db):
    assert db.execute("SELECT * FROM shq.vw_promotion_readiness_summary").fetchall() == [
        (3, "TIER_3_CAMPAIGN_READY", 0),
        (2, "TIER_2_ENRICHMENT_COMPLETE", 0),
        (1, "TIER_1_MARKETING_READY", 0),
        (0, "NOT_READY", 0),
    ]
    make(db, "nothing")
    assert [r[2] for r in db.execute("SELECT * FROM shq.vw_promotion_readiness_summary")] == [0, 0, 0, 1]


def test_an_unknown_hub_is_neither_done_nor_a_promotion_target(db, ids):
    assert check(db, "fn_hub_done", ids["campaign"], "HUB-CRM") is None
    assert check(db, "fn_hub_done", ids["campaign"], "HUB-BLOG") is True
    with pytest.raises(psycopg.errors.RaiseException, match="unknown hub HUB-CRM"):
        check(db, "fn_can_promote_to_hub", ids["campaign"], "HUB-CRM")


# --- the hubs table -------------------------------------------------------------------------


def test_the_hubs_table(db):
    assert db.execute("SELECT * FROM shq.hubs ORDER BY sort_order").fetchall() == [
        ("HUB-COMPANY-TARGET", "Company Target", 1, "shq", "fn_check_company_target_done"),
        ("HUB-DOL", "DOL", 2, "shq", "fn_check_dol_done"),
        ("HUB-PEOPLE", "People", 3, "shq", "fn_check_people_done"),
        ("HUB-BLOG", "Blog", 4, "shq", "fn_check_blog_done"),
        ("HUB-BIT", "BIT", 5, "shq", "fn_check_bit_done"),
    ]
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute("INSERT INTO shq.hub_promotion_prerequisites VALUES ('HUB-CRM', 'HUB-DOL')")


CRM_CHECKER = """
CREATE SCHEMA "crm hub";
CREATE TABLE "crm hub".accounts (outreach_id uuid PRIMARY KEY);
CREATE FUNCTION "crm hub"."fn_check_crm_done"(p_outreach_id uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM "crm hub".accounts a WHERE a.outreach_id = p_outreach_id)
$$;
"""


def test_a_sixth_hub_is_a_row_not_an_edited_function(db, ids):
    # A quoted schema name: the checker is called through format('%I.%I').
    db.execute(CRM_CHECKER)
    db.execute("INSERT INTO shq.hubs VALUES ('HUB-CRM', 'CRM', 6, 'crm hub', 'fn_check_crm_done')")
    db.execute("INSERT INTO shq.hub_promotion_prerequisites VALUES ('HUB-CRM', 'HUB-BLOG')")

    def blockers(name):
        return db.execute("SELECT blocker, hub FROM shq.fn_get_promotion_blockers(%s)", (ids[name],)).fetchall()

    assert blockers("campaign") == [("HUB_NOT_DONE", "HUB-CRM")]
    assert blockers("marketing") == [("HUB_NOT_DONE", hub) for hub in [*HUBS[1:], "HUB-CRM"]]
    assert check(db, "fn_can_promote_to_hub", ids["campaign"], "HUB-CRM") is True
    assert check(db, "fn_can_promote_to_hub", ids["marketing"], "HUB-CRM") is False  # Blog is not DONE
    db.execute('INSERT INTO "crm hub".accounts VALUES (%s)', (ids["campaign"],))
    assert blockers("campaign") == []
    assert check(db, "fn_hub_done", ids["campaign"], "HUB-CRM") is True
    # The hub order is the table's: first when its sort_order is lowest.
    db.execute("UPDATE shq.hubs SET sort_order = 0 WHERE hub_id = 'HUB-CRM'")
    assert blockers("marketing")[0] == ("HUB_NOT_DONE", "HUB-CRM")
    # Another hub may require it; the tiers stay those of the document's five hubs.
    db.execute("INSERT INTO shq.hub_promotion_prerequisites VALUES ('HUB-BIT', 'HUB-CRM')")
    assert check(db, "fn_can_promote_to_hub", ids["complete"], "HUB-BIT") is False
    assert check(db, "fn_can_promote_to_hub", ids["campaign"], "HUB-BIT") is True
    assert db.execute(
        "SELECT highest_tier FROM shq.vw_promotion_readiness WHERE outreach_id = %s", (ids["complete"],)
    ).fetchone() == (2,)


def test_a_second_run_keeps_the_hubs_and_their_edits(db, db_url):
    db.execute("UPDATE shq.hubs SET display_name = 'Company target (CT)' WHERE hub_id = 'HUB-COMPANY-TARGET'")
    before = db.execute("SELECT * FROM shq.hubs ORDER BY hub_id").fetchall()
    prerequisites = db.execute("SELECT * FROM shq.hub_promotion_prerequisites ORDER BY 1, 2").fetchall()
    # The promotion migration again, then the files after it (which replace some of its
    # functions), in the plan's order: the hubs and their edits are kept.
    at = next(i for i, path in enumerate(MIGRATIONS) if path.name == "2026-02-02-promotion-gate-functions.sql")
    for path in MIGRATIONS[at:]:
        result = psql_file(db_url, path)
        assert result.returncode == 0, (path.name, result.stderr)
        assert db.execute("SELECT * FROM shq.hubs ORDER BY hub_id").fetchall() == before, path.name
    assert db.execute("SELECT * FROM shq.hub_promotion_prerequisites ORDER BY 1, 2").fetchall() == prerequisites
    assert len(prerequisites) == 8


# --- plans: index lookups for one id, joins for the view -------------------------------------


def plan_nodes(plan: dict) -> list[dict]:
    nodes, stack = [], [plan]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack += node.get("Plans", [])
    return nodes


def test_a_checker_is_an_index_lookup(db, generated):
    # The body as the function runs it, parameters as $n, with a generic plan: what a call of
    # the function plans for any outreach id.
    db.execute("SET plan_cache_mode = force_generic_plan")
    for checker in CHECKERS:
        body, types = db.execute(
            "SELECT prosrc, proargtypes::regtype[]::text[] FROM pg_proc WHERE oid = %s::regproc", (f"shq.{checker}",)
        ).fetchone()
        body = body.replace("p_outreach_id", "$1").replace("p_min_slots", "$2")
        db.execute(f"PREPARE probe ({', '.join(types)}) AS {body}")
        args = ", ".join(["NULL"] * len(types))
        plan = db.execute(f"EXPLAIN (FORMAT JSON) EXECUTE probe ({args})").fetchone()[0][0]["Plan"]
        db.execute("DEALLOCATE probe")
        # A Bitmap Heap Scan's condition is its Recheck Cond (its Bitmap Index Scan names no table).
        scans = [
            (n["Node Type"], n.get("Index Cond") or n.get("Recheck Cond"))
            for n in plan_nodes(plan)
            if n.get("Relation Name") in HUB_TABLES
        ]
        assert len(scans) == 1, (checker, scans)
        ((kind, condition),) = scans
        assert kind in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan"), (checker, kind)
        assert condition == "(outreach_id = $1)", checker


def test_the_view_joins_each_hub_table_once(db, generated):
    plan = db.execute("EXPLAIN (FORMAT JSON, VERBOSE) SELECT * FROM shq.vw_promotion_readiness").fetchone()[0][0]
    nodes = plan_nodes(plan["Plan"])
    scanned = sorted(n["Relation Name"] for n in nodes if n.get("Relation Name") in HUB_TABLES)
    assert scanned == sorted(HUB_TABLES)  # inlined: no Function Scan, each table read once
    assert not [n for n in nodes if n["Node Type"] == "Function Scan" or "Index Cond" in n]
    joins = [n["Node Type"] for n in nodes if n["Node Type"] in ("Hash Join", "Merge Join", "Nested Loop")]
    assert joins.count("Hash Join") + joins.count("Merge Join") == 6  # the five hubs and the blocking errors
    assert joins.count("Nested Loop") == 1  # the one row of shq.promotion_settings
    assert "shq.fn_" not in json.dumps(plan)  # no function is called per row


def test_the_view_may_run_in_parallel(db, generated):
    # Parallel plans made free: the planner takes one unless something in the view, or in the
    # functions it inlines, is not parallel safe.
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
        db.execute(f"SET {setting} = 0")
    db.execute("SET max_parallel_workers_per_gather = 2")
    plan = db.execute("EXPLAIN (FORMAT JSON) SELECT * FROM shq.vw_promotion_readiness").fetchone()[0][0]
    assert {"Gather", "Gather Merge"} & {n["Node Type"] for n in plan_nodes(plan["Plan"])}
