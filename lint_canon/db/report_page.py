"""``lint-canon sql report``: the governance state (``lint_canon.db.report``) as a summary on a
terminal, or as one self-contained HTML page (``--format html``; ``lint_canon.output.page``).
Figures only: ids and codes, never a value from a row."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from lint_canon.db.report import GovernanceState, StatusCounts
from lint_canon.output.page import cards, column_chart, funnel, page, section, stacked_bars, table
from lint_canon_guard.messages import printable

STATUSES = ("live", "retry", "parked", "escalated", "archived")
# What each count is (db/report.py): "live" holds the rows settled (resolved, ignored) and not
# archived yet; retry, parked and escalated are what blocks promotion.
LABELS = {"live": "settled", "retry": "retry", "parked": "parked", "escalated": "escalated", "archived": "archived"}
SERIES = tuple(LABELS[status] for status in STATUSES)
BLOCKING = ("retry", "parked", "escalated")


def _counts(counts: StatusCounts) -> list[int]:
    return [getattr(counts, status) for status in STATUSES]


def _total(rows: Sequence[StatusCounts]) -> StatusCounts:
    return StatusCounts(*(sum(getattr(row, status) for row in rows) for status in STATUSES))


def render_text(state: GovernanceState, where: str) -> str:
    """The summary for a terminal: plain columns, no colour."""
    total = _total([t.counts for t in state.tables])
    out = [f"governance state of {where}"]
    out.append(
        "error rows: "
        + ", ".join(f"{getattr(total, s):,} {LABELS[s]}" for s in STATUSES)
        + f" in {len(state.tables)} tables"
    )
    if state.tables:
        width = max(len(t.table) for t in state.tables)
        out.append("")
        out.append(f"{'table':<{width}}  " + "  ".join(f"{LABELS[s]:>9}" for s in STATUSES))
        for t in state.tables:
            out.append(f"{t.table:<{width}}  " + "  ".join(f"{n:>9,}" for n in _counts(t.counts)))
    if state.hubs:
        out.append("")
        out.append(
            "blocking by hub: "
            + "; ".join(f"{h.hub} {sum(getattr(h.counts, s) for s in BLOCKING):,}" for h in state.hubs)
        )
    if state.tiers:
        out.append("")
        out.append("outreach ids by highest tier: " + ", ".join(f"{t.tier} {t.outreach_ids:,}" for t in state.tiers))
    if state.blockers:
        out.append(
            "top blocking codes (outreach ids): "
            + ", ".join(f"{b.code} {b.count:,} (e.g. {b.example_id})" for b in state.blockers[:5])
        )
    if state.runs:
        out.append("")
        out.append("last job runs:")
        for run in state.runs:
            out.append(
                f"  {run.job} ({run.schedule}) {run.started_at:%Y-%m-%d %H:%M} {run.status}: "
                f"{run.archived:,} archived, {run.parked:,} parked, {run.escalated:,} escalated, {run.cleaned:,} cleaned"
                f" in {run.seconds:.1f} s"
            )
    if state.violations:
        count = sum(v.count for v in state.violations)
        out.append(f"guard violations: {count:,} ({len({v.tool for v in state.violations})} tools)")
    out.append("")
    out.append("lint-canon sql report --format html -o report.html: the same as one page")
    # Names come from the database: a control character is shown escaped, never sent to the terminal.
    return "\n".join(printable(line) for line in out) + "\n"


def render_html(state: GovernanceState, where: str, taken: datetime.datetime) -> str:
    total = _total([t.counts for t in state.tables])
    top = cards(
        [
            *(
                (f"{LABELS[status]} error rows", f"{getattr(total, status):,}", f"total:{status}")
                for status in STATUSES
            ),
            ("governed tables", len(state.tables), "tables"),
            ("guard violations", f"{sum(v.count for v in state.violations):,}", "violations"),
        ]
    )
    by_table = section(
        "Error rows by table and status",
        "Retry, parked and escalated rows block promotion (escalated: parked too long); settled rows were resolved "
        "or ignored and wait for the archive.",
        stacked_bars(
            "Error rows per governed table, by status", SERIES, [(t.table, _counts(t.counts)) for t in state.tables]
        ),
        table(
            "Error rows per table",
            ["table", "hub", *SERIES],
            [[t.table, t.hub or "", *(f"{n:,}" for n in _counts(t.counts))] for t in state.tables],
            [["", "", *(f"{s}:{t.table}" for s in STATUSES)] for t in state.tables],
        ),
    )
    by_hub = section(
        "Error rows by hub",
        "",
        stacked_bars("Error rows per hub, by status", SERIES, [(h.hub, _counts(h.counts)) for h in state.hubs]),
        table(
            "Error rows per hub",
            ["hub", *SERIES],
            [[h.hub, *(f"{n:,}" for n in _counts(h.counts))] for h in state.hubs],
            [["", *(f"{s}:{h.hub}" for s in STATUSES)] for h in state.hubs],
        ),
    )
    over_time = section(
        "Parked and escalated, day by day",
        "Rows that became parked or escalated each day, from the rows' own timestamps (the last 30 days that have any).",
        column_chart(
            "Rows parked and escalated per day",
            ("parked", "escalated"),
            [(f"{d.day:%m-%d}", (d.parked, d.escalated)) for d in state.days],
        ),
        table(
            "Rows parked and escalated per day",
            ["day", "parked", "escalated"],
            [[d.day.isoformat(), d.parked, d.escalated] for d in state.days],
            [["", f"parked:{d.day.isoformat()}", f"escalated:{d.day.isoformat()}"] for d in state.days],
        ),
    )
    runs = section(
        "The last job runs",
        "The last run of each governance job (daily: archive, park, escalate; weekly: clean up), and what it did.",
        table(
            "Job runs",
            ["job", "schedule", "started", "status", "archived", "parked", "escalated", "cleaned", "seconds"],
            [
                [
                    r.job,
                    r.schedule,
                    f"{r.started_at:%Y-%m-%d %H:%M}",
                    r.status,
                    f"{r.archived:,}",
                    f"{r.parked:,}",
                    f"{r.escalated:,}",
                    f"{r.cleaned:,}",
                    f"{r.seconds:.1f}",
                ]
                for r in state.runs
            ],
            [
                [
                    "",
                    "",
                    "",
                    f"status:{r.job}:{r.schedule}",
                    *(f"{k}:{r.job}:{r.schedule}" for k in ("archived", "parked", "escalated", "cleaned")),
                ]
                for r in state.runs
            ],
        ),
    )
    readiness = section(
        "Promotion readiness",
        "Outreach ids by the highest tier they reach, and the failure codes that block the most of them "
        "(guard violation codes included; a table's codes when it is governed with a code column).",
        funnel("Outreach ids by highest tier", [(t.tier, t.outreach_ids) for t in state.tiers]),
        table(
            "Outreach ids by highest tier",
            ["tier", "outreach ids"],
            [[t.tier, f"{t.outreach_ids:,}"] for t in state.tiers],
            [["", f"tier:{t.tier}"] for t in state.tiers],
        ),
        stacked_bars("Top blocking failure codes", ("outreach ids",), [(b.code, (b.count,)) for b in state.blockers]),
        table(
            "Top blocking failure codes",
            ["code", "outreach ids", "example id"],
            [[b.code, f"{b.count:,}", b.example_id] for b in state.blockers],
            [["", f"blocker:{b.code}", f"example:{b.code}"] for b in state.blockers],
        ),
    )
    violations = section(
        "Guard violations",
        "Calls the runtime guard refused or recorded, by tool, hub and code.",
        stacked_bars(
            "Guard violations per tool",
            ("violations",),
            [
                (tool, (sum(v.count for v in state.violations if v.tool == tool),))
                for tool in sorted({v.tool for v in state.violations})
            ],
        ),
        table(
            "Guard violations by tool, hub and code",
            ["tool", "hub", "code", "count"],
            [[v.tool, v.hub, v.code, f"{v.count:,}"] for v in state.violations],
            [["", "", "", f"violations:{v.tool}:{v.hub}:{v.code}"] for v in state.violations],
        ),
    )
    return page(
        "Error governance",
        f"lint-canon sql report; {where}; {taken:%Y-%m-%d %H:%M %Z}".rstrip(),
        [top, by_table, by_hub, over_time, runs, readiness, violations],
    )
