"""The governance state that ``lint-canon sql report`` shows: error rows by table, hub and status,
what was parked and escalated day by day, the last run of each governance job, promotion tiers,
the top blocking failure codes and the guard's violations. Read only, figures only: counts, days,
ids and codes, never a value a row holds (a message, a name).

Every figure is an aggregate the server computes (COUNT ... GROUP BY, the monitoring views); the
top-N lists are cut by LIMIT. The governed tables and their archives are read through
shq.vw_error_status_groups, which reads each once (its status counts, hubs and days together); the
run log through its index, a few rows per job however long it grows. The promotion tiers are the
one costly read: the readiness summary over every outreach id (about 4 s at a million, on 2
cores), through shq.vw_promotion_tier_counts. On an idle connection ``governance_state`` opens
its own transaction, REPEATABLE READ and READ ONLY, so that every figure comes from one snapshot;
inside a transaction of the caller it reads in that one (at READ COMMITTED, a snapshot per
statement).

The role that runs it needs only USAGE on shq and SELECT on some of its tables and views, nothing
outside shq (tests/test_sql_report_data.py reads this block, runs it for a role with nothing
else, and reads the state as that role):

    -- the report role's grants
    GRANT USAGE ON SCHEMA shq TO reporter;
    GRANT SELECT ON shq.error_table_registry, shq.hubs, shq.governance_job_runs,
        shq.guard_violations, shq.guard_violations_archive, shq.vw_error_status_groups,
        shq.vw_blocking_errors_by_outreach, shq.vw_promotion_tier_counts TO reporter;

The views read the governed tables, their archives and the hub tables with their owner's rights
(sql/2026-12-06-report-role-views.sql), so a table governed later needs no grant. The tier view
calls shq.fn_promotion_tier_counts(), which PUBLIC may execute by default; where default
privileges revoke that, grant EXECUTE on it too.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lint_canon.db.jobs import SCHEDULES

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "Blocker",
    "DayCount",
    "GovernanceState",
    "HubState",
    "JobRun",
    "StatusCounts",
    "TableState",
    "TierCount",
    "ViolationCount",
    "governance_state",
]

DAYS = 30
TOP_BLOCKERS = 10
TOP_VIOLATIONS = 50


@dataclass(frozen=True)
class StatusCounts:
    """Error rows by status. The five are disjoint: every row of a table and its archive is
    counted in exactly one, so they add up to the rows held. Retry, parked and escalated rows
    block promotion; live and archived ones do not."""

    live: int  # in the live table, no longer waiting: RESOLVED, IGNORE, or ARCHIVED by hand (the
    #            next daily run moves those and the expired ones to the archive)
    retry: int  # disposition RETRY, or NULL (not yet backfilled; the jobs read it as RETRY)
    parked: int  # PARKED, escalation level 0
    escalated: int  # PARKED, escalation level 1 to 3 (parked for 24 hours, 72 hours, 7 days)
    archived: int  # in the archive table, until the weekly cleanup deletes it after its retention


@dataclass(frozen=True)
class TableState:
    table: str  # schema.table as the registry holds it (unquoted, as the monitoring views name it)
    hub: str | None  # the registry's hub; None: system-wide (public.shq_error_log) or a hub per row
    #                  (shq.guard_violations), which the hubs count row by row
    counts: StatusCounts


@dataclass(frozen=True)
class HubState:
    """A hub's rows over every table: a table's hub, or each row's own where the registry names
    a hub column. Every hub of shq.hubs, in its sort_order, then any other hub a row names.
    Rows of system-wide tables (no hub) count in ``tables`` only."""

    hub: str
    counts: StatusCounts


@dataclass(frozen=True)
class DayCount:
    """Rows that became parked (parked_at) or escalated (escalated_at) on that day, UTC, live and
    archived. escalated_at is the time of a row's latest escalation: a row escalated to level 1,
    then 2, then 3 counts once, on the day of the last."""

    day: datetime.date
    parked: int
    escalated: int


@dataclass(frozen=True)
class JobRun:
    """The last run of a governance job: its rows in shq.governance_job_runs with the as_of of
    the job's newest row (a run of the master runner, or all the one-batch calls of one
    `lint-canon sql jobs`), from after the newest row of an earlier run that was not skipped."""

    job: str  # archive_expired_errors, auto_park_exhausted_retries, escalate_stale_parked_errors,
    #           cleanup_expired_archives
    schedule: str  # daily or weekly
    started_at: datetime.datetime  # when its first row started
    seconds: float  # from that start to the end of its last row
    archived: int  # rows moved to the archives (archive_expired_errors; 0 for the others)
    parked: int  # rows parked (auto_park_exhausted_retries)
    escalated: int  # rows escalated (escalate_stale_parked_errors)
    cleaned: int  # archive rows deleted after their retention (cleanup_expired_archives)
    status: str  # as the log says: failed when a table (or the job) failed, else ok when it ran,
    #              else skipped (another runner held the schedule)


@dataclass(frozen=True)
class TierCount:
    tier: str  # the label of shq.vw_promotion_readiness_summary: TIER_3_CAMPAIGN_READY,
    #            TIER_2_ENRICHMENT_COMPLETE, TIER_1_MARKETING_READY, NOT_READY, in that order
    outreach_ids: int  # outreach ids whose highest tier is this one (each id counts in one tier)


@dataclass(frozen=True)
class Blocker:
    """A failure code of blocking errors (RETRY, PARKED or unset rows with an outreach id), from
    shq.vw_blocking_errors_by_outreach: codes come from the tables whose registry row names a
    code_column (shq.guard_violations' V-codes; the document's five tables have none until
    governed with p_code_column => 'failure_code')."""

    code: str
    count: int  # outreach ids it blocks
    example_id: str  # one of them (the smallest as text), for shq.fn_get_promotion_blockers


@dataclass(frozen=True)
class ViolationCount:
    """Guard violations the database holds, live and archived (the ARCHIVE disposition and the
    reviewed ones), by tool, hub and V-code."""

    tool: str
    hub: str
    code: str
    count: int


@dataclass(frozen=True)
class GovernanceState:
    tables: tuple[TableState, ...]  # every registered table, in the registry's order
    hubs: tuple[HubState, ...]
    days: tuple[DayCount, ...]  # the last 30 days that have any, oldest first
    runs: tuple[JobRun, ...]  # daily jobs in their order, then weekly; jobs never run left out
    tiers: tuple[TierCount, ...]
    blockers: tuple[Blocker, ...]  # at most 10, most outreach ids first, then by code
    violations: tuple[ViolationCount, ...]  # at most 50, largest first, then by tool, hub, code


_REGISTRY = """
SELECT table_schema, table_name, hub FROM shq.error_table_registry ORDER BY table_schema, table_name
"""

# The groups of every governed table and archive (a few hundred per table): by hub and by the days
# its rows were parked and escalated, with the status counts and the rows of each group.
_GROUPS = """
SELECT error_table, hub, parked_day, escalated_day, live, retry, parked, escalated, archived, error_rows
FROM shq.vw_error_status_groups
"""

_HUBS = "SELECT hub_id FROM shq.hubs ORDER BY sort_order, hub_id"

# The newest row of each job names its run (as_of); the run's rows are those with that as_of
# since the newest row of another run that was not skipped. Each step is a short walk of the
# index on (job_name, started_at), however long the log.
_RUNS = """
SELECT j.job, run.started, extract(epoch FROM run.finished - run.started)::float8, run.affected,
       CASE WHEN run.failed THEN 'failed' WHEN run.ran THEN 'ok' ELSE 'skipped' END
