"""The inventory of a repository: which vendors its Python code uses, through which SDK
modules and hosts, with which secrets, where and how often.

The run is the check's run with another visitor: the engine's discovery (skipped folders, each
canon's ``exclude``), its reads (``max_file_size``), its prefilter (derived from the rules that
find vendor calls and secret reads: CANON201, CANON203, CANON301) and its worker processes (a
file that crashes or hangs the parser costs that file only). A file under no canon is read
against a canon with no tools, so the vendor SDKs the rules know (the built-in list and the SDK
models' import roots) and every external host count; under a canon, its tools,
``vendor_modules`` and ``allowed_hosts`` count too.

Uses are grouped by vendor: a registered tool's vendor; an SDK's vendor (``pyhunter`` is
Hunter.io: ``hunter``); a host's domain (``api.hunter.io``: ``hunter``, joined to the SDK of
that name). A secret belongs to the vendors its name starts with (``HUNTER_API_KEY``), else to
the vendors its file uses; else to none.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lint_canon.adoption.usage import CALL, IMPORT, READ, REQUEST, Use
from lint_canon.canon.paths import display_path
from lint_canon.engine.discovery import CanonFinder, discover
from lint_canon.engine.isolation import DEFAULT_TIMEOUT, Failure, FailureKind
from lint_canon.engine.reads import RunReader
from lint_canon.engine.runner import check_sources
from lint_canon.engine.suppressions import Selection
from lint_canon.engine.work import Source
from lint_canon.output.findings import Finding
from lint_canon_guard.config import CANON_FILE, Canon
from lint_canon_guard.errors import UsageError

# The rules whose needles a file must hold to use a vendor or read a secret: the prefilter of
# an inventory is theirs.
SCANNED_CODES = ("CANON201", "CANON202", "CANON203", "CANON301")


@dataclass(frozen=True, order=True)
class Location:
    path: str  # as findings show it: relative to the working folder
    line: int
    col: int
    use: str  # import, call, request, read


@dataclass(frozen=True)
class Item:
    """An SDK module, a host or a secret, with every place it is used."""

    name: str
    locations: tuple[Location, ...]
    # For a secret, why it is the vendor's: "canon" (a tool's api_key_env), "name" (its name
    # starts with the vendor's), "file" (read in a file that uses the vendor).
    tie: str = ""

    def count(self, use: str | None = None) -> int:
        return sum(1 for loc in self.locations if use is None or loc.use == use)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({loc.path for loc in self.locations}))


@dataclass(frozen=True)
class Vendor:
    key: str  # what the vendor is called in the canon: a tool's vendor, or a slug
    name: str  # for people: "Hunter.io", "apollo.io"
    modules: tuple[Item, ...] = ()
    hosts: tuple[Item, ...] = ()
    secrets: tuple[Item, ...] = ()
    tools: tuple[str, ...] = ()  # the canon's tools it is registered as
    banned: bool = False  # a ban of the canon covers a host or a module of it
    guard_tools: tuple[str, ...] = ()  # what the guards around its calls name
    guard_hubs: tuple[str, ...] = ()
    guard_interactions: tuple[str, ...] = ()

    @property
    def uses(self) -> int:
        return sum(item.count() for item in (*self.modules, *self.hosts))

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({p for item in (*self.modules, *self.hosts, *self.secrets) for p in item.files}))


@dataclass(frozen=True)
class Inventory:
    vendors: tuple[Vendor, ...]
    secrets: tuple[Item, ...]  # read, but tied to no vendor
    files: int  # Python files looked at
    canons: tuple[str, ...]  # the canons used (shown paths); none: the built-in vendor list only
    problems: tuple[tuple[str, str], ...] = ()  # (path, why it could not be analysed)
    notes: tuple[str, ...] = field(default=())


def default_canon(root: Path) -> Canon:
    """The canon of a file with none above it: no tools, no bans, the built-in vendor SDKs."""
    root = root.absolute()
    return Canon(
        path=root / CANON_FILE,
        root=root,
        digest="",
        _index={"modules": {}, "packages": {}, "tools": {}},
    )


class _FallbackFinder(CanonFinder):
    """The engine's canon search; a folder with no canon above it gets ``fallback``."""

    def __init__(self, fallback: Canon, reads: RunReader) -> None:
        super().__init__(None, reads)
        self.fallback = fallback

    def canon_for(self, folder: str) -> Canon | None:
        return super().canon_for(folder) or self.fallback


# --- the run --------------------------------------------------------------------------------


