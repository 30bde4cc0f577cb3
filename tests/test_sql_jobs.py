"""The governance jobs on crafted rows: which rows archive, park, escalate and are cleaned up;
batches, idempotence, the schedule's lock, the run log, reused ids, further governed tables
(long, quoted, partitioned, failing), and conservation under two concurrent runners with
concurrent inserts. (Whole schedules under concurrent runners and kills: test_sql_jobs_concurrency.py.)"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add(db, table: str, error_id: int, age: timedelta, **columns) -> None:
    columns = {"failure_code": "X", "created_at": NOW - age, **columns}
    names = ", ".join(["error_id", *columns])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", (error_id, *columns.values()))


def live_ids(db, table: str) -> list[int]:
    return [r[0] for r in db.execute(f"SELECT error_id FROM {table} ORDER BY 1")]


def archived(db, table: str) -> list[tuple]:
    return db.execute(
        f"SELECT error_id, archive_reason::text, final_disposition::text, disposition::text, archived_at,"
        f" retention_expires_at, archived_by FROM {table}_archive ORDER BY 1"
    ).fetchall()


def run(db, function: str, *args):
    """(error_table, rows_affected, batches, status) of each table a job went through."""
    return db.execute(
        f"SELECT error_table, rows_affected, batches, status FROM shq.{function}(%s{', %s' * len(args)})", (NOW, *args)
    ).fetchall()


def test_archive_by_ttl_tier_reason_and_retention(db):
    t = "outreach.company_target_errors"
    add(db, t, 1, timedelta(days=8), ttl_tier="SHORT")  # expired
    add(db, t, 2, timedelta(days=6), ttl_tier="SHORT")  # not yet
    add(db, t, 3, timedelta(days=31), ttl_tier="MEDIUM", disposition="RESOLVED")  # expired, RESOLVED
    add(db, t, 4, timedelta(days=29), ttl_tier="MEDIUM")
    add(db, t, 5, timedelta(days=91), ttl_tier="LONG", disposition="IGNORE")  # expired
    add(db, t, 6, timedelta(days=89), ttl_tier="LONG")
    add(db, t, 7, timedelta(days=4000), ttl_tier="INFINITE")  # never
    add(db, t, 8, timedelta(days=60), ttl_tier="SHORT", disposition="PARKED")  # parked: escalates instead
    add(db, t, 9, timedelta(hours=1), disposition="ARCHIVED")  # by hand: MANUAL
    add(db, t, 10, timedelta(days=8), ttl_tier="SHORT", disposition=None)  # not yet backfilled

    result = run(db, "fn_archive_expired_errors")
    assert ("outreach.company_target_errors", 5, 1, "ok") in result
    assert live_ids(db, t) == [2, 4, 6, 7, 8]
    year = NOW + timedelta(days=365)
    assert archived(db, t) == [
        (1, "TTL_EXPIRED", "RETRY", "ARCHIVED", NOW, year, "shq.fn_archive_expired_errors"),
        (3, "RESOLVED", "RESOLVED", "ARCHIVED", NOW, year, "shq.fn_archive_expired_errors"),
        (5, "TTL_EXPIRED", "IGNORE", "ARCHIVED", NOW, year, "shq.fn_archive_expired_errors"),
        (9, "MANUAL", "ARCHIVED", "ARCHIVED", NOW, year, "shq.fn_archive_expired_errors"),
        (10, "TTL_EXPIRED", None, "ARCHIVED", NOW, year, "shq.fn_archive_expired_errors"),
    ]
    # Idempotent: a second run at the same time moves nothing.
    assert ("outreach.company_target_errors", 0, 0, "ok") in run(db, "fn_archive_expired_errors")


def test_shq_error_log_keeps_archives_two_years(db):
    add(db, "public.shq_error_log", 1, timedelta(days=8), ttl_tier="SHORT")
    run(db, "fn_archive_expired_errors")
    [(expires,)] = db.execute("SELECT retention_expires_at FROM public.shq_error_log_archive").fetchall()
    assert expires == NOW.replace(year=NOW.year + 2)


def fill_pages(db, table: str, rows: int) -> None:
    """Rows of about 1.9 kB (four to a page), so that a batch of four rows is one block."""
    db.execute(
        f"INSERT INTO {table} (error_id, failure_code, error_message, created_at)"
        " SELECT g, 'X', (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 58) i),"
        " %s - interval '40 days' FROM generate_series(1, %s) g",
        (NOW, rows),
    )
    db.execute(f"ANALYZE {table}")


def rows_per_block(db, table: str) -> int:
    """A batch size of one block's worth of rows, as the job estimates it from the statistics."""
    return int(db.execute("SELECT reltuples / relpages FROM pg_class WHERE oid = %s::regclass", (table,)).fetchone()[0])