FROM unnest(%s::text[]) WITH ORDINALITY AS j (job, n)
CROSS JOIN LATERAL (
    SELECT r.as_of FROM shq.governance_job_runs r
    WHERE r.job_name = j.job
    ORDER BY r.started_at DESC
    LIMIT 1
) newest
LEFT JOIN LATERAL (
    SELECT r.started_at FROM shq.governance_job_runs r
    WHERE r.job_name = j.job AND r.as_of <> newest.as_of AND r.status <> 'skipped'
    ORDER BY r.started_at DESC
    LIMIT 1
) earlier ON true
CROSS JOIN LATERAL (
    SELECT min(r.started_at) AS started, max(r.finished_at) AS finished,
           coalesce(sum(r.rows_affected), 0)::bigint AS affected,
           coalesce(bool_or(r.status = 'failed'), false) AS failed,
           coalesce(bool_or(r.status = 'ok'), false) AS ran
    FROM shq.governance_job_runs r
    WHERE r.job_name = j.job AND r.as_of = newest.as_of
      AND r.started_at > coalesce(earlier.started_at, '-infinity')
) run
ORDER BY j.n
"""

_TIERS = "SELECT label, outreach_count FROM shq.vw_promotion_tier_counts ORDER BY tier DESC"

# Tables without a code column give NULL failure_codes: the filter turns their branches of the
# view into a constant-false HAVING, which the planner skips without reading the table.
_BLOCKERS = """
SELECT code, count(DISTINCT b.outreach_id), min(b.outreach_id::text)
FROM shq.vw_blocking_errors_by_outreach b
CROSS JOIN LATERAL unnest(b.failure_codes) AS code
WHERE b.failure_codes IS NOT NULL
GROUP BY code
ORDER BY 2 DESC, code
LIMIT %s
"""

_VIOLATIONS = """
SELECT tool_id, hub, failure_code, count(*)
FROM (SELECT tool_id, hub, failure_code FROM shq.guard_violations
      UNION ALL
      SELECT tool_id, hub, failure_code FROM shq.guard_violations_archive) v
