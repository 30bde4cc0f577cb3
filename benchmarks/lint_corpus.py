"""lint-canon beside ruff and flake8 on about a million lines of real Python, in one run.

    python benchmarks/lint_corpus.py [--skip-flake8]

Downloads wheels of large pure-Python code bases from PyPI (Django, SQLAlchemy, botocore, pip,
setuptools, requests, urllib3, Twisted, networkx, Pygments) into benchmarks/.cache/ (not
committed), unpacks their .py files, writes a canon with 30 tools and 10 bans and the equivalent
ruff and flake8-tidy-imports configuration, then times on the same corpus:

  lint-canon check (cold: empty cache; warm: nothing changed, and one file edited; in a fresh
  copy of the repository with the cache restored, one file edited, as CI with actions/cache; one
  file with --no-cache, as a pre-commit run), ruff --select TID251 (cold with --no-cache, warm
  with its cache, one file), flake8 -j auto --select I25 with
  flake8-tidy-imports, and flake8 --select CANON with lint-canon's plugin; then lint-canon cold
  on a quarter and a half of the corpus, for the per-line cost at each size; and the floor: the
  libcst parse of the files that pass the prefilter, over as many workers as a run uses, beside
  how many files hold findings.

Prints wall seconds, lines per second, peak memory and the ratio to ruff. A benchmark, not a
test. ruff and flake8-tidy-imports come with `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
# Newest wheels at download time; the corpus line prints the versions used.
PACKAGES = [
    "Django",
    "SQLAlchemy",
    "botocore",
    "pip",
    "setuptools",
    "requests",
    "urllib3",
    "Twisted",
    "networkx",
    "Pygments",
]
BANS = {
    "clearbit": "Clearbit contract ended",
    "subprocess.Popen": "spawn processes through ops/shell.py only",
    "os.system": "spawn processes through ops/shell.py only",
    "pickle.loads": "untrusted data",
    "telnetlib": "insecure protocol",
    "ftplib": "insecure protocol",
    "xmlrpc": "insecure protocol",
    "urllib3.PoolManager": "use the shared HTTP client",
    "requests.get": "use the shared HTTP client",
    "yaml.load": "use yaml.safe_load",
}


def corpus() -> Path:
    """The unpacked corpus (downloaded once)."""
    wheels = CACHE / "wheels"
    root = CACHE / "corpus"
    if root.is_dir() and any(root.iterdir()):
        return root
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-d",
            str(wheels),
            *PACKAGES,
        ],
        check=True,
    )
    for wheel in sorted(wheels.glob("*.whl")):
        target = root / wheel.name.split("-")[0]
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith(".py"):
                    archive.extract(name, target)
    return root


def python_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def count_lines(files: list[Path]) -> int:
    return sum(f.read_bytes().count(b"\n") for f in files)


def write_configs(folder: Path) -> None:
    tools = []
    for i in range(30):
        tools += [
            f"  - id: TOOL-{i:03d}",
            f"    vendor: vendor{i}",
            "    hubs: [HUB-COMPANY-TARGET]",
            "    interactions: [READ, ENRICH]",
            f"    hosts: [api.vendor{i}.example.com]",
            f"    modules: [vendor{i}_sdk]",
            f"    api_key_env: VENDOR{i}_API_KEY",
        ]
    bans = "".join(f'  - reason: "{reason}"\n    modules: [{module}]\n' for module, reason in BANS.items())
    (folder / "canon.yaml").write_text(
        "version: 1\nhubs: [HUB-COMPANY-TARGET]\ntools:\n" + "\n".join(tools) + "\nbanned:\n" + bans
    )
    (folder / "ruff.toml").write_text(
        '[lint]\nselect = ["TID251"]\n[lint.flake8-tidy-imports.banned-api]\n'
        + "".join(f'"{module}".msg = "{reason}"\n' for module, reason in BANS.items())
    )
    banned = "\n".join(f"    {module} = {reason}" for module, reason in BANS.items())
    (folder / "tidy.cfg").write_text(f"[flake8]\nbanned-modules =\n{banned}\n")
    (folder / "canon-flake8.cfg").write_text(f"[flake8]\ncanon-config = {folder / 'canon.yaml'}\n")


def bytecode_env() -> dict[str, str]:
    """The environment of a user's shell: Python writes and reuses bytecode (a sandbox that sets
    PYTHONDONTWRITEBYTECODE would compile every module of every Python tool on every run)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    env = env if env is not None else bytecode_env()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out.count(b"\n")


def _parse(path: str) -> None:
    import libcst

    try:
        libcst.parse_module(Path(path).read_bytes())
    except Exception:  # a file libcst refuses costs its attempt, as in a run
        pass