class _Scanner:
    """One canon's checker, as the engine builds it, asked for uses instead of findings."""

    def __init__(self, canon: Canon) -> None:
        from lint_canon.engine.checker import Checker

        self.canon = canon
        self.checker = Checker(canon, Selection(SCANNED_CODES), apply_noqa=False)

    # What the runner asks (lint_canon.engine.work.FileWork): an answer is ("uses", [Use ...])
    # or ("problem", why).

    def load(self) -> None:
        self.checker.load()

    def screen(self, source: Source) -> bool:
        return self.checker.screen(source)

    def failed(self, source: Source, failure: Failure) -> tuple[str, Any]:
        return "problem", f"the parser {'ran out of time' if failure.kind is FailureKind.TIMEOUT else 'crashed'}"

    def analyse(self, source: Source) -> tuple[str, Any]:
        from lint_canon.adoption.usage import file_uses
        from lint_canon.engine.checker import cpython_verdict, decode_source

        path, data = source.path, source.raw
        try:
            text = decode_source(data)
        except (SyntaxError, UnicodeDecodeError, LookupError, ValueError) as exc:
            return "problem", f"cannot decode file: {getattr(exc, 'reason', exc)}"
        try:
            uses = file_uses(
                text, self.canon, self.checker.relpath(path), self.checker.package_of(path), self.checker.star_names
            )
        except RecursionError:
            return "problem", "the code is nested too deeply for the analysis"
        except Exception as exc:  # the parser refuses it: say what CPython says, if it does
            verdict = cpython_verdict(text, path)
            if verdict is not None:
                return "problem", f"line {verdict.line}: {verdict.message}"
            return (
                "problem",
                f"cannot be analysed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            )
        return "uses", uses


def take_inventory(
    paths: Sequence[Path],
    *,
    config: Path | None = None,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
) -> Inventory:
    """The inventory of the Python files under ``paths``, each read against the canon of its
    folder (``config``: one canon for all; no canon: the built-in vendor list)."""
    reads = RunReader()
    if config is not None:
        finder = CanonFinder(reads.load_canon(config), reads)
    else:
        first = Path(paths[0]) if paths else Path(".")
        fallback = default_canon(first if first.is_dir() else first.absolute().parent)
        finder = _FallbackFinder(fallback, reads)
    found = discover(list(paths), finder)
    # What the command line names must be read (else the answer would be about something else);
    # a folder or file found inside one that cannot be listed or read costs itself only, said.
    named = {display_path(Path(path)) for path in paths}
    notes = list(found.notes)
    for finding in found.findings:  # a folder that cannot be listed
        if finding.path in named:
            raise UsageError(f"{finding.path}: {finding.message}")
        notes.append(f"{finding.path}: skipped: {finding.message}")
    keys = sorted(found.python)
    scanners = [_Scanner(found.canons[key]) for key in keys]
    todo: list[Source] = []
    files = 0
    for index, key in enumerate(keys):
        for path in found.python[key]:
            files += 1
            data = scanners[index].checker.read_python(path, reads)
            if isinstance(data, Finding):
                if data.path in named:
                    raise UsageError(f"{data.path}: {data.message}")
                notes.append(f"{data.path}: skipped: {data.message}")
                continue
            todo.append(Source(index, path, data))

    uses: list[tuple[str, Use]] = []
    problems: list[tuple[str, str]] = []
    for source, checked in zip(todo, check_sources(scanners, todo, jobs=jobs, timeout=timeout), strict=True):
        if checked.result is None:
            continue  # the prefilter: no vendor use can be in it
        shown = display_path(Path(source.path))
        kind, answer = checked.result
        if kind == "problem":
            problems.append((shown, answer))
        else:
            uses.extend((shown, use) for use in answer)
    shown_canons = tuple(sorted(display_path(Path(key)) for key in keys if found.canons[key].digest))
    owned = {
        name: tool.vendor
        for key in keys
        for tool in found.canons[key].tools
        for name in (tool.api_key_envs or ((tool.api_key_env,) if tool.api_key_env else ()))
    }
    return _group(uses, files, shown_canons, tuple(sorted(problems)), tuple(notes), owned)


# --- grouping by vendor -------------------------------------------------------------------

_GENERIC_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu"})


def host_vendor(host: str) -> tuple[str, str]:
    """(key, domain) of a host: ``api.hunter.io`` -> (hunter, hunter.io); ``x.co.uk`` stays
    whole below its country's second level."""
    try:
        ipaddress.ip_address(host)
        return host, host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _GENERIC_SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3], ".".join(labels[-3:])
    if len(labels) >= 2:
        return labels[-2], ".".join(labels[-2:])
    return host, host


def sdk_vendor(label: str) -> str:
    """The key of an SDK's vendor from its name: Hunter.io -> hunter, People Data Labs ->
    peopledatalabs."""
    return re.sub(r"[^a-z0-9_]", "", re.sub(r"\.(?:io|ai|com)\b", "", label.lower())) or label


_SECRET_ENDING = re.compile(r"_?(?:API_?KEY|TOKEN|SECRET(?:_KEY)?|ACCESS_KEY|PRIVATE_KEY|AUTH_KEY)$", re.IGNORECASE)