def test_batches_are_chunks_of_about_batch_size_rows(db):
    t = "people.people_errors"
    fill_pages(db, t, 13)
    pages = db.execute(f"SELECT count(DISTINCT (ctid::text::point)[0]) FROM {t}").fetchone()[0]
    assert pages >= 3
    assert ("people.people_errors", 13, pages, "ok") in run(db, "fn_archive_expired_errors", rows_per_block(db, t))
    assert live_ids(db, t) == []


def test_one_batch_per_call_goes_on_where_the_last_call_stopped(db):
    t = "people.people_errors"
    fill_pages(db, t, 13)
    batch = rows_per_block(db, t)
    blocks = [
        {r[0] for r in db.execute(f"SELECT error_id FROM {t} WHERE (ctid::text::point)[0] = %s", (b,))}
        for b in range(db.execute(f"SELECT max((ctid::text::point)[0])::int + 1 FROM {t}").fetchone()[0])
    ]
    remaining = set(range(1, 14))
    for block in blocks:
        [row] = db.execute(
            "SELECT rows_affected, batches, more FROM shq.fn_archive_expired_errors(%s, %s, 1) WHERE error_table = %s",
            (NOW, batch, t),
        ).fetchall()
        assert row == (len(block), 1, block is not blocks[-1])  # one block per call, in order
        remaining -= block
        assert set(live_ids(db, t)) == remaining
    # Finished for this p_now: a further call does nothing and says so.
    assert db.execute(
        "SELECT rows_affected, more FROM shq.fn_archive_expired_errors(%s, %s, 1) WHERE error_table = %s",
        (NOW, batch, t),
    ).fetchall() == [(0, False)]


def test_keyset_jobs_resume_too(db):
    t = "outreach.dol_errors"
    for i in range(1, 8):
        add(db, t, i, timedelta(days=1), retry_count=6)
    done = []
    for _ in range(10):
        [(rows, more)] = db.execute(
            "SELECT rows_affected, more FROM shq.fn_auto_park_exhausted_retries(%s, 3, 1) WHERE error_table = %s",
            (NOW, t),
        ).fetchall()
        done.append(rows)
        if not more:
            break
    assert done == [3, 3, 1]


def test_auto_park(db):
    t = "outreach.dol_errors"  # max_retries 5 here
    add(db, t, 1, timedelta(days=1), retry_count=5)
    add(db, t, 2, timedelta(days=1), retry_count=4)
    add(db, t, 3, timedelta(days=1), retry_count=9, disposition="RESOLVED")
    add(db, t, 4, timedelta(days=1), retry_count=6, disposition=None)
    add(db, t, 5, timedelta(days=1), retry_count=2, max_retries=2)
    assert ("outreach.dol_errors", 3, 1, "ok") in run(db, "fn_auto_park_exhausted_retries")
    rows = db.execute(
        f"SELECT error_id, disposition::text, retry_exhausted, parked_at, parked_by, park_reason, escalation_level"
        f" FROM {t} ORDER BY 1"
    ).fetchall()
    parked = (True, NOW, "shq.fn_auto_park_exhausted_retries", "MAX_RETRIES_EXCEEDED", 0)
    assert rows == [
        (1, "PARKED", *parked),
        (2, "RETRY", False, None, None, None, 0),
        (3, "RESOLVED", False, None, None, None, 0),
        (4, "PARKED", *parked),
        (5, "PARKED", *parked),
    ]
    assert ("outreach.dol_errors", 0, 0, "ok") in run(db, "fn_auto_park_exhausted_retries")


