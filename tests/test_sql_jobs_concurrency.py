"""Whole schedules on 200,000 error rows: runners that overlap (two, three, the CLI next to the SQL
master function, equal or different --now) and runners killed at several points end in exactly
the state one run leaves, checked by a hash of every live and archived row. The slow module of
the governance tests (about a minute); it runs in CI with the others."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from tests.conftest import cli_env, wait_for
from tests.pg import with_dbname

ROWS = 200_000
NOW_1 = "2026-03-01T12:00:00+00:00"
NOW_2 = "2026-03-09T12:00:00+00:00"
TABLES = [  # table, share of the rows
    ("outreach.dol_errors", 0.35),
    ("outreach.company_target_errors", 0.30),
    ("people.people_errors", 0.20),
    ("company.url_discovery_failures", 0.10),
    ("public.shq_error_log", 0.05),
]


@pytest.fixture(scope="module")
def base(pg_databases) -> Iterator[tuple[str, str]]:
    """(server URL, name of a migrated database holding 200,000 error rows): a template that each
    test clones, so every scenario starts from the same rows."""
    url = with_dbname(pg_databases.create(), "postgres")
    name = pg_databases.made[-1]
    with psycopg.connect(with_dbname(url, name), autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        for table, share in TABLES:
            conn.execute(
                f"INSERT INTO {table} (failure_code, created_at, disposition, ttl_tier, retry_count, parked_at,"
                " escalation_level)"
                " SELECT 'E' || g, c, d::shq.error_disposition, t::shq.ttl_tier, (random() * 6)::int,"
                "  CASE WHEN d = 'PARKED' THEN %(now)s::timestamptz - random() * interval '10 days' END,"
                "  CASE WHEN d = 'PARKED' THEN (random() * 1.4)::int ELSE 0 END"
                " FROM (SELECT g, %(now)s::timestamptz - random() * interval '120 days' AS c,"
                "   CASE WHEN r < 0.55 THEN 'RETRY' WHEN r < 0.62 THEN NULL WHEN r < 0.72 THEN 'RESOLVED'"
                "        WHEN r < 0.80 THEN 'IGNORE' WHEN r < 0.97 THEN 'PARKED' ELSE 'ARCHIVED' END AS d,"
                "   CASE WHEN s < 0.3 THEN 'SHORT' WHEN s < 0.8 THEN 'MEDIUM' WHEN s < 0.95 THEN 'LONG'"
                "        ELSE 'INFINITE' END AS t"
                "  FROM (SELECT g, random() AS r, random() AS s FROM generate_series(1, %(n)s) g) x) y",
                {"now": NOW_1, "n": int(ROWS * share)},
            )
        conn.execute("VACUUM ANALYZE")
    yield url, name


@pytest.fixture
def clone(base) -> Iterator:
    """Makes fresh copies of the base database; dropped at the end of the test."""
    url, name = base
    made: list[str] = []

    def make() -> str:
        copy = f"lc_clone_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        made.append(copy)
        return with_dbname(url, copy)

    yield make
    with psycopg.connect(url, autocommit=True) as conn:
        for copy in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def state(url: str) -> tuple[str, dict[str, int]]:
    """A hash of every live and archived row (ordered by id), and the row counts by place."""
    parts, counts = [], {}
    with psycopg.connect(url) as conn:
        for table, _ in TABLES:
            for place in (table, f"{table}_archive"):
                digest, count = conn.execute(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.error_id), '')), count(*) FROM {place} t"
                ).fetchone()
                parts.append(digest)
                counts[place] = count
    return "".join(parts), counts


def jobs(url: str, schedule: str, now: str, *more: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "lint_canon", "sql", "jobs", schedule, "--now", now, "--force", *more]
    return subprocess.Popen(
        [*argv, "--database-url", url], env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(run: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = run.communicate(timeout=600)
    assert err == "", err
    return run.returncode, out


def schedule_lock_held(url: str, schedule: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l, shq.fn_schedule_lock_key(%s) k WHERE l.locktype = 'advisory'"
            " AND l.granted AND l.classid = k.key1::oid AND l.objid = k.key2::oid)",
            (schedule,),
        ).fetchone()[0]


@pytest.fixture(scope="module")
def one_run(base) -> dict[tuple[str, str], tuple[str, dict[str, int]]]:
    """The state one uninterrupted CLI run leaves, per (schedule, --now), computed on demand."""
    return {}


def reference(one_run, clone, schedule: str, now: str) -> tuple[str, dict[str, int]]:
    if (schedule, now) not in one_run:
        url = clone()
        code, out = finish(jobs(url, schedule, now))
        assert code == 0, out
        one_run[(schedule, now)] = state(url)
    return one_run[(schedule, now)]


def test_one_run_does_work_in_every_daily_job(one_run, clone, base):
    before = state(with_dbname(base[0], base[1]))
    after = reference(one_run, clone, "daily", NOW_1)
    archived = sum(n for place, n in after[1].items() if place.endswith("_archive"))
    assert archived > 20_000  # the data makes every job work: this is no empty run
    assert sum(before[1].values()) == sum(after[1].values()) == ROWS  # no row lost, none doubled
    url = clone()
    code, out = finish(jobs(url, "daily", NOW_1))
    counts = {
        job: int(out.split(f"{job}: ")[1].split(" rows")[0].replace(",", ""))
        for job in ("archive_expired_errors", "auto_park_exhausted_retries", "escalate_stale_parked_errors")
    }
    assert code == 0 and all(n > 1000 for n in counts.values()), out


@pytest.mark.parametrize(("runners", "nows"), [(2, [NOW_1, NOW_1]), (3, [NOW_1] * 3), (2, [NOW_1, NOW_2])])
def test_overlapping_cli_runners_end_as_one_run(one_run, clone, runners, nows):
    url = clone()
    first = jobs(url, "daily", nows[0], "--batch-size", "500")  # small batches: it runs for a while
    wait_for(lambda: schedule_lock_held(url, "daily"), 120)
    others = [jobs(url, "daily", now) for now in nows[1:]]
    outputs = [finish(run) for run in others]
    code, out = finish(first)
    assert code == 0 and out.startswith("jobs daily: ok in "), out
    for other_code, other_out in outputs:
        assert other_code == 0 and other_out.startswith("jobs daily: skipped in "), other_out
        assert other_out.count("skipped, another runner holds the schedule") == 3
    assert state(url) == reference(one_run, clone, "daily", nows[0])


def test_the_sql_master_function_and_the_cli_exclude_each_other(one_run, clone):
    url = clone()
    cli = jobs(url, "daily", NOW_1, "--batch-size", "500")
    wait_for(lambda: schedule_lock_held(url, "daily"), 120)
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT job_name, status FROM shq.fn_run_error_governance_jobs(%s)", (NOW_1,)).fetchall()
    assert rows == [
        ("archive_expired_errors", "skipped"),
        ("auto_park_exhausted_retries", "skipped"),
        ("escalate_stale_parked_errors", "skipped"),
    ]
    assert finish(cli)[0] == 0
    assert state(url) == reference(one_run, clone, "daily", NOW_1)

    # The other way round: the master function holds the schedule, the CLI is skipped.
    url = clone()
    holder_started = threading.Event()

    def master() -> None:
        with psycopg.connect(url) as conn:
            conn.execute("SELECT * FROM shq.fn_run_error_governance_jobs(%s)", (NOW_1,))
            holder_started.set()
            time.sleep(3)  # the schedule's lock is held until this transaction ends
            conn.commit()

    thread = threading.Thread(target=master)
    thread.start()
    holder_started.wait(120)
    code, out = finish(jobs(url, "daily", NOW_1))
    thread.join(120)
    assert code == 0 and out.startswith("jobs daily: skipped in "), out
    assert state(url) == reference(one_run, clone, "daily", NOW_1)


def test_weekly_runners_overlap_as_one_run(one_run, clone):
    url = clone()
    assert finish(jobs(url, "daily", NOW_1))[0] == 0  # archives to clean up
    later = "2027-03-05T12:00:00+00:00"
    first = jobs(url, "weekly", later, "--batch-size", "200")
    wait_for(lambda: schedule_lock_held(url, "weekly"), 120)
    code, out = finish(jobs(url, "weekly", later))
    assert code == 0 and out.startswith("jobs weekly: skipped in "), out
    assert finish(first)[0] == 0
    one = clone()
    assert finish(jobs(one, "daily", NOW_1))[0] == 0
    assert finish(jobs(one, "weekly", later))[0] == 0
    assert state(url) == state(one)
    assert sum(n for place, n in state(url)[1].items() if place.endswith("_archive")) < sum(
        n for place, n in reference(one_run, clone, "daily", NOW_1)[1].items() if place.endswith("_archive")
    )


@pytest.mark.parametrize(
    "job", ["archive_expired_errors", "auto_park_exhausted_retries", "escalate_stale_parked_errors"]
)
def test_a_runner_killed_in_any_job_is_finished_by_the_next_run(one_run, clone, job):
    url = clone()
    run = jobs(url, "daily", NOW_1, "--batch-size", "300")

    def in_job() -> bool:
        with psycopg.connect(url) as conn:  # a batch of this job has been committed
            return conn.execute(
                "SELECT count(*) > 0 FROM shq.governance_job_runs WHERE job_name = %s AND rows_affected > 0", (job,)
            ).fetchone()[0]

    wait_for(in_job, 120)
    run.kill()  # SIGKILL, between or inside batches
    run.communicate(timeout=60)
    code, out = finish(jobs(url, "daily", NOW_1))
    assert code == 0, out
    assert state(url) == reference(one_run, clone, "daily", NOW_1)


@pytest.mark.parametrize("now", ["2020-01-01T00:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_a_past_now_is_refused_without_force(clone, now):
    # A daily run dated 2020 would write archives the next ordinary weekly run deletes as expired.
    url = clone()
    before = state(url)
    argv = [sys.executable, "-m", "lint_canon", "sql", "jobs", "daily", "--now", now, "--database-url", url]
    result = subprocess.run(argv, env=cli_env(), capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"lint-canon: --now {now}: earlier than the database's clock (")
    assert result.stderr.rstrip().endswith(
        "the daily jobs would date their archives and runs then, and the next ordinary run would take them as long "
        "expired (deleting fresh archives, escalating parked rows): pass --force if that is intended"
    )
    assert result.stderr.count("\n") == 1
    assert state(url) == before  # nothing ran


def test_a_now_before_the_schedules_last_run_is_refused_without_force(clone):
    url = clone()
    with psycopg.connect(url) as conn:
        clock = conn.execute("SELECT now()").fetchone()[0]
    ahead = (clock + timedelta(days=2)).isoformat()
    argv = [sys.executable, "-m", "lint_canon", "sql", "jobs", "weekly", "--database-url", url]
    forced = subprocess.run([*argv, "--now", ahead, "--force"], env=cli_env(), capture_output=True, text=True)
    assert forced.returncode == 0, forced.stderr
    before = state(url)
    back = subprocess.run([*argv, "--now", clock.isoformat()], env=cli_env(), capture_output=True, text=True)
    assert back.returncode == 2
    assert back.stderr.startswith(
        f"lint-canon: --now {clock.isoformat()}: earlier than the weekly schedule's last run ("
    )
    assert back.stderr.rstrip().endswith(
        "its jobs would run with the clock wound back: pass --force if that is intended"
    )
    assert state(url) == before
    plain = subprocess.run(argv, env=cli_env(), capture_output=True, text=True)  # cron's run: no --now
    assert plain.returncode == 0, plain.stderr


def test_a_future_now_is_refused_without_force(clone, tmp_path: Path):
    url = clone()
    before = state(url)
    argv = [sys.executable, "-m", "lint_canon", "sql", "jobs", "weekly", "--now", "2099-01-01T00:00:00+00:00"]
    result = subprocess.run([*argv, "--database-url", url], env=cli_env(), capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("lint-canon: --now 2099-01-01T00:00:00+00:00: later than the database's clock (")
    assert result.stderr.rstrip().endswith(
        "the weekly jobs would archive, park or delete rows before their time: pass --force if that is intended"
    )
    assert state(url) == before  # nothing ran
    bad = subprocess.run(
        [sys.executable, "-m", "lint_canon", "sql", "jobs", "daily", "--batch-size", "0", "--database-url", url],
        env=cli_env(),
        capture_output=True,
        text=True,
    )
    assert (bad.returncode, bad.stderr) == (2, "lint-canon: --batch-size 0: give 1 to 1,000,000 rows per batch\n")
