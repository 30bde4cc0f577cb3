"""The ``lint-canon`` command: parses arguments, calls the engine, formats. No rule logic here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from lint_canon import __version__
from lint_canon_guard.errors import Cancelled, CanonError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_CANCELLED = 143  # 128 + SIGTERM, as a shell reports it
COMMANDS = ("check", "report", "rule", "sql", "inventory", "init", "sdk", "server", "canon")
# The path options of `check` stay strings until a run needs more than the run record:
# pathlib is not imported on the way to a replay.
_CHECK_PATHS = ("paths", "config", "output", "cache_dir", "baseline", "write_baseline", "stdin_filename")

if TYPE_CHECKING:
    from pathlib import Path

    from lint_canon.engine.runcache import RunRecord
    from lint_canon.engine.runner import RunResult
    from lint_canon.engine.suppressions import Selection
    from lint_canon.output.findings import Finding


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip())
    if not codes:
        # `--select ""` (an unset variable in a script): not "every rule", not "none" silently
        raise argparse.ArgumentTypeError("give one or more rule codes or prefixes, such as CANON3 or CANON101")
    return codes


def _check_codes(option: str, codes: tuple[str, ...]) -> None:
    """A code prefix that no rule code starts with is refused (as ruff refuses it), with the
    closest code. Not on the way to a replay: a refused run is never recorded."""
    from lint_canon.output.docs import unknown_code
    from lint_canon_guard.errors import UsageError

    problem = unknown_code(codes)
    if problem is not None:
        raise UsageError(f"{option}: {problem}")


def _selection(args: argparse.Namespace, select: tuple[str, ...], ignore: tuple[str, ...]) -> Selection:
    """The run's selection: --select / --ignore, and --extend-select / --extend-ignore (``check``'s)."""
    from lint_canon.engine.suppressions import Selection

    return Selection(
        select, ignore, tuple(getattr(args, "extend_select", ())), tuple(getattr(args, "extend_ignore", ()))
    )


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of worker processes") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{jobs} workers: give 1 or more (leave --jobs out to use every core)")
    return jobs


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds < 86400:
        raise argparse.ArgumentTypeError(f"{value}: give a number of seconds above 0")
    return seconds


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are one line (as ruff's are): what is wrong and
    where the help is, not the whole usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's (a run of one command needs no
    other, and building them all costs more than some runs)."""
    parser = _Parser(
        prog="lint-canon",
        description="Enforce the tool canon: banned imports and packages, vendor calls, guards, DONE-doc drift.",
    )
    parser.add_argument("--version", action="version", version=f"lint-canon {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    if only in (None, "check"):
        _check_parser(commands)
    if only in (None, "report", "rule", "sql"):
        _other_parsers(commands)
    if only in (None, "canon"):
        canon = commands.add_parser(
            "canon", help="the canon a run uses: show it merged, with where each entry came from"
        )
        canon_actions = canon.add_subparsers(
            dest="canon_command", metavar="ACTION", required=True, parser_class=_Parser
        )
        show = canon_actions.add_parser(
            "show", help="print the canon merged with the canons it extends, each entry with its file and line"
        )
        show.add_argument("path", nargs="?", default=".", metavar="PATH", help="a file or folder (default: .)")
        show.add_argument(
            "--config", type=str, metavar="FILE", help="the canon.yaml to show (default: found from PATH)"
        )
    if only in (None, "inventory", "init", "sdk", "server"):
        _adoption_parsers(commands)
    return parser


def _check_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    check = commands.add_parser("check", help="lint Python files and dependency files")
    check.add_argument("paths", nargs="*", type=str, metavar="PATH", help="files or folders (default: .)")
    check.add_argument("--config", type=str, metavar="FILE", help="the canon.yaml to use (default: found from PATH)")
    from lint_canon.output.formats import FORMATS

    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument(
        "--select", type=_codes, default=None, metavar="CODES", help="code prefixes to report (default: CANON)"
    )
    check.add_argument("--ignore", type=_codes, default=(), metavar="CODES", help="code prefixes not to report")
    check.add_argument(
        "--extend-select",
        type=_codes,
        default=(),
        metavar="CODES",
        help="code prefixes to report as well as those selected (here or in [tool.lint-canon])",
    )
    check.add_argument(
        "--extend-ignore",
        type=_codes,
        default=(),
        metavar="CODES",
        help="code prefixes not to report, added to those ignored (here or in [tool.lint-canon])",
    )
    check.add_argument(
        "--jobs", "-j", type=_jobs, default=None, metavar="N", help="worker processes (default: all cores)"
    )
    check.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds the parse and rules may take on one file before it is reported as CANON903 (default 60)",
    )
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
    check.add_argument(
        "--fix", action="store_true", help="fix what can be fixed (CANON301, CANON302, CANON305), report the rest"
    )
    check.add_argument("--diff", action="store_true", help="print the diff of what --fix would change; write nothing")
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix/--diff: also the fixes that may change what the program does (a guard that can refuse calls)",
    )
    check.add_argument("--hub", metavar="HUB", help="with --fix/--diff: the hub of the guards added, among the tool's")
    check.add_argument(
        "--interaction",
        type=str.upper,
        metavar="TYPE",
        help="with --fix/--diff: the interaction type of the guards added (READ, WRITE, ENRICH, VALIDATE)",
    )
    check.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    check.add_argument(
        "--statistics", action="store_true", help="print how many findings of each code instead of the findings"
    )
    check.add_argument(
        "--show-source", action="store_true", help="text format: print each finding's line and a caret under it"
    )
    check.add_argument(
        "--stdin-filename",
        type=str,
        metavar="PATH",
        help="with PATH '-': read the source from stdin and check it as this file (for editors)",
    )