def _secret_stem(name: str) -> str:
    return _SECRET_ENDING.sub("", name).replace("_", "").lower()


def _group(
    uses: list[tuple[str, Use]],
    files: int,
    canons: tuple[str, ...],
    problems: tuple[tuple[str, str], ...],
    notes: tuple[str, ...],
    owned: dict[str, str],
) -> Inventory:
    # The vendor of each module and host use; aliases join a host's domain to an SDK's vendor.
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for _, use in uses:
        if use.use in (IMPORT, CALL):
            key = use.vendor or sdk_vendor(use.label)
            names.setdefault(key, use.label if not use.tool else key)
            aliases.setdefault(key, key)
            aliases.setdefault(use.name.split(".", 1)[0].lower(), key)
    for _, use in uses:
        if use.use == REQUEST and use.vendor:
            names.setdefault(use.vendor, use.vendor)
            aliases.setdefault(use.vendor, use.vendor)

    def key_of(use: Use) -> str:
        if use.vendor:
            return use.vendor
        if use.use in (IMPORT, CALL):
            return sdk_vendor(use.label)
        key, domain = host_vendor(use.name)
        if key in aliases:
            return aliases[key]
        names.setdefault(key, domain)
        aliases[key] = key
        return key

    places: dict[tuple[str, str, str], list[Location]] = {}
    facts: dict[str, dict[str, set[str]]] = {}
    by_file: dict[str, set[str]] = {}
    reads: list[tuple[str, Use]] = []
    for path, use in uses:
        if use.use == READ:
            reads.append((path, use))
            continue
        key = key_of(use)
        kind = "module" if use.use in (IMPORT, CALL) else "host"
        places.setdefault((key, kind, use.name), []).append(Location(path, use.line, use.col, use.use))
        fact = facts.setdefault(key, {"tools": set(), "banned": set(), "gt": set(), "gh": set(), "gi": set()})
        for name, value in (
            ("tools", use.tool),
            ("banned", "yes" if use.banned else ""),
            ("gt", use.guard_tool),
            ("gh", use.guard_hub),
            ("gi", use.guard_interaction),
        ):
            if value:
                fact[name].add(value)
        by_file.setdefault(path, set()).add(key)

    # Secrets: by name (HUNTER_API_KEY, to hunter), else by the file they are read in.
    secret_places: dict[tuple[str, str], list[Location]] = {}
    ties: dict[tuple[str, str], str] = {}
    loose: dict[str, list[Location]] = {}
    for path, use in reads:
        location = Location(path, use.line, use.col, READ)
        stem = _secret_stem(use.name)
        if use.name in owned:  # the canon says whose it is
            key = owned[use.name]
            names.setdefault(key, key)
            secret_places.setdefault((key, use.name), []).append(location)
            ties[(key, use.name)] = "canon"
            continue
        named = {
            key
            for alias, key in aliases.items()
            if stem
            and len(stem) >= 3
            and (alias == stem or alias.startswith(stem) or stem.startswith(alias))
            and len(alias) >= 3
        }
        tie = "name"
        if not named:
            named, tie = by_file.get(path, set()), "file"
        if not named:
            loose.setdefault(use.name, []).append(location)
            continue
        for key in named:
            secret_places.setdefault((key, use.name), []).append(location)
            if ties.get((key, use.name)) != "name":
                ties[(key, use.name)] = tie

    vendors = []
    for key in sorted(set(facts) | {k for k, _ in secret_places}):
        fact = facts.get(key, {"tools": set(), "banned": set(), "gt": set(), "gh": set(), "gi": set()})
        vendors.append(
            Vendor(
                key=key,
                name=names.get(key, key),
                modules=_items(places, key, "module"),
                hosts=_items(places, key, "host"),
                secrets=tuple(
                    Item(name, tuple(sorted(locs)), ties[(k, name)])
                    for (k, name), locs in sorted(secret_places.items())
                    if k == key
                ),
                tools=tuple(sorted(fact["tools"])),
                banned=bool(fact["banned"]),
                guard_tools=tuple(sorted(fact["gt"])),
                guard_hubs=tuple(sorted(fact["gh"])),
                guard_interactions=tuple(sorted(fact["gi"])),
            )
        )
    return Inventory(
        vendors=tuple(vendors),
        secrets=tuple(Item(name, tuple(sorted(locs))) for name, locs in sorted(loose.items())),
        files=files,
        canons=canons,
        problems=problems,
        notes=notes,
    )


def _items(places: dict[tuple[str, str, str], list[Location]], key: str, kind: str) -> tuple[Item, ...]:
    return tuple(
        Item(name, tuple(sorted(locs))) for (k, what, name), locs in sorted(places.items()) if k == key and what == kind
    )
