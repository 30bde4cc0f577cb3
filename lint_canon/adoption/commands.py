"""``lint-canon inventory`` and ``lint-canon init``: the command line's side of adoption (the
CLI parses the arguments and hands them here)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lint_canon.adoption.draft_canon import BASELINE, draft_canon, tool_ids, write_draft
from lint_canon.adoption.inventory import Inventory, take_inventory
from lint_canon.adoption.render import INVENTORY_FORMATS
from lint_canon_guard.errors import UsageError


def _paths(args: argparse.Namespace) -> list[Path]:
    from lint_canon.engine.discovery import absent

    paths = [Path(p) for p in args.paths] or [Path(".")]
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: {absent(path)}")
    return paths


def _take(args: argparse.Namespace, paths: list[Path], config: Path | None) -> Inventory:
    from lint_canon.engine.isolation import DEFAULT_TIMEOUT, available_cores

    inventory = take_inventory(
        paths, config=config, jobs=args.jobs or available_cores(), timeout=args.timeout or DEFAULT_TIMEOUT
    )
    for note in inventory.notes:
        sys.stderr.write(f"lint-canon: {note}\n")
    for path, why in inventory.problems:
        sys.stderr.write(f"lint-canon: {path}: not analysed: {why}\n")
    return inventory


def inventory(args: argparse.Namespace) -> int:
    paths = _paths(args)
    found = _take(args, paths, Path(args.config) if args.config else None)
    if args.format == "html":
        from lint_canon.adoption.page import inventory_page

        # The places link to the files, relative to where the page is written.
        rendered = inventory_page(found, os.path.dirname(os.path.abspath(args.output)) if args.output else ".")
    else:
        rendered = INVENTORY_FORMATS[args.format](found)
    if args.output:
        try:
            Path(args.output).write_text(rendered, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write the inventory: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(rendered)
    return 0


def init(args: argparse.Namespace) -> int:
    paths = _paths(args)
    if args.output:
        output = Path(args.output)
    elif len(paths) == 1 and paths[0].is_dir():
        output = paths[0] / "canon.yaml"
    else:
        output = Path("canon.yaml")
    if (output.exists() or output.is_symlink()) and not args.force:  # before the scan: refused at once
        raise UsageError(f"{output}: already exists; pass --force to overwrite it")
    found = _take(args, paths, None)
    scanned = " ".join(str(p) for p in args.paths)
    write_draft(draft_canon(found, scanned or "."), output, args.force)
    ids = sorted(tool_ids(found).values())
    tools = f"{len(ids)} tool{'s' if len(ids) != 1 else ''}" + (f" ({', '.join(ids)})" if ids else "")
    folder = output.parent
    where = "" if folder == Path(".") else f"cd {folder} && "
    sys.stdout.write(
        f"wrote {output}: a draft canon with {tools}, from {found.files} Python files\n"
        "next:\n"
        f'  1. review {output}: every "review:" comment (hubs, interactions, tiers, api_key_env)\n'
        f"  2. {where}lint-canon check --write-baseline {BASELINE}   # record what stays\n"
        f"  3. {where}lint-canon check --baseline {BASELINE}   # from then on (CI): only new findings\n"
    )
    return 0