def test_escalation_by_age_of_parking(db):
    t = "outreach.company_target_errors"
    ages = {1: timedelta(hours=23), 2: timedelta(hours=25), 3: timedelta(hours=73), 4: timedelta(days=8)}
    for error_id, age in ages.items():
        add(db, t, error_id, timedelta(days=1), disposition="PARKED", parked_at=NOW - age)
    add(db, t, 5, timedelta(days=1), disposition="RETRY", parked_at=NOW - timedelta(days=9))
    assert ("outreach.company_target_errors", 3, 1, "ok") in run(db, "fn_escalate_stale_parked_errors")
    rows = db.execute(f"SELECT error_id, escalation_level, escalated_at FROM {t} ORDER BY 1").fetchall()
    assert rows == [(1, 0, None), (2, 1, NOW), (3, 2, NOW), (4, 3, NOW), (5, 0, None)]
    assert ("outreach.company_target_errors", 0, 0, "ok") in run(db, "fn_escalate_stale_parked_errors")
    # Two days later the 23-hour row reaches level 1 and the 25-hour one level 2.
    later = db.execute(
        "SELECT error_table, rows_affected, batches, status FROM shq.fn_escalate_stale_parked_errors(%s)",
        (NOW + timedelta(hours=48),),
    ).fetchall()
    assert ("outreach.company_target_errors", 2, 1, "ok") in later
    assert [r[0] for r in db.execute(f"SELECT escalation_level FROM {t} ORDER BY error_id")] == [1, 2, 2, 3, 0]


def test_weekly_cleanup(db):
    t = "outreach.dol_errors"
    add(db, t, 1, timedelta(days=40))
    add(db, t, 2, timedelta(days=40))
    run(db, "fn_archive_expired_errors")
    db.execute(f"UPDATE {t}_archive SET retention_expires_at = %s WHERE error_id = 1", (NOW - timedelta(seconds=1),))
    assert ("outreach.dol_errors_archive", 1, 1, "ok") in run(db, "fn_cleanup_expired_archives")
    assert [r[0] for r in db.execute(f"SELECT error_id FROM {t}_archive")] == [2]
    assert ("outreach.dol_errors_archive", 0, 0, "ok") in run(db, "fn_cleanup_expired_archives")


def test_cleanup_in_batches_over_several_archives(db):
    for table in ("outreach.dol_errors", "people.people_errors"):
        for i in range(1, 6):
            add(db, table, i, timedelta(days=40))
    run(db, "fn_archive_expired_errors")
    later = db.execute(
        "SELECT error_table, rows_affected, batches, status FROM shq.fn_cleanup_expired_archives(%s, 2)",
        (NOW + timedelta(days=400),),
    ).fetchall()
    assert ("outreach.dol_errors_archive", 5, 1, "ok") in later
    assert ("people.people_errors_archive", 5, 1, "ok") in later


def test_master_runner_runs_the_three_daily_jobs_and_logs_them(db):
    t = "outreach.company_target_errors"
    add(db, t, 1, timedelta(days=8), ttl_tier="SHORT")
    add(db, t, 2, timedelta(days=1), retry_count=3)
    add(db, t, 3, timedelta(days=1), disposition="PARKED", parked_at=NOW - timedelta(days=2))
    rows = db.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall()
    mine = [r for r in rows if r[1] == t]
    assert mine == [
        ("archive_expired_errors", t, 1, "ok"),
        ("auto_park_exhausted_retries", t, 1, "ok"),
        ("escalate_stale_parked_errors", t, 1, "ok"),
    ]
    assert len(rows) == 18  # three jobs on six tables (the five of the document and shq.guard_violations)
    log = db.execute(
        "SELECT job_name, rows_affected, status, as_of FROM shq.governance_job_runs WHERE error_table = %s ORDER BY run_id",
        (t,),
    ).fetchall()
    assert log == [
        ("archive_expired_errors", 1, "ok", NOW),
        ("auto_park_exhausted_retries", 1, "ok", NOW),
        ("escalate_stale_parked_errors", 1, "ok", NOW),
    ]
    # The document's call, as written, works too.
    assert len(db.execute("SELECT * FROM shq.fn_run_error_governance_jobs();").fetchall()) == 18


