"""The ``lint-canon`` command: parses arguments, calls the engine, formats. No rule logic here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lint_canon import __version__
from lint_canon.errors import CanonError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "report", "rule", "sql")
# The path options of `check` stay strings until a run needs more than the run record:
# pathlib is not imported on the way to a replay.
_CHECK_PATHS = ("paths", "config", "output", "cache_dir", "baseline", "write_baseline")

if TYPE_CHECKING:
    from pathlib import Path


def _codes(value: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip())


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's (a run of one command needs no
    other, and building them all costs more than some runs)."""
    parser = argparse.ArgumentParser(
        prog="lint-canon",
        description="Enforce the tool canon: banned imports and packages, vendor calls, guards, DONE-doc drift.",
    )
    parser.add_argument("--version", action="version", version=f"lint-canon {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    if only in (None, "check"):
        _check_parser(commands)
    if only in (None, "report", "rule", "sql"):
        _other_parsers(commands)
    return parser


def _check_parser(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser("check", help="lint Python files and dependency files")
    check.add_argument("paths", nargs="*", type=str, metavar="PATH", help="files or folders (default: .)")
    check.add_argument("--config", type=str, metavar="FILE", help="the canon.yaml to use (default: found from PATH)")
    check.add_argument(
        "--format", choices=("text", "json", "github", "sarif"), default="text", help="output format (default: text)"
    )
    check.add_argument(
        "--select", type=_codes, default=("CANON",), metavar="CODES", help="code prefixes to report (default: CANON)"
    )
    check.add_argument("--ignore", type=_codes, default=(), metavar="CODES", help="code prefixes not to report")
    check.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)")
    check.add_argument("--output", "-o", type=str, metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--no-cache", action="store_true", help="do not read or write .lint_canon_cache/")
    check.add_argument(
        "--cache-dir",
        type=str,
        metavar="DIR",
        help="where the cache lives (default: .lint_canon_cache beside the canon)",
    )
    check.add_argument("--baseline", type=str, metavar="FILE", help="report only findings not in this baseline")
    check.add_argument("--write-baseline", type=str, metavar="FILE", help="record today's findings as the baseline")


def _other_parsers(commands: argparse._SubParsersAction) -> None:
    from pathlib import Path

    report = commands.add_parser("report", help="write ci_enforcement_report.json (the four CI checks)")
    report.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: .)")
    report.add_argument("--config", type=Path, metavar="FILE", help="the canon.yaml to use (default: found from PATH)")
    report.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path("ci_enforcement_report.json"),
        metavar="FILE",
        help="where to write it (default: ci_enforcement_report.json)",
    )
    report.add_argument("--baseline", type=Path, metavar="FILE", help="leave out findings in this baseline")
    report.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)")
    report.add_argument("--no-cache", action="store_true", help="do not read or write .lint_canon_cache/")
    report.add_argument("--cache-dir", type=Path, metavar="DIR", help="where the cache lives")

    rule = commands.add_parser("rule", help="print the documentation of a rule, or list the rules")
    rule.add_argument("code", nargs="?", help="a rule code such as CANON101")

    _sql_parser(commands)


