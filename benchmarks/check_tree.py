"""Time `lint-canon check` on a large tree, beside ruff's banned-api rule on the same files.

    python benchmarks/check_tree.py [PATH ...] [--jobs N]

PATH defaults to the site-packages of the running interpreter (libcst, flake8, pip, ... : a few
hundred thousand lines of real Python). The canon bans ten modules and APIs; ruff gets the
equivalent `flake8-tidy-imports.banned-api` table. Prints wall time, lines per second and peak
memory of each run. A benchmark, not a test: run it by hand and compare before and after a change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from lint_corpus import BANS  # the same ten bans as the corpus benchmark


def count_lines(paths: list[Path]) -> tuple[int, int]:
    files = lines = 0
    for path in paths:
        for file in path.rglob("*.py") if path.is_dir() else [path]:
            try:
                data = file.read_bytes()
            except OSError:
                continue
            files += 1
            lines += data.count(b"\n")
    return files, lines


def timed(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, out.count(b"\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    paths = [p.resolve() for p in args.paths] or [Path(sysconfig.get_paths()["purelib"])]
    files, lines = count_lines(paths)
    print(f"corpus: {', '.join(map(str, paths))}: {files} files, {lines} lines; {os.cpu_count()} cores")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        canon = work / "canon.yaml"
        canon.write_text(
            "version: 1\nbanned:\n"
            + "".join(f'  - reason: "{reason}"\n    modules: [{module}]\n' for module, reason in BANS.items())
        )
        ruff_toml = work / "ruff.toml"
        ruff_toml.write_text(
            '[lint]\nselect = ["TID251"]\n[lint.flake8-tidy-imports.banned-api]\n'
            + "".join(f'"{module}".msg = "{reason}"\n' for module, reason in BANS.items())
        )
        bindir = Path(sys.executable).parent
        check = [str(bindir / "lint-canon"), "check", "--config", str(canon), "--exit-zero", "--no-cache", "--jobs"]
        runs = [
            (f"lint-canon check (--jobs {args.jobs})", [*check, str(args.jobs)]),
            ("lint-canon check (--jobs 1)", [*check, "1"]),
        ]
        ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff")
        if ruff:
            runs.append(
                (
                    "ruff check --no-cache --select TID251",
                    [
                        ruff,
                        "check",
                        "--no-cache",
                        "--config",
                        str(ruff_toml),
                        "--exit-zero",
                        "--quiet",
                        "--output-format",
                        "concise",
                    ],
                )
            )
        print(f"{'tool':<40} {'wall s':>8} {'lines/s':>12} {'peak MB':>8} {'findings':>9}")
        for label, argv in runs:
            wall, peak, found = timed(argv + [str(p) for p in paths], work)
            print(f"{label:<40} {wall:>8.2f} {lines / wall:>12,.0f} {peak:>8.0f} {found:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