def test_a_held_schedule_lock_gives_skipped(db, db_url):
    add(db, "outreach.dol_errors", 1, timedelta(days=40))
    with psycopg.connect(db_url) as other:
        other.execute("SELECT pg_advisory_xact_lock(key1, key2) FROM shq.fn_schedule_lock_key('daily')")
        assert run(db, "fn_archive_expired_errors") == [(None, 0, 0, "skipped")]
        assert run(db, "fn_auto_park_exhausted_retries") == [(None, 0, 0, "skipped")]  # the same schedule
        assert db.execute("SELECT job_name, status FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall() == [
            ("archive_expired_errors", "skipped"),
            ("auto_park_exhausted_retries", "skipped"),
            ("escalate_stale_parked_errors", "skipped"),
        ]
        assert run(db, "fn_cleanup_expired_archives")[0][3] == "ok"  # the weekly one is another schedule
        other.rollback()
    assert live_ids(db, "outreach.dol_errors") == [1]
    assert db.execute(
        "SELECT DISTINCT status, message FROM shq.governance_job_runs WHERE job_name = 'archive_expired_errors'"
    ).fetchall() == [("skipped", "another runner holds the daily schedule")]
    assert ("outreach.dol_errors", 1, 1, "ok") in run(db, "fn_archive_expired_errors")


def test_an_id_the_archive_holds_already_is_parked_with_its_reason_and_blocks_nothing(db):
    t = "outreach.dol_errors"
    add(db, t, 1, timedelta(days=40))
    add(db, t, 2, timedelta(days=40))
    add(db, "people.people_errors", 7, timedelta(days=40))
    # An archived row with id 2 from before the sequence was reset.
    db.execute(
        f"INSERT INTO {t}_archive (error_id, failure_code, created_at, retry_count, max_retries,"
        " escalation_level, ttl_tier, retry_exhausted) VALUES (2, 'OLD', now(), 0, 5, 0, 'MEDIUM', false)"
    )
    rows = run(db, "fn_archive_expired_errors")
    assert (t, 1, 1, "ok") in rows and ("people.people_errors", 1, 1, "ok") in rows
    assert live_ids(db, t) == [2]
    assert db.execute(
        f"SELECT disposition::text, park_reason, parked_by, parked_at FROM {t} WHERE error_id = 2"
    ).fetchone() == ("PARKED", "ARCHIVE_ID_TAKEN", "shq.fn_archive_expired_errors", NOW)
    assert db.execute(f"SELECT error_id, failure_code FROM {t}_archive ORDER BY 1").fetchall() == [
        (1, "X"),
        (2, "OLD"),  # untouched
    ]
    assert (t, 0, 0, "ok") in run(db, "fn_archive_expired_errors")  # parked: not tried again


def test_one_failing_table_is_reported_and_the_others_still_run(db):
    add(db, "outreach.dol_errors", 1, timedelta(days=40))
    add(db, "people.people_errors", 2, timedelta(days=40))
    db.execute("ALTER TABLE outreach.dol_errors_archive RENAME TO dol_errors_archive_gone")
    rows = run(db, "fn_archive_expired_errors")
    assert ("outreach.dol_errors", 0, 0, "failed") in rows
    assert ("people.people_errors", 1, 1, "ok") in rows
    assert live_ids(db, "outreach.dol_errors") == [1]
    assert db.execute(
        "SELECT message FROM shq.governance_job_runs WHERE status = 'failed' AND error_table = 'outreach.dol_errors'"
    ).fetchall() == [('relation "outreach.dol_errors_archive" does not exist',)]


