"""`lint-canon sql ...` against a real PostgreSQL, run as a user runs it."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from lint_canon.db.connection import describe
from lint_canon.db.migrations import LOCK_KEY
from tests.conftest import REPO, cli_env, wait_for
from tests.pg import MIGRATIONS

SQL = REPO / "sql"
PLAN = [path.name for path in MIGRATIONS]  # sql/plan.txt's files, in order


HUB_ERROR_TABLES = [
    "company.url_discovery_failures",
    "outreach.company_target_errors",
    "outreach.dol_errors",
    "people.people_errors",
    "public.shq_error_log",
]


def sql(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_canon", "sql", *args],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ledger(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT file, checksum FROM lint_canon.migrations ORDER BY applied_at, file").fetchall()


def copy_sql(tmp_path: Path) -> Path:
    target = tmp_path / "sql"
    shutil.copytree(SQL, target)
    return target


def test_apply_status_and_a_second_apply(empty_db, tmp_path):
    before = sql("status", "--database-url", empty_db, cwd=tmp_path)
    assert before.returncode == 1
    assert before.stdout.splitlines()[1:] == [f"pending   {name}" for name in PLAN] + [f"{len(PLAN)} pending"]

    first = sql("apply", "--reference-schema", "--database-url", empty_db, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    # shown rebuilt from its parsed parts (issue 14: never the text as given)
    assert lines[0] == "database: " + describe(empty_db)
    assert lines[0].startswith("database: postgresql://")
    assert [line.split(" (")[0] for line in lines[1 : 1 + len(PLAN)]] == [f"applied {name}" for name in PLAN]
    # then, each in a transaction of its own, the job indexes (CONCURRENTLY) and the validations
    steps = []
    for table in [*HUB_ERROR_TABLES, "shq.guard_violations"]:  # and the guard's, governed likewise
        name = table.split(".")[1]
        steps += [f"built index {name}_gov_{kind}_idx on {table}" for kind in ("blocking", "escalate", "park")]
        steps.append(f"validated {name}_escalation_level_check on {table}")
    assert [line.split(" (")[0] for line in lines[1 + len(PLAN) :]] == steps
    assert [file for file, _ in ledger(empty_db)] == PLAN

    second = sql("apply", "--database-url", empty_db, cwd=tmp_path)
    assert second.returncode == 0
    assert second.stdout.splitlines()[-1] == f"nothing to apply: {len(PLAN)} migrations up to date"

    after = sql("status", "--database-url", empty_db, cwd=tmp_path)
    assert after.returncode == 0
    assert after.stdout.splitlines()[-1] == f"{len(PLAN)} applied"
    assert all(line.startswith("applied   ") for line in after.stdout.splitlines()[1:6])


def test_dry_run_changes_nothing(empty_db, tmp_path):
    result = sql("apply", "--dry-run", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 0
    assert [line.split(" (")[0] for line in result.stdout.splitlines()[1:]] == [f"would apply {n}" for n in PLAN]
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regclass('lint_canon.migrations'), to_regnamespace('shq')").fetchone() == (
            None,
            None,
        )


def test_tampered_file_is_refused_and_crlf_is_not_a_change(empty_db, tmp_path):
    folder = copy_sql(tmp_path)
    assert (
        sql("apply", "--reference-schema", "--dir", str(folder), "--database-url", empty_db, cwd=tmp_path).returncode
        == 0
    )

    crlf = tmp_path / "crlf"
    shutil.copytree(folder, crlf)
    for file in crlf.glob("*.sql"):
        file.write_bytes(file.read_bytes().replace(b"\n", b"\r\n"))
    status = sql("status", "--dir", str(crlf), "--database-url", empty_db, cwd=tmp_path)
    assert status.returncode == 0 and status.stdout.splitlines()[-1] == f"{len(PLAN)} applied"

    tampered = folder / PLAN[1]
    tampered.write_text(tampered.read_text() + "\n-- a quiet edit\n")
    result = sql("apply", "--dir", "sql", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"lint-canon: sql/{PLAN[1]}: changed after it was applied (ledger sha256 ")
    assert result.stderr.rstrip().endswith(
        "an applied migration is never edited: restore it and fix forward with a new file, or, once the change is "
        f"reviewed, `lint-canon sql repair --accept-checksum {PLAN[1]}`"
    )
    status = sql("status", "--dir", "sql", "--database-url", empty_db, cwd=tmp_path)
    assert status.returncode == 1
    assert f"modified  {PLAN[1]}" in status.stdout


def write_plan(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(body)
    (folder / "plan.txt").write_text("\n".join(files) + "\n")
    return folder


def test_failing_migration_rolls_back_and_reports_file_and_line(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {
            "001-good.sql": "CREATE TABLE good (id int);\n",
            "002-bad.sql": "-- adds a table, then fails\nCREATE TABLE half (id int);\n\nINSERT INTO nope\n  VALUES (1);\n",
            "003-never.sql": "CREATE TABLE never (id int);\n",
        },
    )
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines()[1].startswith("applied m/001-good.sql")
    assert result.stderr == (
        'lint-canon: m/002-bad.sql:4: relation "nope" does not exist (rolled back; nothing of this file was applied)\n'
    )
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regclass('good'), to_regclass('half'), to_regclass('never')").fetchone() == (
            "good",
            None,
            None,
        )
        assert conn.execute("SELECT file FROM lint_canon.migrations").fetchall() == [("001-good.sql",)]
        assert conn.execute("SELECT file, status, error FROM lint_canon.migration_log ORDER BY id").fetchall() == [
            ("001-good.sql", "applied", None),
            ("002-bad.sql", "failed", 'line 4: relation "nope" does not exist'),
        ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "CREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n",
            "m/001.sql:2: transaction control (BEGIN) inside a migration; the runner runs each file in its own transaction: remove it",
        ),
        (
            "-- lint-canon: no-transaction\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\nSELECT 1;\n",
            "m/001.sql:1: a no-transaction migration must hold exactly one statement, it holds 2",
        ),
        ("CREATE TABLE a (id int;\n", 'm/001.sql:1: cannot parse: syntax error at or near ";"'),
        (  # a parse error names its own line, not the file's first
            "CREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n\nCREATE TABLE c (id int;\n",
            'm/001.sql:5: cannot parse: syntax error at or near ";"',
        ),
        (
            "CREATE TABLE a (id int);\nSELECT 1;\nSELEC 2;\n",
            'm/001.sql:3: cannot parse: syntax error at or near "SELEC"',
        ),
    ],
)
def test_bad_files_are_refused_before_anything_runs(empty_db, tmp_path, body, message):
    write_plan(tmp_path / "m", {"001.sql": body})
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"lint-canon: {message}\n")


def test_no_transaction_file(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "CREATE TABLE a (id int);\n",
            "002.sql": "-- lint-canon: no-transaction\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n",
        },
    )
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regclass('a_idx')").fetchone() == ("a_idx",)


def test_two_concurrent_applies_apply_each_file_once(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "CREATE TABLE slow (id int);\nSELECT pg_sleep(1.5);\n",
            "002.sql": "CREATE TABLE after_slow (id int);\n",
        },
    )
    argv = [sys.executable, "-m", "lint_canon", "sql", "apply", "--dir", "m", "--database-url", empty_db]
    runs = [
        subprocess.Popen(argv, cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    applied_lines = [line for out, _ in outputs for line in out.splitlines() if line.startswith("applied ")]
    assert sorted(line.split(" (")[0] for line in applied_lines) == ["applied m/001.sql", "applied m/002.sql"]
    assert [file for file, _ in ledger(empty_db)] == ["001.sql", "002.sql"]


def test_a_held_lock_is_reported_after_the_deadline(empty_db, tmp_path):
    with psycopg.connect(empty_db, autocommit=True, application_name="night deploy") as holder:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", LOCK_KEY)
        pid = holder.execute("SELECT pg_backend_pid()").fetchone()[0]
        result = sql("apply", "--lock-wait", "1", "--reference-schema", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"lint-canon: the migration lock is held by pid {pid} (night deploy, user ")
    assert result.stderr.rstrip().endswith("waited 1 s. Another apply is running: wait for it, or raise --lock-wait")


def test_unreachable_server_is_one_line_without_the_password(tmp_path):
    result = sql("status", "--database-url", "postgresql://alice:s3cret-pw@127.0.0.1:1/outreach", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("lint-canon: cannot connect to postgresql://alice@127.0.0.1:1/outreach: ")
    assert "s3cret" not in result.stderr


def test_ci_without_a_url_is_refused(tmp_path):
    env = cli_env()
    env.pop("DATABASE_URL", None)
    env["CI"] = "true"
    result = sql("status", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "lint-canon: no database: CI=true and neither --database-url nor DATABASE_URL is set; "
        "pass one, or --embedded to use the embedded server of .lint_canon/\n"
    )


def test_verify_on_a_throwaway_server(tmp_path):
    result = sql("verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith(
        f"verify: ok: {len(PLAN)} migrations applied on a throwaway server, jobs daily and weekly ran ("
    )
    assert "XDG_RUNTIME_DIR" not in result.stderr + result.stdout
    assert not (tmp_path / ".lint_canon").exists()


def test_a_plan_without_lint_canons_jobs_is_verified_and_jobs_say_what_is_missing(empty_db, tmp_path):
    write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE orders (id int);\n"})
    result = sql("verify", "--dir", "m", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert result.stdout.splitlines()[-1].startswith(
        "verify: ok: 1 migrations applied on a throwaway server, no governance jobs to run (the plan has none of "
        "lint-canon's) ("
    )
    jobs = sql("jobs", "daily", "--database-url", empty_db, cwd=tmp_path)
    assert (jobs.returncode, jobs.stdout) == (2, "")
    assert jobs.stderr == (
        f"lint-canon: no governance jobs in {describe(empty_db)}: lint-canon's migrations are not applied there; run "
        "`lint-canon sql apply` first\n"
    )


def test_baseline_adopts_an_existing_schema(db_url, tmp_path):
    result = sql("baseline", "--database-url", db_url, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"baseline: recorded {len(PLAN)} migrations as applied without running them: ")
    assert sql("status", "--database-url", db_url, cwd=tmp_path).returncode == 0


def test_govern_then_daily_job_archives_the_new_tables_expired_rows(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.invoice_errors (invoice_error_id bigint PRIMARY KEY,"
            " outreach_id uuid, failure_code text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
    result = sql(
        "govern",
        "billing.invoice_errors",
        "--max-retries",
        "4",
        "--retention",
        "90 days",
        "--hub",
        "HUB-BIT",
        "--database-url",
        db_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert [line.split(" (0.")[0] for line in result.stdout.splitlines()] == [
        "billing.invoice_errors governed: archive billing.invoice_errors_archive, max_retries 4, retention 90 days, "
        "hub HUB-BIT",
        "built index invoice_errors_gov_blocking_idx on billing.invoice_errors",
        "built index invoice_errors_gov_escalate_idx on billing.invoice_errors",
        "built index invoice_errors_gov_park_idx on billing.invoice_errors",
        "validated invoice_errors_escalation_level_check on billing.invoice_errors",
    ]
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO billing.invoice_errors (invoice_error_id, failure_code, created_at, ttl_tier) VALUES"
            " (1, 'X', '2026-02-01', 'SHORT'), (2, 'X', '2026-02-28', 'SHORT'), (3, 'X', '2025-01-01', 'INFINITE')"
        )
    jobs = sql(
        "jobs",
        "daily",
        "--now",
        "2026-03-01T12:00:00+00:00",
        "--force",  # a time past: the rows above are dated for it
        "--batch-size",
        "100",
        "--database-url",
        db_url,
        cwd=tmp_path,
    )
    assert jobs.returncode == 0, jobs.stderr
    assert jobs.stdout.startswith("jobs daily: ok in ")
    assert "archive_expired_errors: 1 rows in " in jobs.stdout
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT invoice_error_id FROM billing.invoice_errors_archive").fetchall() == [(1,)]
        assert conn.execute("SELECT invoice_error_id FROM billing.invoice_errors ORDER BY 1").fetchall() == [(2,), (3,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch.table"], "govern nosuch.table: no such table"),
        (
            ["invoice_errors"],
            'govern invoice_errors: name the table as SCHEMA.TABLE, quoted as in SQL (billing."Invoice Errors")',
        ),
        (
            ['a."unclosed'],
            'govern a."unclosed: name the table as SCHEMA.TABLE, quoted as in SQL (billing."Invoice Errors")',
        ),
        (["public.no_created", "--max-retries", "-1"], "--max-retries -1: give 0 to 1000"),
        (["public.no_created", "--max-retries", "99999999999"], "--max-retries 99999999999: give 0 to 1000"),
        (
            ["public.no_created", "--retention", "soon"],
            "--retention 'soon': give a positive interval such as '90 days'",
        ),
        (
            ["public.no_created", "--retention", "-1 day"],
            "--retention '-1 day': give a positive interval such as '90 days'",
        ),
        (
            ["public.no_created"],
            "govern public.no_created: table public.no_created has no created_at column, which the TTL jobs need",
        ),
    ],
)
def test_govern_errors_are_one_line(db_url, tmp_path, args, message):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.no_created (id bigint PRIMARY KEY)")
        result = sql("govern", *args, "--database-url", db_url, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"lint-canon: {message}\n")


HUBS = "shq.hubs holds HUB-COMPANY-TARGET, HUB-DOL, HUB-PEOPLE, HUB-BLOG, HUB-BIT"


@pytest.mark.parametrize(
    ("table", "hub", "message"),
    [
        (
            "billing.invoice_errors",
            "HUB-BTI",
            "govern billing.invoice_errors: unknown hub 'HUB-BTI' (nothing was changed); did you mean 'HUB-BIT'? "
            + HUBS,
        ),
        (
            "outreach.dol_errors",  # governed already: its row keeps its hub
            "hub-people",
            "govern outreach.dol_errors: unknown hub 'hub-people' (nothing was changed); did you mean 'HUB-PEOPLE'? "
            + HUBS,
        ),
        (
            "billing.invoice_errors",
            "BILLING",
            f"govern billing.invoice_errors: unknown hub 'BILLING' (nothing was changed); {HUBS}",
        ),
    ],
)
def test_govern_refuses_a_hub_that_shq_hubs_does_not_hold(db_url, tmp_path, table, hub, message):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA billing; CREATE TABLE billing.invoice_errors (invoice_error_id bigint PRIMARY KEY,"
            " created_at timestamptz NOT NULL DEFAULT now())"
        )
        registry = conn.execute("SELECT * FROM shq.error_table_registry ORDER BY 1, 2").fetchall()
    result = sql("govern", table, "--hub", hub, "--max-retries", "9", "--database-url", db_url, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"lint-canon: {message}\n")
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute("SELECT * FROM shq.error_table_registry ORDER BY 1, 2").fetchall() == registry
        columns = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'billing'"
            " AND table_name = 'invoice_errors'"
        ).fetchone()[0]
        assert columns == 2  # no governance columns added
        assert conn.execute("SELECT to_regclass('billing.invoice_errors_archive')").fetchone()[0] is None


def test_a_failing_job_exits_1(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO outreach.dol_errors (error_id, failure_code, created_at) VALUES (1, 'X', '2026-01-01');"
            " INSERT INTO people.people_errors (error_id, failure_code, created_at) VALUES (2, 'X', '2026-01-01');"
            " ALTER TABLE outreach.dol_errors_archive RENAME TO dol_errors_archive_gone"
        )
    result = sql(
        "jobs", "daily", "--now", "2026-03-01T12:00:00+00:00", "--force", "--database-url", db_url, cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stdout.startswith("jobs daily: FAILED in ")
    # the table that failed is named with its reason; the others were archived
    assert (
        'archive_expired_errors: FAILED after 1 rows: outreach.dol_errors: relation "outreach.dol_errors_archive" '
        "does not exist;" in result.stdout
    )
    assert "auto_park_exhausted_retries: 0 rows in " in result.stdout


def test_progress_lines_on_a_terminal(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO outreach.dol_errors (error_id, failure_code, created_at, ttl_tier)"
            " SELECT g, 'X', '2026-01-01', 'SHORT' FROM generate_series(1, 500) g"
        )
    argv = [
        sys.executable,
        "-m",
        "lint_canon",
        "sql",
        "jobs",
        "daily",
        "--now",
        "2026-03-01T12:00:00+00:00",
        "--force",  # a time past: the rows above are dated for it
        "--batch-size",
        "100",
        "--database-url",
        db_url,
    ]
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(argv, cwd=tmp_path, env=cli_env(), stdout=secondary, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(primary)
    screen = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "\r\x1b[Karchive_expired_errors: " in screen  # updated in place, batch by batch
    assert "archive_expired_errors: 500 rows in " in screen
    assert "escalate_stale_parked_errors: 0 rows in " in screen


def test_a_file_inserted_before_applied_ones_is_refused_unless_out_of_order(empty_db, tmp_path):
    write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE a (id int);\n", "003.sql": "CREATE TABLE c (id int);\n"})
    assert sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "CREATE TABLE a (id int);\n",
            "002.sql": "CREATE TABLE b (id int);\n",
            "003.sql": "CREATE TABLE c (id int);\n",
        },
    )
    refused = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (refused.returncode, refused.stderr) == (
        2,
        "lint-canon: m/002.sql: pending, but placed before 003.sql, which is applied; it would run out of order: "
        "move it to the end of plan.txt, or pass --out-of-order if that is intended\n",
    )
    assert [file for file, _ in ledger(empty_db)] == ["001.sql", "003.sql"]
    dry = sql("apply", "--dry-run", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert dry.returncode == 2
    status = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert status.returncode == 1 and "pending   002.sql" in status.stdout
    allowed = sql("apply", "--out-of-order", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    # the ledger keeps both orders: installed third, second in the plan (Flyway's installed_rank)
    with psycopg.connect(empty_db) as conn:
        rows = conn.execute(
            "SELECT file, installed_rank, plan_position, success FROM lint_canon.migrations ORDER BY installed_rank"
        ).fetchall()
    assert rows == [("001.sql", 1, 1, True), ("003.sql", 2, 2, True), ("002.sql", 3, 2, True)]


def test_an_applied_file_gone_from_the_plan_is_refused_and_fails_status(empty_db, tmp_path):
    write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE a (id int);\n", "002.sql": "CREATE TABLE b (id int);\n"})
    assert sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    (tmp_path / "m" / "plan.txt").write_text("001.sql\n")
    status = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert status.returncode == 1
    assert "missing   002.sql" in status.stdout and status.stdout.splitlines()[-1] == "1 applied, 1 missing"
    refused = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (refused.returncode, refused.stderr) == (
        2,
        "lint-canon: 002.sql is applied (in the ledger of project default) but no longer in plan.txt; an applied "
        "migration stays in the plan: restore it there (and its file), then fix forward with a new file\n",
    )


def test_a_nul_byte_is_refused_and_a_bom_in_the_plan_is_read(empty_db, tmp_path):
    write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE a (id int);\n-- note\x00\nCREATE TABLE b (id int);\n"})
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "lint-canon: m/001.sql:2: a NUL byte; PostgreSQL reads no further than it, so the statements after it would "
        "be recorded as applied without running: remove it\n",
    )
    with psycopg.connect(empty_db) as conn:  # refused before anything ran: not even the ledger
        assert conn.execute("SELECT to_regclass('a'), to_regclass('lint_canon.migrations')").fetchone() == (None, None)
    write_plan(tmp_path / "n", {"001.sql": "CREATE TABLE a (id int);\n"})
    plan = tmp_path / "n" / "plan.txt"
    plan.write_bytes(b"\xef\xbb\xbf" + plan.read_bytes())
    applied = sql("apply", "--dir", "n", "--database-url", empty_db, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert [file for file, _ in ledger(empty_db)] == ["001.sql"]


def test_a_first_apply_without_the_hub_tables_names_the_fix(empty_db, tmp_path):
    result = sql("apply", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 2
    # lint-canon's own migration is named as `apply --to` takes it, not by a site-packages path
    assert result.stderr.startswith("lint-canon: 2026-02-02-error-governance-columns.sql:")
    assert result.stderr.count("\n") == 1
    assert "error tables missing: company.url_discovery_failures" in result.stderr
    assert result.stderr.rstrip().endswith(
        "the migrations govern the hub tables, which this database does not have: on a new database run "
        "`lint-canon sql apply --reference-schema` to create them first, else create those tables"
    )
    fixed = sql("apply", "--reference-schema", "--database-url", empty_db, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr


def test_sql_new_writes_a_dated_file_with_the_house_header_and_appends_it_to_the_plan(tmp_path):
    from datetime import UTC, datetime

    write_plan(tmp_path / "sql", {"001.sql": "CREATE TABLE a (id int);\n"})
    result = sql("new", "add-hub-index", cwd=tmp_path)
    name = f"{datetime.now(UTC):%Y-%m-%d}-add-hub-index.sql"
    assert (result.returncode, result.stdout) == (0, f"created sql/{name}; appended to sql/plan.txt\n")
    assert (tmp_path / "sql" / "plan.txt").read_text().splitlines() == ["001.sql", name]
    header = (tmp_path / "sql" / name).read_text()
    assert header.startswith(f"-- {name}  (migration 2 of 2)\n--\n-- Purpose: ")
    assert f"-- Run alone: psql -v ON_ERROR_STOP=1 -f {name}\n" in header
    again = sql("new", "add-hub-index", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (2, f"lint-canon: sql/{name}: exists already; pick another name\n")
    bad = sql("new", "Add Index", cwd=tmp_path)
    assert bad.returncode == 2 and "lower-case letters and digits" in bad.stderr
    long_name = "-".join(["word"] * 60)  # 299 characters: past a file name's 255 bytes
    too_long = sql("new", long_name, cwd=tmp_path)
    assert (too_long.returncode, too_long.stderr) == (
        2,
        f"lint-canon: sql new {long_name[:60]}...: 299 characters; a name is at most 100 (the file name must fit the "
        "file system's 255 bytes and stay readable in a plan)\n",
    )
    assert (tmp_path / "sql" / "plan.txt").read_text().splitlines() == ["001.sql", name]
    nowhere = sql("new", "x", "--dir", "missing", cwd=tmp_path)
    assert (nowhere.returncode, nowhere.stderr) == (
        2,
        "lint-canon: missing: no such folder; --dir names the migrations folder: create it (mkdir missing) or name "
        "another\n",
    )
    assert not (tmp_path / "missing").exists()
    (tmp_path / "a-file").write_text("")
    not_a_folder = sql("new", "x", "--dir", "a-file", cwd=tmp_path)
    assert (not_a_folder.returncode, not_a_folder.stderr) == (
        2,
        "lint-canon: a-file: not a folder; --dir names the migrations folder\n",
    )
    spaced = sql("new", "x", "--dir", "my migrations", cwd=tmp_path)
    assert (spaced.returncode, spaced.stderr) == (
        2,
        "lint-canon: my migrations: no such folder; --dir names the migrations folder: create it (mkdir "
        "'my migrations') or name another\n",
    )


def test_sql_new_in_a_folder_without_a_plan_creates_one_named_after_the_working_folder(tmp_path):
    from datetime import UTC, datetime

    from lint_canon.db.migrations import load_plan

    work = tmp_path / "Billing Service"  # made what %project= accepts: billing-service
    (work / "sql").mkdir(parents=True)
    first = sql("new", "add-hub-index", cwd=work)
    name = f"{datetime.now(UTC):%Y-%m-%d}-add-hub-index.sql"
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == (
        "created sql/plan.txt for project billing-service (named after the folder Billing Service: edit its "
        "%project= line before the first `sql apply` to name it otherwise)\n"
        f"created sql/{name}; appended to sql/plan.txt\n"
    )
    assert (work / "sql" / "plan.txt").read_text() == (
        "# The migrations of this folder (`lint-canon sql apply --dir`), one file a line, in the order they\n"
        "# run; `lint-canon sql new NAME` appends here. The project name keeps their ledger rows apart\n"
        "# from those of other plans in the same database.\n"
        "%project=billing-service\n"
        f"{name}\n"
    )
    assert (work / "sql" / name).read_text().startswith(f"-- {name}  (migration 1 of 1)\n")
    plan = load_plan(work / "sql")
    assert (plan.project, [m.name for m in plan.migrations]) == ("billing-service", [name])

    second = sql("new", "park-index", cwd=work)
    later = f"{datetime.now(UTC):%Y-%m-%d}-park-index.sql"
    assert (second.returncode, second.stdout) == (0, f"created sql/{later}; appended to sql/plan.txt\n")
    plan = load_plan(work / "sql")
    assert (plan.project, [m.name for m in plan.migrations]) == ("billing-service", [name, later])


def test_sql_new_names_a_new_plan_after_the_repository_and_counts_the_files_it_does_not_list(tmp_path):
    from datetime import UTC, datetime

    repo = tmp_path / "lint-canon"  # a fork's checkout: its plans must not share lint-canon's ledger rows
    (repo / ".git").mkdir(parents=True)
    (repo / "db" / "migrations").mkdir(parents=True)
    (repo / "db" / "migrations" / "001-orders.sql").write_text("CREATE TABLE orders (id int);\n")
    result = sql("new", "orders-index", "--dir", "migrations", cwd=repo / "db")
    name = f"{datetime.now(UTC):%Y-%m-%d}-orders-index.sql"
    assert (result.returncode, result.stdout) == (
        0,
        "created migrations/plan.txt for project lint-canon-sql (named after the folder lint-canon: edit its "
        "%project= line before the first `sql apply` to name it otherwise); it lists only the new migration: list "
        "the folder's 1 other .sql file above it, in the order they run\n"
        f"created migrations/{name}; appended to migrations/plan.txt\n",
    )
    assert (repo / "db" / "migrations" / "plan.txt").read_text().splitlines()[-2:] == ["%project=lint-canon-sql", name]


def test_apply_to_a_file_stops_after_it(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "CREATE TABLE a (id int);\n",
            "002.sql": "CREATE TABLE b (id int);\n",
            "003.sql": "CREATE TABLE c (id int);\n",
        },
    )
    result = sql("apply", "--to", "002.sql", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [file for file, _ in ledger(empty_db)] == ["001.sql", "002.sql"]
    unknown = sql("apply", "--to", "009.sql", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "lint-canon: --to 009.sql: not in plan.txt; name one of its files\n",
    )
    rest = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert rest.returncode == 0 and [file for file, _ in ledger(empty_db)] == ["001.sql", "002.sql", "003.sql"]


def log_rows(url: str) -> list[tuple[str, str, str | None, str | None, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT file, status, error, note, by_user FROM lint_canon.migration_log ORDER BY id"
        ).fetchall()


def test_a_killed_no_transaction_file_is_dirty_until_repaired(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "CREATE TABLE t (x int);\n",
            "002.sql": "-- lint-canon: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);\n",
        },
    )
    assert sql("apply", "--to", "001.sql", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    argv = [sys.executable, "-m", "lint_canon", "sql", "apply", "--lock-timeout", "5min", "--dir", "m"]
    with psycopg.connect(empty_db, autocommit=True) as holder, psycopg.connect(empty_db, autocommit=True) as watch:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE t IN SHARE MODE")  # CREATE INDEX CONCURRENTLY waits behind it
        runner = subprocess.Popen([*argv, "--database-url", empty_db], cwd=tmp_path, env=cli_env(), text=True)

        def waiting() -> bool:
            return (
                watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lint-canon sql apply'"
                    " AND query LIKE 'CREATE INDEX CONCURRENTLY%%' AND wait_event_type = 'Lock'"
                ).fetchone()[0]
                == 1
            )

        wait_for(waiting, what="the runner to wait on its lock")
        runner.kill()  # a crash between "running" and "done"
        runner.wait(timeout=30)
        watch.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'lint-canon%%'"
        )
        holder.execute("COMMIT")

    status = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert status.returncode == 1
    assert status.stdout.splitlines()[2].startswith("dirty     002.sql  ")
    assert status.stdout.splitlines()[-2:] == [
        "1 applied, 1 dirty",
        "a dirty file started outside a transaction and did not finish: check it, then `lint-canon sql repair`",
    ]
    refused = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith("lint-canon: m/002.sql: dirty: started at ")
    assert refused.stderr.rstrip().endswith(
        "outside a transaction and not finished (a crash, a kill or a failure), so it may be half done; check what it "
        "left (an INVALID index: DROP INDEX CONCURRENTLY it), then run `lint-canon sql repair` and apply again"
    )

    repaired = sql("repair", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout.splitlines()[1:] == ["removed the dirty row of m/002.sql: it runs again on the next apply"]
    applied = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_x'::regclass").fetchone() == (True,)
        assert conn.execute("SELECT file, success FROM lint_canon.migrations ORDER BY installed_rank").fetchall() == [
            ("001.sql", True),
            ("002.sql", True),
        ]
    assert [(file, status) for file, status, *_ in log_rows(empty_db)] == [
        ("001.sql", "applied"),
        ("002.sql", "running"),
        ("002.sql", "repaired"),
        ("002.sql", "running"),
        ("002.sql", "applied"),
    ]
    import getpass

    repaired_note = log_rows(empty_db)[2][3]
    assert repaired_note.startswith("removed the dirty row (started ")
    assert repaired_note.endswith(f"); by {getpass.getuser()}")
    again = sql("repair", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert again.stdout.splitlines()[1:] == ["nothing to repair: no dirty file, no checksum to accept"]


def test_a_failing_no_transaction_file_is_left_dirty(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {"001.sql": "-- lint-canon: no-transaction\nCREATE INDEX CONCURRENTLY t_x ON no_such_table (x);\n"},
    )
    result = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        'lint-canon: m/001.sql:2: relation "no_such_table" does not exist (no transaction: what it did is not rolled '
        "back, and the file is marked dirty; check the database, then run `lint-canon sql repair`)\n",
    )
    assert sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).stdout.splitlines()[-2] == "1 dirty"


def test_a_reviewed_checksum_change_is_accepted_by_repair_with_who_and_when(empty_db, tmp_path):
    import getpass

    folder = write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE a (id int);\n"})
    assert sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    unchanged = sql("repair", "--accept-checksum", "001.sql", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (unchanged.returncode, unchanged.stderr) == (
        2,
        "lint-canon: --accept-checksum 001.sql: unchanged since it was applied; nothing to accept\n",
    )
    (folder / "001.sql").write_text("-- a comment a reviewer accepted\nCREATE TABLE a (id int);\n")
    assert sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 2
    old = ledger(empty_db)[0][1]
    result = sql("repair", "--accept-checksum", "001.sql", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    new = ledger(empty_db)[0][1]
    assert new != old
    assert result.stdout.splitlines()[1:] == [f"accepted the changed checksum of m/001.sql ({old[:12]} -> {new[:12]})"]
    file, status, error, note, by_user = log_rows(empty_db)[-1]
    assert (file, status, error, by_user) == ("001.sql", "checksum-accepted", None, "postgres")
    assert note == f"was {old}; reviewed and accepted by {getpass.getuser()}"
    assert sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    unknown = sql("repair", "--accept-checksum", "009.sql", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "lint-canon: --accept-checksum 009.sql: not in plan.txt; name one of its files\n",
    )


def test_a_migration_cannot_release_the_runners_lock(empty_db, tmp_path):
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "SELECT pg_advisory_unlock_all();\nSELECT pg_sleep(2);\n",
            "002.sql": "CREATE TABLE after_it (id int);\n",
        },
    )
    argv = [sys.executable, "-m", "lint_canon", "sql", "apply", "--dir", "m", "--database-url", empty_db]
    first = subprocess.Popen(
        argv, cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    with psycopg.connect(empty_db, autocommit=True) as watch:
        wait_for(
            lambda: (
                watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(2)%%'"
                ).fetchone()[0]
                == 1
            ),
            what="the first runner's migration",
        )
        lock_pid = watch.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'lint-canon sql apply (lock)'"
        ).fetchone()[0]
    second = sql("apply", "--lock-wait", "0.5", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert second.returncode == 2
    assert second.stderr.startswith(
        f"lint-canon: the migration lock is held by pid {lock_pid} (lint-canon sql apply (lock), "
    )
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert [file for file, _ in ledger(empty_db)] == ["001.sql", "002.sql"]


def test_lint_canons_plan_and_a_teams_own_share_a_database(empty_db, tmp_path):
    assert sql("apply", "--reference-schema", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE orders (id int);\n"})
    own = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert own.returncode == 0, own.stderr
    assert sql("status", "--database-url", empty_db, cwd=tmp_path).stdout.splitlines()[-1] == f"{len(PLAN)} applied"
    assert sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).stdout.splitlines()[-1] == (
        "1 applied"
    )
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT project, count(*), max(installed_rank) FROM lint_canon.migrations GROUP BY project ORDER BY project"
        ).fetchall() == [("default", 1, 1), ("lint-canon", len(PLAN), len(PLAN))]
    # a second plan of the team's, named apart
    (tmp_path / "n").mkdir()
    (tmp_path / "n" / "plan.txt").write_text("# reporting\n%project=reporting\n001.sql\n")
    (tmp_path / "n" / "001.sql").write_text("CREATE TABLE report (id int);\n")
    assert sql("apply", "--dir", "n", "--database-url", empty_db, cwd=tmp_path).returncode == 0
    assert sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    "plan",
    ["001.sql\n%project=late\n", "%project=a\n%project=b\n001.sql\n", "%project=has space\n001.sql\n", "%syntax=1\n"],
)
def test_a_bad_plan_pragma_is_refused(tmp_path, plan):
    write_plan(tmp_path / "m", {"001.sql": "SELECT 1;\n"})
    (tmp_path / "m" / "plan.txt").write_text(plan)
    result = sql("status", "--dir", "m", "--database-url", "postgresql://nobody@127.0.0.1:1/x", cwd=tmp_path)
    bad = next(line.strip() for line in plan.splitlines() if line.startswith("%") and line != "%project=a")
    number = plan.splitlines().index(bad) + 1
    assert (result.returncode, result.stderr) == (
        2,
        f"lint-canon: m/plan.txt:{number}: {bad}: the one pragma is %project=NAME (letters, digits, _ . -), once, "
        "before the first file\n",
    )


def test_a_ledger_of_an_older_runner_is_brought_up_to_date(empty_db, tmp_path):
    write_plan(tmp_path / "m", {"001.sql": "CREATE TABLE a (id int);\n", "002.sql": "CREATE TABLE b (id int);\n"})
    (tmp_path / "m" / "plan.txt").write_text("%project=lint-canon\n001.sql\n002.sql\n")
    from lint_canon.db.migrations import checksum

    digest = checksum((tmp_path / "m" / "001.sql").read_bytes())
    with psycopg.connect(empty_db, autocommit=True) as conn:  # the ledger as the first release made it
        conn.execute(
            "CREATE SCHEMA lint_canon;"
            " CREATE TABLE lint_canon.migrations (file text PRIMARY KEY, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL DEFAULT current_user,"
            " duration_ms integer NOT NULL, baseline boolean NOT NULL DEFAULT false);"
            " CREATE TABLE lint_canon.migration_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " file text NOT NULL, checksum text NOT NULL,"
            " status text NOT NULL CHECK (status IN ('applied', 'failed', 'baseline')), error text,"
            " at timestamptz NOT NULL DEFAULT now(), by_user text NOT NULL DEFAULT current_user);"
            " CREATE TABLE a (id int);"
        )
        conn.execute(
            "INSERT INTO lint_canon.migrations (file, checksum, duration_ms) VALUES ('001.sql', %s, 3)", (digest,)
        )
    before = sql("status", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)  # read as it is
    assert before.stdout.splitlines()[1:] == [
        before.stdout.splitlines()[1],
        "pending   002.sql",
        "1 applied, 1 pending",
    ]
    applied = sql("apply", "--dir", "m", "--database-url", empty_db, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT project, file, installed_rank, success FROM lint_canon.migrations ORDER BY installed_rank"
        ).fetchall() == [("lint-canon", "001.sql", 1, True), ("lint-canon", "002.sql", 2, True)]


def test_index_builds_wait_briefly_for_a_busy_table_and_the_next_apply_goes_on(db_url, tmp_path):
    assert sql("baseline", "--database-url", db_url, cwd=tmp_path).returncode == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP INDEX outreach.dol_errors_gov_park_idx")
    with psycopg.connect(db_url) as holder:
        holder.execute("LOCK TABLE outreach.dol_errors IN SHARE MODE")  # CREATE INDEX CONCURRENTLY waits for it
        busy = sql("apply", "--lock-timeout", "1s", "--database-url", db_url, cwd=tmp_path)
    assert busy.returncode == 2
    assert busy.stderr == (
        "lint-canon: outreach.dol_errors: create index concurrently dol_errors_gov_park_idx: canceling statement due "
        "to lock timeout; nothing else was changed: run the command again when the table is less busy (or raise "
        "--lock-timeout), it goes on from there\n"
    )
    calm = sql("apply", "--database-url", db_url, cwd=tmp_path)
    assert calm.returncode == 0, calm.stderr
    assert [line.split(" (")[0] for line in calm.stdout.splitlines()[1:]] == [
        f"nothing to apply: {len(PLAN)} migrations up to date",
        "built index dol_errors_gov_park_idx on outreach.dol_errors",
    ]
    with psycopg.connect(db_url) as conn:
        assert conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'outreach.dol_errors_gov_park_idx'::regclass"
        ).fetchone() == (True,)


def test_status_names_the_index_a_failed_build_left_behind_until_apply_finishes_it(db_url, tmp_path):
    assert sql("baseline", "--database-url", db_url, cwd=tmp_path).returncode == 0
    assert sql("status", "--database-url", db_url, cwd=tmp_path).returncode == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP INDEX outreach.dol_errors_gov_park_idx")
    missing = sql("status", "--database-url", db_url, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stdout.splitlines()[-2:] == [
        "step      index to build dol_errors_gov_park_idx on outreach.dol_errors",
        "1 governance steps pending (they run outside a transaction, after the migrations): run `lint-canon sql "
        "apply` to finish them",
    ]
    with psycopg.connect(db_url) as writer:
        # A writer's open transaction: CREATE INDEX CONCURRENTLY has already made its (INVALID)
        # index when it waits for it, and gives up there.
        writer.execute("LOCK TABLE outreach.dol_errors IN ROW EXCLUSIVE MODE")
        busy = sql("apply", "--lock-timeout", "1s", "--database-url", db_url, cwd=tmp_path)
    assert busy.returncode == 2
    assert busy.stderr == (
        "lint-canon: outreach.dol_errors: create index concurrently dol_errors_gov_park_idx: canceling statement due "
        "to lock timeout; it left the INVALID index dol_errors_gov_park_idx behind (the next `sql apply` drops it and "
        "builds it again): run the command again when the table is less busy (or raise --lock-timeout), it goes on "
        "from there\n"
    )
    left = sql("status", "--database-url", db_url, cwd=tmp_path)
    assert left.returncode == 1
    assert "step      invalid index to drop and build again dol_errors_gov_park_idx on outreach.dol_errors" in (
        left.stdout.splitlines()
    )
    calm = sql("apply", "--database-url", db_url, cwd=tmp_path)
    assert [line.split(" (")[0] for line in calm.stdout.splitlines()[2:]] == [
        "dropped invalid index dol_errors_gov_park_idx on outreach.dol_errors",
        "built index dol_errors_gov_park_idx on outreach.dol_errors",
    ]
    done = sql("status", "--database-url", db_url, cwd=tmp_path)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, f"{len(PLAN)} applied")


def test_govern_takes_quoted_names_and_changes_only_what_its_options_name(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            'CREATE SCHEMA billing; CREATE TABLE billing."Invoice Errors" (id bigint PRIMARY KEY,'
            " created_at timestamptz NOT NULL DEFAULT now())"
        )
    first = sql("govern", 'billing."Invoice Errors"', "--max-retries", "5", "--database-url", db_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == (
        'billing."Invoice Errors" governed: archive billing."Invoice Errors_archive", max_retries 5, retention 1 year, '
        "hub none (system-wide)"
    )
    again = sql("govern", 'billing."Invoice Errors"', "--hub", "HUB-BIT", "--database-url", db_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == (  # max_retries stays 5; nothing left to build
        'billing."Invoice Errors" governed: archive billing."Invoice Errors_archive", max_retries 5, retention 1 year, '
        "hub HUB-BIT\n"
    )
    dol = sql("govern", "outreach.dol_errors", "--retention", "2 years", "--database-url", db_url, cwd=tmp_path)
    assert dol.stdout.startswith("outreach.dol_errors governed: archive outreach.dol_errors_archive, max_retries 5,")


def test_each_migration_starts_from_the_runners_settings(empty_db, tmp_path):
    # A plain SET outlives its file's transaction: without a reset, the next file's ALTER TABLE
    # would queue behind a reader with no lock_timeout, and the next file's names would resolve
    # in another schema.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE busy (id int); CREATE SCHEMA elsewhere")
    write_plan(
        tmp_path / "m",
        {
            "001.sql": "SET lock_timeout = 0;\nSET search_path = elsewhere;\nCREATE TABLE one (id int);\n",
            "002.sql": "CREATE TABLE two (id int);\n",
            "003.sql": "ALTER TABLE public.busy ADD COLUMN note text;\n",
        },
    )
    with psycopg.connect(empty_db) as reader:
        reader.execute("SELECT * FROM busy")  # holds ACCESS SHARE until the end of its transaction
        started = time.monotonic()
        result = sql(
            "apply", "--dir", "m", "--lock-timeout", "2s", "--database-url", empty_db, cwd=tmp_path, timeout=30
        )
        waited = time.monotonic() - started
    assert result.returncode == 2
    assert result.stderr.startswith("lint-canon: m/003.sql:1: canceling statement due to lock timeout")
    assert waited < 20
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regclass('elsewhere.one'), to_regclass('public.two')").fetchone() == (
            "elsewhere.one",
            "two",
        )
    assert [file for file, _ in ledger(empty_db)] == ["001.sql", "002.sql"]


KILL_AFTER_LINE = [1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 21, 28]


@pytest.mark.parametrize("line", KILL_AFTER_LINE)
def test_a_killed_apply_leaves_status_clean_or_naming_what_is_pending(pg_databases, tmp_path, line):
    # SIGKILL once the run has said its line-th line (the database, each file applied, each index
    # built), while it goes on: the migrations are never half-applied, and status either exits 0
    # with every job index valid, or exits 1 naming what is left (a pending file, an index to build
    # or to drop and build again, a check to validate).
    url = pg_databases.create(migrated=False)
    run = subprocess.Popen(
        [sys.executable, "-m", "lint_canon", "sql", "apply", "--reference-schema", "--database-url", url],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert run.stdout is not None
    for _ in range(line):
        run.stdout.readline()
    run.kill()
    run.wait()
    status = sql("status", "--database-url", url, cwd=tmp_path)
    lines = status.stdout.splitlines()[1:]
    with psycopg.connect(url) as conn:
        invalid = conn.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid").fetchone()[0]
    if status.returncode == 0:
        assert invalid == 0 and lines[-1] == f"{len(PLAN)} applied"
    else:
        assert status.returncode == 1, status.stderr
        pending = [line for line in lines if line.startswith(("pending ", "step "))]
        assert pending, status.stdout
        assert invalid == 0 or any("invalid index to drop" in line for line in pending)
    finished = sql("apply", "--reference-schema", "--database-url", url, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    after = sql("status", "--database-url", url, cwd=tmp_path)
    assert (after.returncode, after.stdout.splitlines()[-1]) == (0, f"{len(PLAN)} applied")