def parse_floor(list_file: str) -> int:
    """``--floor LIST``: parse the files LIST names with libcst, spread over as many worker
    processes as a run uses (the cores it may use), and nothing else: the floor of a cold run,
    timed from outside like every other row (interpreter start and imports included)."""
    from multiprocessing import get_context

    from lint_canon.engine.isolation import available_cores

    paths = [line for line in Path(list_file).read_text(encoding="utf-8").splitlines() if line]
    with get_context("fork").Pool(available_cores()) as pool:
        pool.map(_parse, paths, chunksize=4)
    return 0


def prefiltered(canon_path: Path, files: list[Path]) -> list[Path]:
    """The files that pass the run's prefilter (the only ones a cold run parses)."""
    from lint_canon.engine.checker import Checker
    from lint_canon_guard.config import load_canon

    checker = Checker(load_canon(canon_path))
    return [f for f in files if checker.may_hold_finding(f.read_bytes(), checker.package_of(f))]


def files_with_findings(argv: list[str], cwd: Path) -> int:
    import json

    out = subprocess.run([*argv, "--format", "json"], cwd=cwd, capture_output=True, check=False).stdout
    return len({finding["path"] for finding in json.loads(out or b"{}").get("findings", [])})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-flake8", action="store_true", help="leave out the two flake8 runs (slow)")
    parser.add_argument("--floor", metavar="LIST", help=argparse.SUPPRESS)  # the floor's worker run
    args = parser.parse_args()
    if args.floor:
        return parse_floor(args.floor)
    root = corpus()
    files = python_files(root)
    lines = count_lines(files)
    bindir = Path(sys.executable).parent
    lint_canon = str(bindir / "lint-canon")
    ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff")
    flake8 = str(bindir / "flake8")
    used = sorted(w.name.split("-")[0] + " " + w.name.split("-")[1] for w in (CACHE / "wheels").glob("*.whl"))
    print(f"corpus: {len(files)} files, {lines:,} lines ({', '.join(used)}); {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_configs(work)
        canon = str(work / "canon.yaml")
        rows: list[tuple[str, float, float, int, int]] = []

        def run(label: str, argv: list[str], n_lines: int = lines, repeat: int = 1, before=None) -> float:
            """The median wall time of ``repeat`` runs (this machine's timings wander by 10-20%)."""
            walls, peaks = [], []
            for _ in range(repeat):
                if before is not None:
                    before()
                wall, peak, found = timed(argv, work)
                walls.append(wall)
                peaks.append(peak)
            wall = statistics.median(walls)
            rows.append((label, wall, max(peaks), found, n_lines))
            print(f"  {label:<52} {wall:8.2f} s (median of {repeat})", flush=True)
            return wall

        cache = work / "lc-cache"
        check = [lint_canon, "check", "--config", canon, "--exit-zero", "--cache-dir", str(cache), str(root)]
        timed([lint_canon, "--version"], work)  # compiles lint-canon's bytecode, as an install does
        run("lint-canon check, cold (empty cache)", check, repeat=3, before=lambda: shutil.rmtree(cache, True))
        run("lint-canon check, warm (nothing changed)", check, repeat=7)
        edited = files[len(files) // 2]
        original = edited.read_bytes()
        try:
            edited.write_bytes(original + b"\n# edited\n")
            run("lint-canon check, warm (one file edited)", check)
        finally:
            edited.write_bytes(original)
        run("lint-canon check --jobs 1 --no-cache", [*check[:-1], "--jobs", "1", "--no-cache", str(root)])
        # CI in a fresh clone with the cache restored (actions/cache): other paths, new mtimes and
        # inodes; one file changed since the cache was saved.
        first, clone = work / "repo", work / "clone"
        shutil.copytree(root, first / "src")
        shutil.copyfile(work / "canon.yaml", first / "canon.yaml")
        in_repo = [lint_canon, "check", "--exit-zero", "--cache-dir", ".lint_canon_cache", "src"]
        timed(in_repo, first)  # fills the cache, as the run on main did
        shutil.copytree(first, clone, copy_function=shutil.copy)  # contents, not stats
        shutil.rmtree(first)
        changed = clone / "src" / edited.relative_to(root)
        changed.write_bytes(changed.read_bytes() + b"\n# edited\n")
        wall, peak, found = timed(in_repo, clone)
        rows.append(("lint-canon check, fresh clone, restored cache", wall, peak, found, lines))
        print(f"  {'lint-canon check, fresh clone, restored cache':<52} {wall:8.2f} s (median of 1)", flush=True)
        shutil.rmtree(clone)
        one = files[0]  # a pre-commit run: the one file changed
        run("lint-canon check, one file, --no-cache", [*check[:-1], "--no-cache", str(one)], count_lines([one]), 7)
        passing = prefiltered(work / "canon.yaml", files)
        listed = work / "prefiltered.txt"
        listed.write_text("\n".join(str(f) for f in passing), encoding="utf-8")
        run(
            "floor: libcst parse of the prefiltered files",
            [sys.executable, str(Path(__file__).resolve()), "--floor", str(listed)],
            count_lines(passing),
            repeat=3,
        )
        with_findings = files_with_findings([*check[:-1], "--no-cache", str(root)], work)
        if ruff:
            ruff_check = [
                ruff,
                "check",
                "--config",
                str(work / "ruff.toml"),
                "--exit-zero",
                "--quiet",
                "--output-format",
                "concise",
            ]
            run("ruff check --no-cache --select TID251 (cold)", [*ruff_check, "--no-cache", str(root)], repeat=3)
            timed([*ruff_check, str(root)], work)  # fill ruff's cache
            run("ruff check --select TID251 (warm cache)", [*ruff_check, str(root)], repeat=7)
            run("ruff check, one file, --no-cache", [*ruff_check, "--no-cache", str(one)], count_lines([one]), 7)
        if not args.skip_flake8:
            run(
                "flake8 -j auto --select I25 (flake8-tidy-imports)",
                [flake8, "--config", str(work / "tidy.cfg"), "-j", "auto", "--select", "I25", str(root)],
            )
            run(
                "flake8 -j auto --select CANON (lint-canon plugin)",
                [flake8, "--config", str(work / "canon-flake8.cfg"), "-j", "auto", "--select", "CANON", str(root)],
            )
        for share in (4, 2):
            part = work / f"part{share}"
            subset = files[: len(files) // share]
            for f in subset:
                target = part / f.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, target)
            run(
                f"lint-canon check, cold, 1/{share} of the corpus",
                [lint_canon, "check", "--config", canon, "--exit-zero", "--no-cache", str(part)],
                count_lines(subset),
            )

    ruff_cold = next((r[1] for r in rows if r[0].startswith("ruff check --no-cache")), None)
    ruff_warm = next((r[1] for r in rows if r[0].startswith("ruff check --select")), None)
    print()
    print(f"{'tool':<52} {'wall s':>8} {'lines/s':>11} {'µs/line':>8} {'peak MB':>8} {'findings':>9} {'/ ruff':>7}")
    for label, wall, peak, found, n in rows:
        reference = ruff_warm if "warm" in label else ruff_cold
        ratio = f"{wall / reference:7.2f}" if reference else ""
        print(f"{label:<52} {wall:8.2f} {n / wall:11,.0f} {wall / n * 1e6:8.1f} {peak:8.0f} {found:9} {ratio}")

    def wall_of(prefix: str) -> float | None:
        return next((r[1] for r in rows if r[0].startswith(prefix)), None)

    cold, warm = wall_of("lint-canon check, cold (empty"), wall_of("lint-canon check, warm (nothing")
    tidy = wall_of("flake8 -j auto --select I25")
    peak = max(r[2] for r in rows if r[0].startswith("lint-canon"))
    print()
    if ruff_cold and cold:
        print(f"cold / ruff cold: {cold / ruff_cold:.2f}x (target: within 3x)")
    if ruff_warm and warm:
        print(f"warm / ruff warm: {warm / ruff_warm:.2f}x (target: within 1.5x)")
    if tidy and cold:
        print(f"flake8 + flake8-tidy-imports / lint-canon cold: {tidy / cold:.1f}x faster (target: 20x)")
    print(f"lint-canon peak memory: {peak:.0f} MB (target: under 300 MB)")
    one_file, ruff_one = wall_of("lint-canon check, one file"), wall_of("ruff check, one file")
    if one_file and ruff_one:
        print(f"one file (pre-commit): lint-canon - ruff = {one_file - ruff_one:+.2f} s (target: at most +0.15 s)")
    restored, edited_warm = wall_of("lint-canon check, fresh clone"), wall_of("lint-canon check, warm (one file")
    if restored and edited_warm and cold:
        print(
            f"fresh clone with the restored cache: {restored:.2f} s (warm with one file edited: {edited_warm:.2f} s, "
            f"cold: {cold:.2f} s)"
        )
    floor = wall_of("floor: libcst parse")
    if floor and cold:
        print(
            f"cold / floor (libcst parse of the {len(passing)} prefiltered files): {cold / floor:.2f}x (target: 1.3x)"
        )
    print(
        f"files passing the prefilter / files with findings: {len(passing)} / {with_findings} = "
        f"{len(passing) / max(with_findings, 1):.2f}x (target: 1.3x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