def test_a_partition_is_refused_naming_the_table_to_govern(db):
    # (Partitioned tables governed through their parent, run as a user runs them, with 200,000
    # rows: test_sql_partitioned_tables.py.)
    db.execute(
        "CREATE TABLE public.parted (id bigint, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at))"
        " PARTITION BY RANGE (created_at);"
        " CREATE TABLE public.parted_2026 PARTITION OF public.parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
        " PARTITION BY HASH (id);"
        " CREATE TABLE public.parted_2026_0 PARTITION OF public.parted_2026 FOR VALUES WITH (MODULUS 1, REMAINDER 0)"
    )
    for partition in ("public.parted_2026", "public.parted_2026_0"):
        with pytest.raises(psycopg.errors.RaiseException) as info:
            db.execute("SELECT shq.fn_govern_error_table(%s, p_id_column => 'id')", (partition,))
        assert info.value.diag.message_primary == (
            f"{partition} is a partition of public.parted: govern public.parted, and its partitions are governed with it"
        )
    [(message,)] = db.execute("SELECT shq.fn_govern_error_table('public.parted', p_id_column => 'id')").fetchall()
    assert message.endswith(", hub none (system-wide), 1 partitions")
    db.execute(
        "INSERT INTO public.parted (id, created_at, ttl_tier) VALUES (1, %s, 'SHORT')", (NOW - timedelta(days=8),)
    )
    assert ("public.parted", 1, 1, "ok") in run(db, "fn_archive_expired_errors")
    assert db.execute("SELECT id FROM public.parted_archive").fetchall() == [(1,)]


KEEP_TRIGGERS = """
CREATE FUNCTION outreach.keep_some() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.failure_code = 'KEEP' THEN
        RETURN NULL;  -- the row stays as it is
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER keep_some_delete BEFORE DELETE ON outreach.dol_errors FOR EACH ROW EXECUTE FUNCTION outreach.keep_some();
CREATE TRIGGER keep_some_update BEFORE UPDATE ON outreach.dol_errors FOR EACH ROW EXECUTE FUNCTION outreach.keep_some();
"""


def keep_some(db) -> None:
    """Rows 1-5 due for the archive, 11-13 for parking; a trigger keeps 2, 4 and 12 where they are."""
    t = "outreach.dol_errors"
    for i in range(1, 6):
        add(db, t, i, timedelta(days=8), ttl_tier="SHORT", failure_code="KEEP" if i in (2, 4) else "X")
    for i in range(11, 14):
        add(db, t, i, timedelta(days=1), retry_count=9, failure_code="KEEP" if i == 12 else "X")
    db.execute(KEEP_TRIGGERS)


@pytest.mark.parametrize("batch_size", [1, 10000])
def test_rows_a_trigger_keeps_are_counted_and_logged(db, batch_size):
    keep_some(db)
    rows = db.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s, %s)", (NOW, batch_size)).fetchall()
    assert ("archive_expired_errors", "outreach.dol_errors", 3, "ok") in rows
    assert ("auto_park_exhausted_retries", "outreach.dol_errors", 2, "ok") in rows
    assert live_ids(db, "outreach.dol_errors") == [2, 4, 11, 12, 13]
    assert [r[0] for r in archived(db, "outreach.dol_errors")] == [1, 3, 5]
    assert db.execute(
        "SELECT error_id FROM outreach.dol_errors WHERE disposition = 'PARKED' ORDER BY 1"
    ).fetchall() == [(11,), (13,)]
    assert db.execute(
        "SELECT job_name, rows_affected, rows_kept, message FROM shq.governance_job_runs"
        " WHERE error_table = 'outreach.dol_errors' ORDER BY run_id"
    ).fetchall() == [
        ("archive_expired_errors", 3, 2, "2 rows kept by a trigger on outreach.dol_errors"),
        ("auto_park_exhausted_retries", 2, 1, "1 row kept by a trigger on outreach.dol_errors"),
        ("escalate_stale_parked_errors", 0, 0, None),
    ]


