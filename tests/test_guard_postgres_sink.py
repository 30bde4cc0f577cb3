"""The guard's PostgreSQL sink on a real server: 10,000 violations from 8 threads all arrive;
a database that is down costs the caller nothing, is retried, and what a full queue drops is
counted in the log; what is queued at exit is written."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import psycopg
import pytest

from lint_canon.guard import PostgresSink, ToolCanonGuard, ToolCanonViolationError, enforce_tool_canon
from tests.conftest import cli_env
from tests.pg import with_dbname
from tests.test_guard import CANON, GOOD_GATES

OUTREACH = "6f1c2a51-9a47-4c0e-8d43-3b0b9d1f0a11"


@pytest.fixture
def canon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "canon.yaml"
    path.write_text(CANON)
    monkeypatch.setenv("LINT_CANON_CONFIG", str(path))
    monkeypatch.setenv("HUNTER_API_KEY", "k")
    return path


def rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT failure_code, hub, tool_id, disposition::text, function_name, outreach_id::text"
            " FROM shq.guard_violations ORDER BY violation_id"
        ).fetchall()


def test_ten_thousand_violations_from_eight_threads_all_arrive(canon, db_url):
    sink = PostgresSink(db_url)
    try:

        @enforce_tool_canon("TOOL-008", "HUB-PEOPLE", "ENRICH", sinks=[sink])
        def enrich(domain: str, gate_state: dict, outreach_id: str) -> str:
            return domain

        refused: list[int] = []

        def caller() -> None:
            count = 0
            for _ in range(1250):
                try:
                    enrich("acme.com", GOOD_GATES, OUTREACH)
                except ToolCanonViolationError:
                    count += 1
            refused.append(count)

        threads = [threading.Thread(target=caller) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert refused == [1250] * 8
        assert sink.flush(120)
        assert (sink.written, sink.dropped, sink.rejected) == (10_000, 0, 0)
    finally:
        sink.close()
    stored = rows(db_url)
    assert len(stored) == 10_000
    function = f"{__name__}.test_ten_thousand_violations_from_eight_threads_all_arrive.<locals>.enrich"
    assert set(stored) == {("V-SCOPE-001", "HUB-PEOPLE", "TOOL-008", "PARKED", function, OUTREACH)}


def test_a_database_that_is_down_is_retried_and_a_full_queue_is_counted(canon, pg_databases, caplog):
    name = f"lc_later_{uuid.uuid4().hex[:8]}"
    url = with_dbname(pg_databases.url, name)  # not created yet: the database is "down"
    sink = PostgresSink(url, queue_size=100, max_backoff=0.3)
    guard = ToolCanonGuard(sinks=[sink])
    try:
        with caplog.at_level(logging.WARNING, logger="lint_canon.guard"):
            for _ in range(150):
                # the guard still refuses every call, whatever the sink
                assert guard.validate("TOOL-008", "HUB-PEOPLE", "ENRICH", GOOD_GATES).violation.code == "V-SCOPE-001"
            assert not sink.flush(1.5)  # nothing can be written yet
            with psycopg.connect(pg_databases.url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_databases.template}"')
            pg_databases.made.append(name)
            assert sink.flush(60)
        messages = [r.getMessage() for r in caplog.records]
    finally:
        sink.close()
    shown = f"postgresql://postgres@/{name}?host="
    assert any(
        m.startswith(f"cannot write guard violations to {shown}") and "retrying with backoff" in m for m in messages
    )
    assert any(m.startswith("dropped 50 guard violation records: the queue (100) was full while ") for m in messages), (
        messages
    )
    assert any(m.startswith("writing guard violations to ") and m.endswith(" again") for m in messages)
    assert (sink.written, sink.dropped) == (100, 50)
    assert len(rows(url)) == 100


def test_what_is_queued_at_exit_is_written(canon, db_url, tmp_path):
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from lint_canon.guard import PostgresSink, ToolCanonGuard, ToolCanonViolationError, set_default_sinks
            set_default_sinks(PostgresSink({db_url!r}, flush_interval=5.0))
            guard = ToolCanonGuard()
            for i in range(5):
                guard.validate("TOOL-015", "HUB-PEOPLE", "READ", {{"outreach_id": {OUTREACH!r}}})
            """
        )
    )
    result = subprocess.run([sys.executable, str(script)], env=cli_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [r[0] for r in rows(db_url)] == ["V-GATE-002"] * 5


def test_no_log_line_of_the_sink_holds_the_password(canon, caplog):
    from lint_canon.db.connection import DatabaseError

    with pytest.raises(DatabaseError) as info:
        PostgresSink("postgresql://alice:s3cr@t-pw@127.0.0.1:1/outreach")  # an unencoded @: unreadable
    assert "s3cr" not in str(info.value) and "t-pw" not in str(info.value)
    assert str(info.value).startswith("the database URL given cannot be parsed, so it is not shown")
    sink = PostgresSink("postgresql://alice:s3cret-pw@127.0.0.1:1/outreach", max_backoff=0.1)
    try:
        with caplog.at_level(logging.WARNING, logger="lint_canon.guard"):
            ToolCanonGuard(sinks=[sink]).validate("TOOL-008", "HUB-PEOPLE", "ENRICH", GOOD_GATES)
            assert not sink.flush(1.0)  # the server does not answer
    finally:
        sink.close(timeout=0)
    assert caplog.records, "the outage is logged"
    assert (
        caplog.records[0]
        .getMessage()
        .startswith("cannot write guard violations to postgresql://alice@127.0.0.1:1/outreach (")
    )
    assert "s3cret" not in caplog.text


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a database that hangs."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"postgresql://guard@127.0.0.1:{server.getsockname()[1]}/shq"
    server.close()


def test_a_database_that_hangs_blocks_neither_the_call_nor_the_exit_beyond_its_timeout(canon, silent_server, tmp_path):
    import time

    sink = PostgresSink(silent_server, exit_timeout=1.0)
    guard = ToolCanonGuard(sinks=(sink,))

    @enforce_tool_canon("TOOL-015", "HUB-PEOPLE", "READ", sinks=(sink,))
    def people(gate_state):
        return "called"

    started = time.monotonic()
    for _ in range(50):
        with pytest.raises(ToolCanonViolationError):
            people(gate_state={"outreach_id": OUTREACH})
        guard.validate("TOOL-015", "HUB-PEOPLE", "READ", {"outreach_id": OUTREACH})
    assert time.monotonic() - started < 1.0  # the sink's thread hangs on connect; the calls do not
    sink.close()

    # the interpreter's exit waits for the hanging database at most the sink's exit timeout (5 s)
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from lint_canon.guard import PostgresSink, ToolCanonGuard, set_default_sinks
            set_default_sinks(PostgresSink({silent_server!r}))
            ToolCanonGuard().validate("TOOL-015", "HUB-PEOPLE", "READ", {{"outreach_id": {OUTREACH!r}}})
            import time
            print(time.monotonic())
            """
        )
    )
    result = subprocess.run([sys.executable, str(script)], env=cli_env(), capture_output=True, text=True, timeout=60)
    ended = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert ended - float(result.stdout.strip()) < 6.0  # 5 s and the interpreter's own exit
    assert "were not written" in result.stderr