def _sql_parser(commands: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", metavar="URL", help="PostgreSQL URL (default: $DATABASE_URL, else embedded)")
    common.add_argument(
        "--embedded", action="store_true", help="use the embedded PostgreSQL in .lint_canon/pgdata (also under CI=true)"
    )
    common.add_argument(
        "--lock-timeout", default="10s", metavar="T", help="lock_timeout of every statement (default 10s)"
    )
    common.add_argument(
        "--statement-timeout", default="30min", metavar="T", help="statement_timeout of every statement (default 30min)"
    )
    common.add_argument(
        "--lock-wait", type=float, default=60.0, metavar="S", help="seconds to wait for another apply (default 60)"
    )
    common.add_argument("--dir", metavar="DIR", help="migrations folder with its plan.txt (default: lint-canon's own)")

    sql = commands.add_parser("sql", help="apply the PostgreSQL migrations and run the governance jobs")
    actions = sql.add_subparsers(dest="sql_command", metavar="ACTION", required=True)
    apply = actions.add_parser("apply", parents=[common], help="apply pending migrations, each in its own transaction")
    apply.add_argument("--dry-run", action="store_true", help="print what would run, change nothing")
    apply.add_argument(
        "--reference-schema",
        action="store_true",
        help="first create the reference hub tables (an empty database: a demo, a test)",
    )
    actions.add_parser("status", parents=[common], help="applied / pending / modified migrations (exit 1 if not clean)")
    baseline = actions.add_parser(
        "baseline", parents=[common], help="record migrations as applied without running them (schema already there)"
    )
    baseline.add_argument("--to", metavar="FILE", help="only up to and including this file")
    jobs = actions.add_parser("jobs", parents=[common], help="run the governance jobs batch by batch")
    jobs.add_argument("schedule", choices=("daily", "weekly"))
    jobs.add_argument("--batch-size", type=int, default=10000, metavar="N", help="rows per batch (default 10000)")
    jobs.add_argument("--now", metavar="TIME", help="the time the jobs run as (ISO 8601; default: now)")
    govern = actions.add_parser("govern", parents=[common], help="put another error table under governance")
    govern.add_argument("table", metavar="SCHEMA.TABLE")
    govern.add_argument("--max-retries", type=int, default=3, metavar="N")
    govern.add_argument("--retention", default="1 year", metavar="INTERVAL", help="archive retention (default 1 year)")
    govern.add_argument("--hub", metavar="HUB", help="the hub that owns the table")
    verify = actions.add_parser(
        "verify", parents=[common], help="apply everything to a throwaway server and run the jobs"
    )
    verify.add_argument("--batch-size", type=int, default=10000, metavar="N")
    verify.add_argument("--now", metavar="TIME")


def _findings(args: argparse.Namespace, select: tuple[str, ...], ignore: tuple[str, ...], record=None):
    """The canon, the paths, the findings of a run over args.paths (less the baseline's, if
    given) and the cache folder used. ``record`` (a RunRecord) learns what the run read."""
    from pathlib import Path

    from lint_canon.baseline import load_baseline, new_findings
    from lint_canon.config import resolve_canon
    from lint_canon.engine import Checker, Selection

    paths: list[Path] = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise CanonError(f"{path}: no such file or folder")
    looked: list[Path] = []
    canon = resolve_canon(args.config, paths[0], looked)
    if record is not None:
        record.file(str(canon.path))
        # The folders the canon was looked for in, and their pyproject.toml files: a canon.yaml
        # or a [tool.lint-canon] table added in one of them would be found instead.
        for folder in looked:
            record.folder(str(folder))
            record.file(str(folder / "pyproject.toml"))
        if args.baseline:
            record.file(str(args.baseline))
    baseline = load_baseline(args.baseline) if args.baseline else None
    checker = Checker(canon, Selection(select, ignore))
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    cache_dir = None
    if not args.no_cache:
        from lint_canon.cache import prepare
        from lint_canon.runcache import FOLDER

        cache_dir = args.cache_dir or canon.root / FOLDER
        prepare(cache_dir)  # before the files are listed: creating it changes its parent folder
    findings = checker.check_paths(paths, jobs=jobs, cache_dir=cache_dir, record=record)
    if baseline is not None:
        findings = new_findings(findings, baseline)
    return canon, paths, findings, cache_dir


def _check(args: argparse.Namespace, argv: list[str]) -> int:
    # A run like the last one, with nothing it read changed, repeats its output (runcache.py).
    replayable = not args.no_cache and not args.write_baseline and args.format != "github"
    if replayable:
        from lint_canon import runcache

        key = runcache.run_key(argv)
        hit = runcache.replay(key, str(args.cache_dir) if args.cache_dir else None)
        if hit is not None:
            rendered, code = hit
            _write(args, rendered)
            return code
        record = runcache.RunRecord()
    else:
        record = None

    from pathlib import Path

    from lint_canon.baseline import write_baseline
    from lint_canon.formats import FORMATS

    for name in _CHECK_PATHS:
        value = getattr(args, name)
        setattr(args, name, [Path(v) for v in value] if isinstance(value, list) else value and Path(value))
    _, _, findings, cache_dir = _findings(args, args.select, args.ignore, record)
    if args.write_baseline:
        write_baseline(args.write_baseline, findings)
        sys.stderr.write(f"lint-canon: wrote a baseline of {len(findings)} findings to {args.write_baseline}\n")
        return EXIT_CLEAN
    rendered = FORMATS[args.format](findings)
    _write(args, rendered)
    code = EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN
    if record is not None and cache_dir is not None:
        folder = os.path.abspath(cache_dir)
        if args.cache_dir or runcache.findable(folder):
            runcache.save(key, folder, record, rendered, code)
    return code


def _write(args: argparse.Namespace, rendered: str) -> None:
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(rendered)
    else:
        sys.stdout.write(rendered)


def _report(args: argparse.Namespace) -> int:
    from lint_canon.paths import display_path
    from lint_canon.report import build_report, render

    canon, paths, findings, _ = _findings(args, ("CANON",), ())
    report = build_report(findings, display_path(canon.path), [str(p) for p in paths])
    args.output.write_text(render(report), encoding="utf-8")
    summary = report["summary"]
    verdict = "passed" if summary["passed"] else "FAILED: " + ", ".join(summary["failed_checks"] or ["problems"])
    sys.stdout.write(
        f"{args.output}: {summary['checks_passed']} of {len(report['checks'])} checks passed, "
        f"{summary['findings']} findings; {verdict}\n"
    )
    return EXIT_CLEAN if summary["passed"] else EXIT_FINDINGS


def _rule(args: argparse.Namespace) -> int:
    from lint_canon.docs import rule_doc
    from lint_canon.findings import CATALOGUE
    from lint_canon.rules import IMPLEMENTED_CODES

    if args.code is None:
        for info in CATALOGUE.values():
            state = "" if info.code in IMPLEMENTED_CODES else "  (not yet implemented)"
            sys.stdout.write(f"{info.code}  {info.name:<28} {info.summary}{state}\n")
        return EXIT_CLEAN
    code = args.code.upper()
    if code not in CATALOGUE:
        raise CanonError(f"unknown rule code {args.code!r}; 'lint-canon rule' lists the codes")
    doc = rule_doc(code)
    if doc is None:
        info = CATALOGUE[code]
        raise CanonError(f"{code} {info.name} is not implemented in lint-canon {__version__} yet")
    sys.stdout.write(doc if doc.endswith("\n") else doc + "\n")
    return EXIT_CLEAN


def _sql(args: argparse.Namespace) -> int:
    from lint_canon.db import commands

    action = {
        "apply": commands.apply,
        "status": commands.status,
        "baseline": commands.baseline,
        "jobs": commands.run_jobs,
        "govern": commands.govern,
        "verify": commands.verify,
    }[args.sql_command]
    return action(args)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "check":
            return _check(args, argv)
        if args.command == "sql":
            return _sql(args)
        if args.command == "report":
            return _report(args)
        return _rule(args)
    except CanonError as exc:
        sys.stderr.write(f"lint-canon: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