def test_a_trigger_kept_row_is_reported_by_sql_jobs_and_never_holds_a_batch_up(db, db_url, tmp_path):
    from tests.test_sql_runner import sql

    keep_some(db)
    result = sql(
        "jobs",
        "daily",
        "--now",
        NOW.isoformat(),
        "--force",
        "--batch-size",
        "1",
        "--database-url",
        db_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # the times and rates aside, the summary line as a user reads it
    assert re.sub(r"in [0-9.]+ s( \([0-9,]+ rows/s\))?", "in T", result.stdout) == (
        "jobs daily: ok in T: archive_expired_errors: 3 rows in T; 2 rows kept by a trigger on outreach.dol_errors; "
        "auto_park_exhausted_retries: 2 rows in T; 1 row kept by a trigger on outreach.dol_errors; "
        "escalate_stale_parked_errors: 0 rows in T\n"
    )
    # The next day's run counts them again: they are still there, still kept.
    again = sql(
        "jobs",
        "daily",
        "--now",
        (NOW + timedelta(days=1)).isoformat(),
        "--force",
        "--database-url",
        db_url,
        cwd=tmp_path,
    )
    assert "archive_expired_errors: 0 rows in " in again.stdout
    assert "2 rows kept by a trigger on outreach.dol_errors; auto_park_exhausted_retries: 0 rows in " in again.stdout


def test_long_names_get_archive_and_index_names_that_cannot_collide(db):
    base = "e" * 60
    for suffix in ("1", "2"):  # two names whose first 61 bytes are the same
        db.execute(
            f"CREATE TABLE public.{base}{suffix} (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())"
        )
        db.execute(f"SELECT shq.fn_govern_error_table('public.{base}{suffix}')")
    archives = [
        row[0]
        for row in db.execute(
            "SELECT archive_table FROM shq.error_table_registry WHERE table_name LIKE 'eee%' ORDER BY table_name"
        )
    ]
    assert len(set(archives)) == 2 and all(len(name.encode()) <= 63 and name.endswith("_archive") for name in archives)
    assert all(db.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{a}",)).fetchone()[0] for a in archives)
    for statement in [r[0] for r in db.execute("SELECT statement FROM shq.fn_governance_pending_steps()")]:
        db.execute(statement)
    indexes = [
        r[0]
        for r in db.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'eee%' AND indexname LIKE '%gov%' ORDER BY 1"
        )
    ]
    assert len(indexes) == len(set(indexes)) == 4  # park and escalate, on each table
    add_row = f"INSERT INTO public.{base}1 (id, created_at, ttl_tier) VALUES (1, %s, 'SHORT')"
    db.execute(add_row, (NOW - timedelta(days=8),))
    assert (f"public.{base}1", 1, 1, "ok") in run(db, "fn_archive_expired_errors")


def test_quoted_and_mixed_case_names_are_governed(db):
    db.execute(
        'CREATE SCHEMA "Billing"; CREATE TABLE "Billing"."Invoice Errors" (id bigint PRIMARY KEY,'
        " created_at timestamptz NOT NULL DEFAULT now())"
    )
    [(message,)] = db.execute("""SELECT shq.fn_govern_error_table('"Billing"."Invoice Errors"')""").fetchall()
    assert message.startswith('"Billing"."Invoice Errors" governed: archive "Billing"."Invoice Errors_archive", ')
    db.execute(
        """INSERT INTO "Billing"."Invoice Errors" (id, created_at, ttl_tier) VALUES (1, %s, 'SHORT')""",
        (NOW - timedelta(days=8),),
    )
    assert ('"Billing"."Invoice Errors"', 1, 1, "ok") in run(db, "fn_archive_expired_errors")


def test_govern_again_changes_only_what_it_names(db):
    assert db.execute(
        "SELECT max_retries, retention, hub FROM shq.error_table_registry WHERE table_name = 'dol_errors'"
    ).fetchone() == (5, timedelta(days=365), "HUB-DOL")
    db.execute("SELECT shq.fn_govern_error_table('outreach.dol_errors', p_retention => interval '30 days')")
    assert db.execute(
        "SELECT max_retries, retention, hub FROM shq.error_table_registry WHERE table_name = 'dol_errors'"
    ).fetchone() == (5, timedelta(days=30), "HUB-DOL")
    db.execute("SELECT shq.fn_govern_error_table('outreach.dol_errors', 7)")
    add(db, "outreach.dol_errors", 1, timedelta(days=1))
    assert db.execute("SELECT max_retries FROM outreach.dol_errors").fetchone() == (7,)  # the new default


def test_govern_a_further_table(db):
    db.execute(
        "CREATE SCHEMA billing; CREATE TABLE billing.invoice_errors ("
        " invoice_error_id bigint PRIMARY KEY, outreach_id uuid, failure_code text NOT NULL,"
        " created_at timestamptz NOT NULL DEFAULT now())"
    )
    [(message,)] = db.execute(
        "SELECT shq.fn_govern_error_table('billing.invoice_errors', 4, interval '90 days', 'HUB-BIT')"
    ).fetchall()
    assert message == (
        "billing.invoice_errors governed: archive billing.invoice_errors_archive, max_retries 4, retention 90 days, "
        "hub HUB-BIT"
    )
    db.execute(
        "INSERT INTO billing.invoice_errors (invoice_error_id, outreach_id, failure_code, created_at, ttl_tier)"
        " VALUES (1, gen_random_uuid(), 'X', %s, 'SHORT'), (2, gen_random_uuid(), 'X', %s, 'SHORT')",
        (NOW - timedelta(days=8), NOW - timedelta(days=1)),
    )
    assert db.execute("SELECT max_retries FROM billing.invoice_errors WHERE invoice_error_id = 1").fetchone() == (4,)
    rows = db.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall()
    assert ("archive_expired_errors", "billing.invoice_errors", 1, "ok") in rows
    assert db.execute(
        "SELECT invoice_error_id, retention_expires_at FROM billing.invoice_errors_archive"
    ).fetchall() == [(1, NOW + timedelta(days=90))]
    summary = db.execute(
        "SELECT location, disposition, error_count FROM shq.vw_error_governance_summary"
        " WHERE error_table = 'billing.invoice_errors' ORDER BY 1"
    ).fetchall()
    assert summary == [("archive", "RETRY", 1), ("live", "RETRY", 1)]
    blocking = db.execute(
        "SELECT hub, blocking_errors FROM shq.vw_blocking_errors_by_outreach WHERE error_table = 'billing.invoice_errors'"
    ).fetchall()
    assert blocking == [("HUB-BIT", 1)]
    # Governing it again changes nothing.
    db.execute("SELECT shq.fn_govern_error_table('billing.invoice_errors', 4, interval '90 days', 'HUB-BIT')")
    assert db.execute("SELECT count(*) FROM shq.error_table_registry").fetchone() == (7,)


@pytest.mark.parametrize(
    ("ddl", "call", "message"),
    [
        (
            "CREATE TABLE public.no_created (id bigint PRIMARY KEY)",
            "SELECT shq.fn_govern_error_table('public.no_created')",
            "table public.no_created has no created_at column, which the TTL jobs need",
        ),
        (
            "CREATE TABLE public.no_key (id bigint, created_at timestamptz)",
            "SELECT shq.fn_govern_error_table('public.no_key')",
            "table public.no_key has no single-column primary key or unique column to identify a row; name one with"
            " --id-column (p_id_column in SQL)",
        ),
        (
            "CREATE VIEW public.a_view AS SELECT 1 AS id, now() AS created_at",
            "SELECT shq.fn_govern_error_table('public.a_view')",
            "a_view is not a table",
        ),
        (
            "CREATE TABLE public.fine (id bigint PRIMARY KEY, created_at timestamptz)",
            "SELECT shq.fn_govern_error_table('public.fine', -1)",
            "max_retries must be 0 or more, got -1",
        ),
    ],
)
def test_govern_refuses_what_it_cannot_govern(db, ddl, call, message):
    db.execute(ddl)
    with pytest.raises(psycopg.errors.RaiseException) as info:
        db.execute(call)
    assert info.value.diag.message_primary == message
    assert db.execute("SELECT count(*) FROM shq.error_table_registry").fetchone() == (6,)


def test_summary_and_blocking_views(db):
    t = "people.people_errors"
    outreach = db.execute("SELECT gen_random_uuid()").fetchone()[0]
    add(db, t, 1, timedelta(days=1), outreach_id=outreach)
    add(db, t, 2, timedelta(days=2), outreach_id=outreach, disposition="PARKED", escalation_level=2)
    add(db, t, 3, timedelta(days=3), outreach_id=outreach, disposition="RESOLVED")
    add(db, t, 4, timedelta(days=3), outreach_id=outreach, disposition="IGNORE")
    rows = db.execute(
        "SELECT disposition, error_count, max_escalation_level FROM shq.vw_error_governance_summary"
        " WHERE error_table = %s AND location = 'live' ORDER BY 1",
        (t,),
    ).fetchall()
    assert rows == [("IGNORE", 1, 0), ("PARKED", 1, 2), ("RESOLVED", 1, 0), ("RETRY", 1, 0)]
    assert db.execute(
        "SELECT outreach_id, error_table, hub, blocking_errors, parked_errors, retry_errors, max_escalation_level,"
        " oldest_blocking_at FROM shq.vw_blocking_errors_by_outreach"
    ).fetchall() == [(outreach, t, "HUB-PEOPLE", 2, 1, 1, 2, NOW - timedelta(days=2))]


def test_conservation_under_two_runners_and_concurrent_inserts(db, db_url):
    """Every row ends live or archived, never both, never neither; none is archived twice."""
    t = "outreach.company_target_errors"
    db.execute(
        f"INSERT INTO {t} (error_id, failure_code, created_at, ttl_tier, retry_count)"
        " SELECT g, 'X', %s - (g %% 50) * interval '1 day', (ARRAY['SHORT','MEDIUM','LONG'])[1 + g %% 3]::shq.ttl_tier,"
        " g %% 5 FROM generate_series(1, 6000) g",
        (NOW,),
    )
    errors: list[BaseException] = []
    statuses: list[str] = []

    def runner() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                for _ in range(40):  # the runner's way: one batch per transaction
                    for job in ("fn_archive_expired_errors", "fn_auto_park_exhausted_retries"):
                        rows = conn.execute(f"SELECT status FROM shq.{job}(%s, 50, 1)", (NOW,)).fetchall()
                        statuses.extend(r[0] for r in rows)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def inserter() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                for i in range(6001, 6401):
                    conn.execute(
                        f"INSERT INTO {t} (error_id, failure_code, created_at, ttl_tier) VALUES (%s, 'X', %s, 'SHORT')",
                        (i, NOW - timedelta(days=10)),
                    )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=runner), threading.Thread(target=runner), threading.Thread(target=inserter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert "ok" in statuses
    # Finish the work with one runner, then check every id.
    db.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW,))
    live = {r[0] for r in db.execute(f"SELECT error_id FROM {t}")}
    gone = [r[0] for r in db.execute(f"SELECT error_id FROM {t}_archive")]
    assert len(gone) == len(set(gone))
    assert live.isdisjoint(gone)
    assert live | set(gone) == set(range(1, 6401))
    # And what remains live is exactly what has not expired.
    expired_live = db.execute(
        f"SELECT count(*) FROM {t} WHERE ttl_tier <> 'INFINITE' AND disposition IS DISTINCT FROM 'PARKED'"
        " AND created_at < %s - shq.fn_get_ttl_interval(ttl_tier)",
        (NOW,),
    ).fetchone()
    assert expired_live == (0,)


