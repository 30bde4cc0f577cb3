"""Cost of the runtime guard: one validate() call, and a guarded call against an unguarded one.

    python benchmarks/guard_overhead.py

Writes a canon with 30 tools into a temporary folder, then times with timeit (best of 5).
A benchmark, not a test: run it by hand.
"""

from __future__ import annotations

import os
import tempfile
import timeit
from pathlib import Path

from lint_canon.guard import InteractionType, ToolCanonGuard, enforce_tool_canon

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
        guard = ToolCanonGuard()

        def validate() -> None:
            guard.validate("TOOL-017", "HUB-COMPANY-TARGET", InteractionType.ENRICH, gates)

        def refused() -> None:
            guard.validate("TOOL-017", "HUB-DOL", InteractionType.WRITE, {})

        def plain(domain: str, gate_state: dict) -> str:
            return domain

        guarded = enforce_tool_canon("TOOL-017", "HUB-COMPANY-TARGET", InteractionType.ENRICH)(plain)
        guarded("warm.up", gates)  # loads the canon once

        n = 100_000
        rows = [
            ("validate(), valid call", best(validate, n)),
            ("validate(), three violations", best(refused, n)),
            ("unguarded function call", best(lambda: plain("x.io", gates), n)),
            ("guarded call, gate_state positional", best(lambda: guarded("x.io", gates), n)),
            ("guarded call, gate_state keyword", best(lambda: guarded("x.io", gate_state=gates), n)),
        ]
        print(f"{'what':<40} {'µs per call':>12}")
        for label, seconds in rows:
            print(f"{label:<40} {seconds * 1e6:>12.2f}")


if __name__ == "__main__":
    main()