def _other_parsers(commands: argparse._SubParsersAction[_Parser]) -> None:
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
    report.add_argument(
        "--jobs", "-j", type=_jobs, default=None, metavar="N", help="worker processes (default: all cores)"
    )
    report.add_argument("--timeout", type=_seconds, default=None, metavar="S", help="seconds per file (default 60)")
    report.add_argument("--no-cache", action="store_true", help="do not read or write .lint_canon_cache/")
    report.add_argument("--cache-dir", type=Path, metavar="DIR", help="where the cache lives")
    report.add_argument("--debug", action="store_true", help="show the traceback of an internal error")

    rule = commands.add_parser("rule", help="print the documentation of a rule, or list the rules")
    rule.add_argument("code", nargs="?", help="a rule code such as CANON101")

    _sql_parser(commands)


def _adoption_parsers(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`inventory` and `init` (lint_canon.adoption): what a repository uses, and a draft canon."""
    common = _Parser(add_help=False)
    common.add_argument("paths", nargs="*", type=str, metavar="PATH", help="files or folders (default: .)")
    common.add_argument(
        "--jobs", "-j", type=_jobs, default=None, metavar="N", help="worker processes (default: all cores)"
    )
    common.add_argument("--timeout", type=_seconds, default=None, metavar="S", help="seconds per file (default 60)")
    common.add_argument("--debug", action="store_true", help="show the traceback of an internal error")

    inventory = commands.add_parser(
        "inventory", parents=[common], help="which vendor SDKs, hosts and secrets the code uses, where, how often"
    )
    inventory.add_argument(
        "--format",
        choices=("table", "json", "markdown", "html"),
        default="table",
        help="output format (default: table; html: one self-contained page, a map of vendors by folder)",
    )
    inventory.add_argument(
        "--config", type=str, metavar="FILE", help="the canon.yaml to use (default: found from PATH, else none)"
    )
    inventory.add_argument("--output", "-o", type=str, metavar="FILE", help="write it to FILE instead of stdout")

    init = commands.add_parser("init", parents=[common], help="write a draft canon.yaml from the inventory")
    init.add_argument(
        "--output",
        "-o",
        type=str,
        metavar="FILE",
        help="where to write it (default: canon.yaml in the one folder given, else in the working folder)",
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    commands.add_parser(
        "server",
        help="the language server for editors: LSP over stdin and stdout (needs lint-canon[server])",
        description="Speak the Language Server Protocol on stdin and stdout: diagnostics as you type, "
        "quick fixes and # noqa, each file against its own canon. Editors start it; see the README.",
    )

    sdk = commands.add_parser("sdk", help="derive a model of what an SDK's calls send, from its source")
    sdk_actions = sdk.add_subparsers(dest="sdk_command", metavar="ACTION", required=True, parser_class=_Parser)
    scan = sdk_actions.add_parser(
        "scan", help="read an installed package's source (never imported) and write its model"
    )
    scan.add_argument("package", metavar="PACKAGE", help="its import name (e.g. acme_sdk)")
    scan.add_argument("--path", metavar="DIR", help="the folder holding the package (default: where Python finds it)")
    scan.add_argument("--vendor", metavar="NAME", help="the vendor's name in messages (default: PACKAGE)")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the model to FILE (default: stdout)")


def _sql_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    common = _Parser(add_help=False)
    common.add_argument("--database-url", metavar="URL", help="PostgreSQL URL (default: $DATABASE_URL, else embedded)")
    common.add_argument(
        "--embedded", action="store_true", help="use the embedded PostgreSQL in .lint_canon/pgdata (also under CI=true)"
    )
    common.add_argument(
        "--lock-timeout", default="5s", metavar="T", help="lock_timeout of every statement (default 5s)"
    )
    common.add_argument(
        "--statement-timeout", default="30min", metavar="T", help="statement_timeout of every statement (default 30min)"
    )
    common.add_argument(
        "--lock-wait", type=float, default=60.0, metavar="S", help="seconds to wait for another apply (default 60)"
    )
    common.add_argument("--dir", metavar="DIR", help="migrations folder with its plan.txt (default: lint-canon's own)")

    sql = commands.add_parser("sql", help="apply the PostgreSQL migrations and run the governance jobs")
    actions = sql.add_subparsers(dest="sql_command", metavar="ACTION", required=True, parser_class=_Parser)
    apply = actions.add_parser("apply", parents=[common], help="apply pending migrations, each in its own transaction")
    apply.add_argument("--dry-run", action="store_true", help="print what would run, change nothing")
    apply.add_argument("--to", metavar="FILE", help="apply only up to and including this file of the plan")
    apply.add_argument(
        "--out-of-order",
        action="store_true",
        help="apply a pending file placed before applied ones (refused otherwise: it would run out of order)",
    )
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
    repair = actions.add_parser(
        "repair",
        parents=[common],
        help="clear dirty files (checked by hand) so they run again; accept a reviewed checksum change",
    )
    repair.add_argument(
        "--accept-checksum",
        action="append",
        metavar="FILE",
        help="take this applied file's changed checksum as reviewed (recorded with who and when; repeatable)",
    )
    jobs = actions.add_parser("jobs", parents=[common], help="run the governance jobs batch by batch")
    jobs.add_argument("schedule", choices=("daily", "weekly"))
    jobs.add_argument("--batch-size", type=int, default=10000, metavar="N", help="rows per batch (default 10000)")
    jobs.add_argument("--now", metavar="TIME", help="the time the jobs run as (ISO 8601; default: now)")
    jobs.add_argument(
        "--force",
        action="store_true",
        help="run with a --now more than a minute later, or five minutes earlier, than the database's clock or "
        "before the schedule's last run (refused otherwise)",
    )
    govern = actions.add_parser(
        "govern",
        parents=[common],
        help="put another error table under governance; on a governed one, change only what the options name",
    )
    govern.add_argument(
        "table", metavar="SCHEMA.TABLE", help='as in SQL: billing.invoice_errors, billing."Invoice Errors"'
    )
    govern.add_argument("--max-retries", type=int, metavar="N", help="retries before a row is parked (new table: 3)")
    govern.add_argument("--retention", metavar="INTERVAL", help="how long archived rows are kept (new table: 1 year)")
    govern.add_argument("--hub", metavar="HUB", help="the hub that owns the table")
    govern.add_argument(
        "--id-column",
        metavar="NAME",
        help="the column that identifies a row (default: the single-column primary key, else a unique column)",
    )
    ungovern = actions.add_parser(
        "ungovern",
        parents=[common],
        help="take a table out of governance (also one dropped or renamed); its columns and archive are kept",
    )
    ungovern.add_argument("table", metavar="SCHEMA.TABLE", help="as in SQL, as it was governed")
    verify = actions.add_parser(
        "verify",
        parents=[common],
        help="apply everything to a throwaway server (or a scratch database of --database-url) and run the jobs",
    )
    verify.add_argument("--batch-size", type=int, default=10000, metavar="N")
    verify.add_argument("--now", metavar="TIME")
    verify.set_defaults(force=True)  # a throwaway database: any --now
    report = actions.add_parser(
        "report",
        parents=[common],
        help="the governance state, read only: a summary, or one self-contained HTML page (--format html)",
    )
    report.add_argument("--format", choices=("text", "html"), default="text", help="output format (default: text)")
    report.add_argument("--output", "-o", metavar="FILE", help="write it to FILE instead of stdout")
    server = actions.add_parser(
        "server", help="the embedded PostgreSQL of .lint_canon/: keep it running, stop it, or show its state"
    )
    server.add_argument("action", choices=("start", "stop", "status"))
    new = actions.add_parser("new", help="write a dated migration with the house header and append it to plan.txt")
    new.add_argument("name", metavar="NAME", help="what it does, in lower-case words joined by dashes (add-hub-index)")
    new.add_argument(
        "--dir", default="sql", metavar="DIR", help="the migrations folder with its plan.txt (default sql)"
    )


def _findings(
    args: argparse.Namespace,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    record: RunRecord | None = None,
    notes: bool = True,
) -> tuple[RunResult, Sequence[str | Path], list[Finding]]:
    """The run over args.paths (less the baseline's findings, if given), each file against the
    canon of its folder unless --config names one. ``record`` (a RunRecord) learns what the run
    read. Notes (files skipped) go to stderr."""
    import contextlib
    from pathlib import Path

    from lint_canon.engine.isolation import DEFAULT_TIMEOUT, available_cores
    from lint_canon.engine.reads import RunReader
    from lint_canon.engine.runner import check_run
    from lint_canon.output.baseline import load_baseline, new_findings

    if getattr(args, "stdin_filename", None):  # `report` has no stdin
        reads = RunReader()
        baseline = load_baseline(args.baseline, reads.read_bytes) if args.baseline else None
        run = _stdin_run(args, _selection(args, select, ignore), reads)
        findings = new_findings(run.findings, baseline) if baseline is not None else run.findings
        return run, [args.stdin_filename], findings
    from lint_canon.engine.discovery import absent

    paths: list[Path] = args.paths or [Path(".")]
    for path in paths:
        if not os.path.lexists(path):
            raise CanonError(f"{path}: {absent(path)}")
    # Every read of the run, told to the record (engine/reads.py); counted for the progress line.
    progress = None
    if sys.stderr.isatty():
        from lint_canon.frontends.terminal import Progress, ProgressReader

        reads = ProgressReader(record)
        progress = Progress(reads)
    else:
        reads = RunReader(record)
    baseline = load_baseline(args.baseline, reads.read_bytes) if args.baseline else None
    jobs = args.jobs or available_cores()
    with progress if progress is not None else contextlib.nullcontext():
        run = check_run(
            paths,
            _selection(args, select, ignore),
            config=args.config,
            jobs=jobs,
            use_cache=not args.no_cache,
            cache_dir=args.cache_dir,
            reads=reads,
            timeout=args.timeout or DEFAULT_TIMEOUT,
            select_given=getattr(args, "select_given", True),
        )
    for note in run.notes if notes else ():
        sys.stderr.write(f"lint-canon: {note}\n")
    findings = run.findings
    if baseline is not None:
        findings = new_findings(findings, baseline)
    return run, paths, findings


def _check(args: argparse.Namespace, argv: list[str]) -> int:
    fixing = _fix_options(args)
    stdin = _stdin_options(args, fixing)
    _comfort_options(args, fixing)
    colour, summary = _colour(args), _summary_wanted(args)
    # A run like the last one, with nothing it read changed, repeats its output (runcache.py).
    replayable = not args.no_cache and not args.write_baseline and args.format != "github" and not fixing and not stdin
    if replayable:
        from lint_canon.engine import runcache

        # What the terminal changes is part of the key (a NUL: no real argument holds one), so
        # a coloured report is never replayed into a pipe; with a summary, the record's output
        # is the summary line, then the report.
        key = runcache.run_key(argv + ["\0colour"] * colour + ["\0summary"] * summary)
        hit = runcache.replay(key, str(args.cache_dir) if args.cache_dir else None)
        if hit is not None:
            rendered, code = hit
            line, rendered = rendered.split("\n", 1) if summary else ("", rendered)
            _write(args, rendered)
            if summary:
                _summary(line)
            return code
        record = runcache.RunRecord()
    else:
        record = None

    from pathlib import Path

    from lint_canon.output.baseline import write_baseline

    # As ruff: a given --select replaces [tool.lint-canon]'s select and ignore (runner.py).
    args.select_given, args.select = args.select is not None, ("CANON",) if args.select is None else args.select
    _check_codes("--select", args.select)
    _check_codes("--ignore", args.ignore)
    _check_codes("--extend-select", args.extend_select)
    _check_codes("--extend-ignore", args.extend_ignore)
    for name in _CHECK_PATHS:
        value = getattr(args, name)
        setattr(args, name, [Path(v) for v in value] if isinstance(value, list) else value and Path(value))
    run, _, findings = _findings(args, args.select, args.ignore, record)
    hidden = len(run.findings) - len(findings) if args.baseline else None  # --fix leaves them alone
    if fixing:
        fixed, findings = _fix(args, run, findings)
        if args.diff:
            return EXIT_FINDINGS if fixed and not args.exit_zero else EXIT_CLEAN
    if args.write_baseline:
        try:
            write_baseline(args.write_baseline, findings)
        except OSError as exc:
            raise CanonError(f"{args.write_baseline}: cannot write the baseline: {exc.strerror or exc}") from None
        sys.stderr.write(f"lint-canon: wrote a baseline of {len(findings)} findings to {args.write_baseline}\n")
        return EXIT_CLEAN
    rendered = _render(args, findings, colour)
    if args.format == "github":
        from lint_canon.output.formats.github import write_step_summary

        write_step_summary(findings)
    _write(args, rendered)
    line = ""
    if summary:
        from lint_canon.frontends.terminal import summary_line

        line = summary_line(findings, hidden)
        _summary(line)
    code = EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN
    if record is not None and not run.notes:
        for cache_dir in run.cache_dirs:
            folder = os.path.abspath(cache_dir)
            if args.cache_dir or runcache.findable(folder):
                runcache.save(key, folder, record, f"{line}\n{rendered}" if summary else rendered, code)
                break
    return code


def _stdin_options(args: argparse.Namespace, fixing: bool) -> bool:
    """Whether the source comes from stdin (``-`` with --stdin-filename); refuses what clashes."""
    from lint_canon_guard.errors import UsageError

    dash = "-" in args.paths
    if not dash and not args.stdin_filename:
        return False
    if not args.stdin_filename:
        raise UsageError("-: add --stdin-filename PATH, the file the source on stdin is checked as")
    if args.paths != ["-"]:
        raise UsageError("--stdin-filename: give '-' as the only PATH (the source is read from stdin)")
    for option, given in (("--fix", args.fix), ("--diff", args.diff), ("--write-baseline", args.write_baseline)):
        if given:
            raise UsageError(f"{option} and stdin: {option} works on files")
    if args.stdin_filename.endswith((".txt", ".toml")):
        raise UsageError(f"--stdin-filename {args.stdin_filename}: only Python source is read from stdin")
    return True


def _comfort_options(args: argparse.Namespace, fixing: bool) -> None:
    """--statistics and --show-source: refuses what clashes with them."""
    from lint_canon_guard.errors import UsageError

    for option, given in (("--statistics", args.statistics), ("--show-source", args.show_source)):
        if given and args.format != "text":
            raise UsageError(f"{option} and --format {args.format}: {option} is for the text format")
        if given and args.diff:
            raise UsageError(f"{option} and --diff: --diff prints the diff, not findings")
        if given and args.write_baseline:
            raise UsageError(f"{option} and --write-baseline: the baseline is written, no findings are printed")
    if args.statistics and args.show_source:
        raise UsageError("--statistics and --show-source: give one (--statistics prints no finding)")


def _colour(args: argparse.Namespace) -> bool:
    """Colour for the text format on a terminal, as ruff decides it: FORCE_COLOR forces it,
    NO_COLOR turns it off, else only when stdout is a terminal (never into --output)."""
    if args.format != "text" or args.statistics or args.output:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _summary_wanted(args: argparse.Namespace) -> bool:
    """The closing summary: for a person at a terminal only (pipes and CI logs stay as they are)."""
    return not args.diff and not args.write_baseline and sys.stderr.isatty()


def _summary(line: str) -> None:
    sys.stdout.flush()  # after the report, on a terminal that shows both
    sys.stderr.write(f"{line}\n")


def _render(args: argparse.Namespace, findings, colour: bool) -> str:  # type: ignore[no-untyped-def]
    from lint_canon.output.formats import formatter

    if args.format != "text":
        return formatter(args.format)(findings)
    from lint_canon.output.formats.text import format_statistics, format_text

    if args.statistics:
        return format_statistics(findings)
    return format_text(findings, show_source=args.show_source, colour=colour)


def _stdin_run(args: argparse.Namespace, selection, reads):  # type: ignore[no-untyped-def]
    """The run over the source on stdin, checked as the file --stdin-filename names: the canon
    found from that path (or --config), its skipped folders, ``exclude`` and per-file rules."""
    from lint_canon.canon.paths import display_path
    from lint_canon.engine.checker import Checker
    from lint_canon.engine.discovery import CanonFinder, in_skipped_folder, is_excluded
    from lint_canon.engine.isolation import DEFAULT_TIMEOUT
    from lint_canon.engine.runner import RunResult, check_sources
    from lint_canon.engine.work import Source
    from lint_canon.output.findings import Finding
    from lint_canon.output.located import located
    from lint_canon_guard.config import CANON_FILE
    from lint_canon_guard.errors import ConfigError

    path = args.stdin_filename
    finder = CanonFinder(reads.load_canon(args.config) if args.config else None, reads)
    canon = finder.canon_for(str(path.absolute().parent))
    shown = display_path(path)
    if canon is None:
        raise ConfigError(
            shown,
            None,
            "",
            f"no {CANON_FILE} here or in any parent folder; create one with `lint-canon init` or pass --config FILE",
        )
    # Read as files are: never past the size limit (an endless stream ends the read there).
    data = sys.stdin.buffer.read(canon.max_file_size + 1)
    findings: list[Finding] = []
    if not (in_skipped_folder(str(path), canon, reads=reads) or is_excluded(str(path), canon)):
        checker = Checker(canon, selection)
        if len(data) > canon.max_file_size:
            limit = canon.max_file_size
            too_large = (
                f"too large (more than {limit:,} bytes on stdin; the limit is {limit:,}: max_file_size in the canon)"
            )
            findings = checker.keep_reported([Finding(shown, 1, 1, 1, 1, "CANON902", too_large)], [])
        else:
            # In a worker, as every file of a run: no source can crash or hang the editor's call.
            source = Source(0, str(path), data, shown)
            checked = check_sources([checker], [source], timeout=args.timeout or DEFAULT_TIMEOUT)[0]
            findings = checked.result or []
    return RunResult(located(sorted(set(findings)), [canon]), [], [canon], [])


def _fix_options(args: argparse.Namespace) -> bool:
    """Whether the run fixes (--fix) or shows the fixes (--diff); refuses options that clash."""
    from lint_canon_guard.errors import UsageError

    if args.fix and args.diff:
        raise UsageError("--fix and --diff: give one (--diff shows what --fix would write)")
    fixing = bool(args.fix or args.diff)
    if not fixing and args.unsafe_fixes:
        raise UsageError("--unsafe-fixes applies the unsafe fixes too: add --fix or --diff")
    if not fixing and (args.hub or args.interaction):
        raise UsageError(
            f"{'--hub' if args.hub else '--interaction'} chooses the guards --fix adds: add --fix or --diff"
        )
    if fixing and args.write_baseline:
        raise UsageError(f"{'--fix' if args.fix else '--diff'} and --write-baseline: run them one after the other")
    if args.interaction is not None:
        # Imported only here: a replayed run never reads the canon (nor imports its loader).
        from lint_canon_guard.config import INTERACTIONS

        if args.interaction not in INTERACTIONS:
            raise UsageError(f"--interaction {args.interaction}: give one of {', '.join(INTERACTIONS)}")
    return fixing


def _fix(args: argparse.Namespace, run, findings):  # type: ignore[no-untyped-def]
    """--diff: print the diff, and say how many findings it fixes. --fix: write the files, then
    check again: the findings that remain are the run's. Returns (findings fixed, findings)."""
    from lint_canon.engine.isolation import DEFAULT_TIMEOUT
    from lint_canon.fixes import fix_findings

    outcome = fix_findings(
        findings,
        _selection(args, args.select, args.ignore),
        forced=run.canons[0] if args.config else None,
        hub=args.hub,
        interaction=args.interaction,
        write=args.fix,
        unsafe=args.unsafe_fixes,
        timeout=args.timeout or DEFAULT_TIMEOUT,
    )
    for note in outcome.notes:
        sys.stderr.write(f"lint-canon: {note}\n")
    counted = f"{len(outcome.fixed)} finding{'s' if len(outcome.fixed) != 1 else ''}"
    files = f"{len(outcome.files)} file{'s' if len(outcome.files) != 1 else ''}"
    hidden = (
        f" ({outcome.unsafe} more with --unsafe-fixes: {'its fix' if outcome.unsafe == 1 else 'their fixes'} may "
        "change what the program does)"
        if outcome.unsafe
        else ""
    )
    if args.diff:
        _write(args, outcome.diff)
        sys.stderr.write(f"lint-canon: would fix {counted} in {files}{hidden}\n")
        return len(outcome.fixed), findings
    sys.stderr.write(f"lint-canon: fixed {counted} in {files}{hidden}\n")
    if outcome.fixed:
        _, _, findings = _findings(args, args.select, args.ignore, notes=False)  # said once already
    return len(outcome.fixed), findings


def _write(args: argparse.Namespace, rendered: str) -> None:
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(rendered)
        except OSError as exc:
            raise CanonError(f"{args.output}: cannot write the report: {exc.strerror or exc}") from None
    else:
        _stdout(rendered)


def _stdout(text: str) -> None:
    """Text on stdout; a character the terminal's encoding lacks (a file name that is not
    UTF-8) is escaped, never an error."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.flush()
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.buffer.write(text.encode(encoding, "backslashreplace"))
        sys.stdout.flush()


def _report(args: argparse.Namespace) -> int:
    from lint_canon.canon.paths import display_path
    from lint_canon.output.report import build_report, render

    run, paths, findings = _findings(args, ("CANON",), ())
    canons = ", ".join(display_path(canon.path) for canon in run.canons)
    report = build_report(findings, canons, [str(p) for p in paths])
    try:
        args.output.write_text(render(report), encoding="utf-8")
    except OSError as exc:
        raise CanonError(f"{args.output}: cannot write the report: {exc.strerror or exc}") from None
    summary = report["summary"]
    verdict = "passed" if summary["passed"] else "FAILED: " + ", ".join(summary["failed_checks"] or ["problems"])
    sys.stdout.write(
        f"{args.output}: {summary['checks_passed']} of {len(report['checks'])} checks passed, "
        f"{summary['findings']} findings; {verdict}\n"
    )
    return EXIT_CLEAN if summary["passed"] else EXIT_FINDINGS


def _rule(args: argparse.Namespace) -> int:
    from lint_canon.output.codes import catalogue
    from lint_canon.output.docs import rule_doc

    if args.code is None:
        for info in catalogue().values():
            sys.stdout.write(f"{info.code}  {info.name:<28} {info.summary}\n")
        return EXIT_CLEAN
    code = args.code.upper()
    if code not in catalogue():
        raise CanonError(f"unknown rule code {args.code!r}; 'lint-canon rule' lists the codes")
    doc = rule_doc(code)
    if doc is None:
        raise CanonError(f"{code} {catalogue()[code].name} has no page in rules/ (a packaging error)")
    sys.stdout.write(doc if doc.endswith("\n") else doc + "\n")
    return EXIT_CLEAN


def _sql(args: argparse.Namespace) -> int:
    try:
        import psycopg
    except ImportError:
        raise CanonError(
            "lint-canon sql needs the PostgreSQL driver of the [sql] extra: pip install 'lint-canon[sql]'"
        ) from None
    from lint_canon.db import commands

    action = {
        "apply": commands.apply,
        "status": commands.status,
        "baseline": commands.baseline,
        "jobs": commands.run_jobs,
        "govern": commands.govern,
        "ungovern": commands.ungovern,
        "verify": commands.verify,
        "report": commands.report,
        "new": commands.new,
        "repair": commands.repair,
        "server": commands.server,
    }[args.sql_command]
    import signal

    # A CI cancel sends SIGTERM: unwind like Ctrl-C, so the servers and scratch databases of the
    # command are stopped and dropped on the way out (and psycopg cancels the running query).
    previous = signal.signal(signal.SIGTERM, _cancel)
    try:
        return action(args)
    except psycopg.errors.InsufficientPrivilege as exc:  # a grant missing, wherever it was met
        from lint_canon.db.privileges import login_user, missing_grant

        url = (
            None
            if getattr(args, "embedded", False)
            else (getattr(args, "database_url", None) or os.environ.get("DATABASE_URL"))
        )
        raise CanonError(missing_grant(exc, login_user(url))) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cancel(signum: int, frame: object) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up short
    raise Cancelled(signal.Signals(signum).name)


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
        if args.command == "sdk":
            return _sdk_scan(args)
        if args.command == "server":
            return _server()
        if args.command == "canon":
            return _canon_show(args)
        if args.command in ("inventory", "init"):
            from lint_canon.adoption import commands

            return commands.inventory(args) if args.command == "inventory" else commands.init(args)
        return _rule(args)
    except CanonError as exc:
        for line in getattr(exc, "lines", None) or (str(exc),):  # every problem of a canon, one a line
            sys.stderr.write(f"lint-canon: {_printable(line)}\n")
        return EXIT_ERROR
    except Cancelled as exc:
        sys.stderr.write(f"lint-canon: cancelled ({exc}); what the command started was stopped\n")
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:  # a bug of ours: one line, the traceback on request
        if getattr(args, "debug", False) or os.environ.get("LINT_CANON_DEBUG") not in (None, "", "0"):
            raise
        where = ""
        tb = exc.__traceback__
        while tb is not None:
            where = f" (at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno})"
            tb = tb.tb_next
        sys.stderr.write(
            f"lint-canon: internal error: {type(exc).__name__}: {_printable(str(exc))}{where}; "
            "run with --debug or LINT_CANON_DEBUG=1 for the traceback, and please report it\n"
        )
        return EXIT_ERROR


def _canon_show(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lint_canon.canon.search import find_canon_file
    from lint_canon.canon.show import show_canon
    from lint_canon_guard.config import CANON_FILE, explain_canon
    from lint_canon_guard.errors import ConfigError
    from lint_canon_guard.messages import display

    start = Path(args.path)
    found = Path(args.config) if args.config else find_canon_file(start if start.is_dir() else start.parent)
    if found is None:
        raise ConfigError(
            display(start.absolute()),
            None,
            "",
            f"no {CANON_FILE} here or in any parent folder; create one with `lint-canon init` or pass --config FILE",
        )
    sys.stdout.write(show_canon(explain_canon(found)))
    return EXIT_CLEAN


def _server() -> int:
    import importlib.util

    from lint_canon_guard.errors import UsageError

    if importlib.util.find_spec("pygls") is None:
        raise UsageError("server: pygls is not installed; install it with pip install 'lint-canon[server]'")
    from lint_canon.frontends.server import serve

    return serve()


def _sdk_scan(args: argparse.Namespace) -> int:
    import importlib.util
    import json
    from pathlib import Path

    from lint_canon.sdks.generate import prune
    from lint_canon.sdks.model import FORMAT
    from lint_canon.sdks.scan import Scanner
    from lint_canon_guard.errors import UsageError

    root = args.package
    if args.path:
        folder = Path(args.path)
    else:
        top = root.split(".", 1)[0]
        spec = importlib.util.find_spec(top)  # finds the top-level package without running it
        if spec is None or not spec.submodule_search_locations and spec.origin is None:
            raise UsageError(f"sdk scan: no installed package {top!r}; install it, or give --path DIR")
        location = next(iter(spec.submodule_search_locations or ()), None) or spec.origin
        folder = Path(location).parent if location else Path()
    if not (
        folder.joinpath(*root.split(".")).is_dir() or folder.joinpath(*root.split(".")).with_suffix(".py").is_file()
    ):
        raise UsageError(f"sdk scan: {root!r} is not in {folder}; give --path DIR, the folder that holds it")
    scanner = Scanner(folder, [root])
    model = {
        "format": FORMAT,
        "sdk": root,
        "version": _installed_version(root),
        "versions": "",
        "vendor": args.vendor or root,
        "roots": [root],
        "generated_by": "lint-canon sdk scan",
        "hosts": scanner.hosts(),
        **prune(scanner.model()),
    }
    text = json.dumps(model, indent=0, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        verdicts = [m["sends"] for c in model["classes"].values() for m in c.get("methods", {}).values()]
        verdicts += [f["sends"] for f in model["functions"].values()]
        print(
            f"{args.output}: {verdicts.count(True)} calls that send, {verdicts.count(False)} local, "
            f"{verdicts.count(None)} not decided (left unjudged), in {len(model['classes'])} classes "
            f"and {len(model['functions'])} functions"
        )
    else:
        sys.stdout.write(text)
    return EXIT_CLEAN


def _installed_version(root: str) -> str:
    from importlib import metadata

    top = root.split(".", 1)[0]
    for dist in metadata.packages_distributions().get(top, [top]):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


def _printable(text: str) -> str:
    return " ".join(text.encode("utf-8", "backslashreplace").decode("utf-8").split("\n"))