def test_the_schedule_the_database_holds_is_lint_canon_db_jobs_schedules(db, db_url):
    """The schedule is written twice, once for each runner: SCHEDULES in lint_canon/db/jobs.py
    (``lint-canon sql jobs``) and, in SQL, shq.fn_schedule_of (which lock a job takes) and the
    job array of the master runner shq.fn_run_error_governance_jobs (the daily schedule, in
    order). sql/ cannot import Python, so this holds the copies equal."""
    from lint_canon.db.jobs import SCHEDULES

    copies = "lint_canon/db/jobs.py SCHEDULES vs the SQL in sql/ (shq.fn_schedule_of, shq.fn_run_error_governance_jobs)"
    for schedule, jobs in SCHEDULES.items():
        for job in jobs:
            held = db.execute("SELECT shq.fn_schedule_of(%s)", (job,)).fetchone()[0]
            assert held == schedule, f"{job}: {schedule!r} in SCHEDULES but {held!r} in shq.fn_schedule_of; {copies}"
    # With the daily lock held elsewhere, the master runner names each job of its array, in order,
    # as skipped, and changes nothing.
    with psycopg.connect(db_url) as other:
        other.execute("SELECT pg_advisory_xact_lock(key1, key2) FROM shq.fn_schedule_lock_key('daily')")
        ran = db.execute("SELECT job_name FROM shq.fn_run_error_governance_jobs(%s)", (NOW,)).fetchall()
        other.rollback()
    assert tuple(r[0] for r in ran) == SCHEDULES["daily"], (
        f"the master runner's jobs differ from SCHEDULES['daily']; {copies}"
    )
