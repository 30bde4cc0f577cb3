"""The ``lint-canon`` command: parses arguments, calls the engine, formats. No rule logic here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lint_canon import __version__
from lint_canon.errors import CanonError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lint-canon",
        description="Enforce the tool canon: banned imports and packages, vendor calls, guards, DONE-doc drift.",
    )
    parser.add_argument("--version", action="version", version=f"lint-canon {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint Python files and dependency files")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: .)")
    check.add_argument("--config", type=Path, metavar="FILE", help="the canon.yaml to use (default: found from PATH)")
    check.add_argument(
        "--format", choices=("text", "json", "github"), default="text", help="output format (default: text)"
    )
    check.add_argument(
        "--select", type=_codes, default=("CANON",), metavar="CODES", help="code prefixes to report (default: CANON)"
    )
    check.add_argument("--ignore", type=_codes, default=(), metavar="CODES", help="code prefixes not to report")
    check.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")

    rule = commands.add_parser("rule", help="print the documentation of a rule, or list the rules")
    rule.add_argument("code", nargs="?", help="a rule code such as CANON101")
    return parser


def _check(args: argparse.Namespace) -> int:
    from lint_canon.config import resolve_canon
    from lint_canon.engine import Checker, Selection
    from lint_canon.formats import FORMATS

    paths: list[Path] = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise CanonError(f"{path}: no such file or folder")
    canon = resolve_canon(args.config, paths[0])
    checker = Checker(canon, Selection(args.select, args.ignore))
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    findings = checker.check_paths(paths, jobs=jobs)
    rendered = FORMATS[args.format](findings)
    if args.output:
        args.output.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "check":
            return _check(args)
        return _rule(args)
    except CanonError as exc:
        sys.stderr.write(f"lint-canon: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
