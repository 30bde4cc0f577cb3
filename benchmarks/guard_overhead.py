"""Cost of the runtime guard: one validate() call, and a guarded call against an unguarded one;
and what recording a violation adds, per sink (none, a callable, the PostgreSQL sink's queue).

    python benchmarks/guard_overhead.py

Writes a canon with 30 tools into a temporary folder, then times with timeit (best of 5).
The PostgreSQL sink is pointed at a server that does not answer, so what is timed is what the
caller pays (putting the record on the queue); its thread sleeps in its backoff meanwhile.
A benchmark, not a test: run it by hand.
"""

from __future__ import annotations

import os
import tempfile
import timeit
from pathlib import Path

from lint_canon.guard import InteractionType, PostgresSink, ToolCanonGuard, enforce_tool_canon

HUBS = ["HUB-COMPANY-TARGET", "HUB-DOL", "HUB-PEOPLE", "HUB-BLOG", "HUB-BIT"]


def write_canon(folder: Path) -> Path:
    lines = ["version: 1", f"hubs: [{', '.join(HUBS)}]", "tools:"]
    for i in range(30):
        lines += [
            f"  - id: TOOL-{i:03d}",
            f"    vendor: vendor{i}",
            f"    hubs: [{HUBS[i % 4 + 1]}, HUB-COMPANY-TARGET]",
            "    interactions: [READ, ENRICH]",
            f"    hosts: [api.vendor{i}.example.com]",
            f"    api_key_env: VENDOR{i}_API_KEY",
            "    gates: [domain_verified, mx_present]",
        ]
    path = folder / "canon.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def best(statement, number: int) -> float:
    return min(timeit.repeat(statement, number=number, repeat=5)) / number


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        canon = write_canon(Path(tmp))
        os.environ["LINT_CANON_CONFIG"] = str(canon)
        os.environ["VENDOR17_API_KEY"] = "x"
        gates = {"domain_verified": True, "mx_present": True}
        guard = ToolCanonGuard(sinks=[])

        def validate() -> None:
            guard.validate("TOOL-017", "HUB-COMPANY-TARGET", InteractionType.ENRICH, gates)

        def refused() -> None:
            guard.validate("TOOL-017", "HUB-DOL", InteractionType.WRITE, {})

        kept: list = []
        with_callable = ToolCanonGuard(sinks=[kept.append])
        # A queue larger than the run: every record is queued, none dropped.
        postgres = PostgresSink("postgresql://nobody@127.0.0.1:1/none", queue_size=5_000_000, max_backoff=60)
        with_postgres = ToolCanonGuard(sinks=[postgres])

        def refused_callable() -> None:
            kept.clear() if len(kept) > 100_000 else None
            with_callable.validate("TOOL-017", "HUB-DOL", InteractionType.WRITE, {})

        def refused_postgres() -> None:
            with_postgres.validate("TOOL-017", "HUB-DOL", InteractionType.WRITE, {})

        def plain(domain: str, gate_state: dict) -> str:
            return domain

        guarded = enforce_tool_canon("TOOL-017", "HUB-COMPANY-TARGET", InteractionType.ENRICH)(plain)
        guarded("warm.up", gates)  # loads the canon once

        n = 100_000
        rows = [
            ("validate(), valid call", best(validate, n)),
            ("validate(), three violations, no sink", best(refused, n)),
            ("  the same, a callable sink", best(refused_callable, n)),
            ("  the same, the PostgreSQL sink", best(refused_postgres, n)),
            ("unguarded function call", best(lambda: plain("x.io", gates), n)),
            ("guarded call, gate_state positional", best(lambda: guarded("x.io", gates), n)),
            ("guarded call, gate_state keyword", best(lambda: guarded("x.io", gate_state=gates), n)),
        ]
        print(f"{'what':<40} {'µs per call':>12}")
        for label, seconds in rows:
            print(f"{label:<40} {seconds * 1e6:>12.2f}")
        print(f"(the PostgreSQL sink queued {postgres._queue.qsize():,} records, dropped {postgres.dropped})")
        postgres.close(timeout=0)


if __name__ == "__main__":
    main()