GROUP BY 1, 2, 3
ORDER BY 4 DESC, 1, 2, 3
LIMIT %s
"""

# Which JobRun field a job's rows count in.
_JOB_FIELDS = {
    "archive_expired_errors": "archived",
    "auto_park_exhausted_retries": "parked",
    "escalate_stale_parked_errors": "escalated",
    "cleanup_expired_archives": "cleaned",
}


def governance_state(conn: psycopg.Connection[Any]) -> GovernanceState:
    """The governance state of the database ``conn`` is connected to, read with SELECTs only.
    Database errors (a missing privilege, migrations not applied) are psycopg's, as raised."""
    from psycopg import pq

    if conn.info.transaction_status != pq.TransactionStatus.IDLE:
        return _read(conn)
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _read(conn)


def _read(conn: psycopg.Connection[Any]) -> GovernanceState:
    tables, hubs, days = _table_rows(conn)
    return GovernanceState(
        tables=tables,
        hubs=hubs,
        days=days,
        runs=_runs(conn),
        tiers=tuple(TierCount(label, int(n)) for label, n in conn.execute(_TIERS)),
        blockers=tuple(Blocker(code, int(n), example) for code, n, example in conn.execute(_BLOCKERS, (TOP_BLOCKERS,))),
        violations=tuple(
            ViolationCount(tool, hub, code, int(n))
            for tool, hub, code, n in conn.execute(_VIOLATIONS, (TOP_VIOLATIONS,))
        ),
    )


def _table_rows(
    conn: psycopg.Connection[Any],
) -> tuple[tuple[TableState, ...], tuple[HubState, ...], tuple[DayCount, ...]]:
    """Tables, hubs and days, from one read of shq.vw_error_status_groups."""
    hubs_of = {f"{schema}.{table}": hub for schema, table, hub in conn.execute(_REGISTRY)}
    by_table: dict[str, list[int]] = {name: [0] * 5 for name in hubs_of}
    known = [hub_id for (hub_id,) in conn.execute(_HUBS)]
    by_hub: dict[str, list[int]] = {hub_id: [0] * 5 for hub_id in known}
    parked: dict[datetime.date, int] = defaultdict(int)
    escalated: dict[datetime.date, int] = defaultdict(int)
    for name, hub, parked_day, escalated_day, *counts_and_rows in conn.execute(_GROUPS):
        if name not in by_table:
            continue  # its registry row was deleted by hand, without making the views again
        counts, rows = [int(n) for n in counts_and_rows[:5]], int(counts_and_rows[5])
        _add(by_table[name], counts)
        if hub is not None:
            _add(by_hub.setdefault(hub, [0] * 5), counts)
        if parked_day is not None:
            parked[parked_day] += rows
        if escalated_day is not None:
            escalated[escalated_day] += rows
    days = sorted(set(parked) | set(escalated))[-DAYS:]
    hub_order = known + sorted(set(by_hub) - set(known))
    return (
        tuple(TableState(name, hubs_of[name], StatusCounts(*counts)) for name, counts in by_table.items()),
        tuple(HubState(hub, StatusCounts(*by_hub[hub])) for hub in hub_order),
        tuple(DayCount(day, parked.get(day, 0), escalated.get(day, 0)) for day in days),
    )


def _add(total: list[int], counts: list[int]) -> None:
    for i, n in enumerate(counts):
        total[i] += n


def _runs(conn: psycopg.Connection[Any]) -> tuple[JobRun, ...]:
    schedule_of = {job: schedule for schedule, jobs in SCHEDULES.items() for job in jobs}
    runs = []
    for job, started, seconds, affected, status in conn.execute(_RUNS, (list(schedule_of),)):
        counts = dict.fromkeys(_JOB_FIELDS.values(), 0)
        counts[_JOB_FIELDS[job]] = int(affected)
        runs.append(JobRun(job, schedule_of[job], started, float(seconds), status=status, **counts))
    return tuple(runs)
