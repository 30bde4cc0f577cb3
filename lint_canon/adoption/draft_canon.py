"""A draft ``canon.yaml`` made from an inventory: one tool per vendor found (TOOL-001, ... in
the order of the vendors' names), with the SDK modules, hosts and API-key variable the code
uses, and ``review:`` comments where only a person can decide (hubs, interactions, tiers, a
secret that could be one of several). Written as text, for the comments; loaded with the
canon's own loader before it is written, so a draft is always a valid canon."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path

from lint_canon.adoption.inventory import Inventory, Vendor
from lint_canon_guard.config import INTERACTIONS, TIERS, load_canon
from lint_canon_guard.errors import CanonError, UsageError

BASELINE = ".lint-canon-baseline.json"

# What the canon's validator accepts (lint_canon_guard.config): a host name, an env var name.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_TOOL_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
# Plain words YAML 1.1 reads as something other than a string.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _scalar(text: str) -> str:
    """A YAML scalar for ``text``: bare when YAML reads it back as that string, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _flow(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(_scalar(item) for item in items) + "]"


def _where(vendor: Vendor) -> str:
    files = vendor.files
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    parts = []
    for kind, items in (("module", vendor.modules), ("host", vendor.hosts)):
        n = sum(item.count() for item in items)
        if n:
            parts.append(f"{n} {kind} use{'s' if n != 1 else ''}")
    return f"{', '.join(parts) or 'its secret only'} in {shown}"


def tool_ids(inventory: Inventory) -> dict[str, str]:
    """vendor key -> tool id. A vendor keeps the id its canon registers it as, or the one id
    the guards around all its calls name (when no other vendor claims it): the guards in the
    code stay right. The others get TOOL-001, TOOL-002, ... in the order of the vendors' keys,
    skipping every id a canon or a guard already uses."""
    vendors = _drafted(inventory)
    claims: dict[str, list[str]] = {}
    for vendor in vendors:
        own = vendor.tools if len(vendor.tools) == 1 else vendor.guard_tools if len(vendor.guard_tools) == 1 else ()
        if own and _TOOL_ID.match(own[0]):
            claims.setdefault(own[0], []).append(vendor.key)
    ids = {keys[0]: tool_id for tool_id, keys in claims.items() if len(keys) == 1}
    taken = {t for vendor in inventory.vendors for t in (*vendor.tools, *vendor.guard_tools)}
    number = 0
    for vendor in vendors:
        if vendor.key in ids:
            continue
        number += 1
        while f"TOOL-{number:03d}" in taken:
            number += 1
        ids[vendor.key] = f"TOOL-{number:03d}"
    return ids


def _drafted(inventory: Inventory) -> list[Vendor]:
    # A vendor whose uses are all banned hosts is not drafted as a tool: the canon bans it.
    return [vendor for vendor in inventory.vendors if not vendor.banned or vendor.modules]


def draft_canon(inventory: Inventory, scanned: str) -> str:
    """The text of a draft canon for ``inventory`` (``scanned``: the paths, for the header)."""
    ids = tool_ids(inventory)
    vendors = _drafted(inventory)
    hubs = sorted({hub for vendor in vendors for hub in vendor.guard_hubs})
    out = [
        f"# canon.yaml: a DRAFT written by `lint-canon init {scanned}` from what the code uses today",
        f"# ({inventory.files} Python files looked at). Nothing in it is approved yet: read every",
        '# "review:" comment, fix what it asks, then record what stays as the baseline:',
        f"#   lint-canon check --write-baseline {BASELINE}",
        '# The keys are described in lint-canon\'s README, section "The canon: canon.yaml".',
        "version: 1",
        "# review: does your organisation share a canon? Add to it instead of repeating it:",
        "# extends: ../platform/canon.yaml   (or package:NAME, an installed package's canon.yaml)",
    ]
    if hubs:
        out += [
            "# review: the hubs (areas of the pipeline) tools may serve; these are the ones the",
            "# guards in the code name. A tool may serve only hubs listed here.",
            f"hubs: {_flow(hubs)}",
        ]
    else:
        out += [
            "# review: list the hubs (areas of the pipeline) tools may serve, e.g. [HUB-PEOPLE, HUB-BLOG];",
            "# a tool may serve only hubs listed here.",
            "hubs: []",
        ]
    if not vendors:
        out += ["# No vendor SDK call, external request or secret read was found.", "tools: []"]
    else:
        out.append("tools:")
    for vendor in vendors:
        out += _tool(vendor, ids[vendor.key])
    loose = inventory.secrets
    if loose:
        out.append("# review: secrets read that no vendor could be tied to; give each to its tool as")
        out.append("# api_key_env, or they stay CANON203 findings (in the baseline):")
        for item in loose:
            first = item.locations[0]
            out.append(f"#   {item.name} ({first.path}:{first.line})")
    return "\n".join(out) + "\n"


def _tool(vendor: Vendor, tool_id: str) -> list[str]:
    lines = [
        f"  # {vendor.name}: {_where(vendor)}",
        f"  - id: {_scalar(tool_id)}"
        + ("  # the id the guards around its calls name" if vendor.guard_tools == (tool_id,) else ""),
        f"    name: {_scalar(vendor.name)}  # review: what the tool is for",
        f"    vendor: {_scalar(vendor.key)}",
        f"    # review: tier: {' | '.join(TIERS)} (free, cheap, surgical); TIER_0 when left out",
        f"    hubs: []  # review: the hubs it may serve{_named(vendor.guard_hubs)}",
        f"    interactions: []  # review: {' | '.join(INTERACTIONS)}{_named(vendor.guard_interactions)}",
    ]
    if vendor.guard_tools and vendor.guard_tools != (tool_id,):
        lines.append(f"    # review: the guards around its calls name {', '.join(vendor.guard_tools)}")
    if vendor.modules:
        lines.append(f"    modules: {_flow([item.name for item in vendor.modules])}")
    hosts = [item.name for item in vendor.hosts]
    valid = [host for host in hosts if _HOST.match(host)]
    if valid:
        lines.append(f"    hosts: {_flow(valid)}")
    if valid and not vendor.modules:
        lines.append("    # review: our own service? then list its hosts in allowed_hosts instead of this tool")
    if len(valid) < len(hosts):
        lines.append(f"    # review: hosts the canon cannot name: {', '.join(h for h in hosts if h not in valid)}")
    secrets = [item.name for item in vendor.secrets]
    usable = [name for name in secrets if _ENV_NAME.match(name)]
    if len(usable) == 1 and len(secrets) == 1:
        tie = vendor.secrets[0].tie
        why = "" if tie in ("canon", "name") else "  # review: read in the same file; is it this tool's key?"
        lines.append(f"    api_key_env: {usable[0]}{why}")
    elif len(usable) > 1:
        lines.append(f"    api_key_env: {_flow(usable)}  # review: every variable that may hold its key?")
    elif secrets:
        lines.append(f"    # review: api_key_env: one of {', '.join(secrets)}")
    else:
        lines.append("    # review: api_key_env: no secret read from the environment was tied to it")
    lines.append("    # review: gates (gate_state keys that must be true), human_approval")
    return lines


def _named(values: tuple[str, ...]) -> str:
    return f" (the guards in the code name {', '.join(values)})" if values else ""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_draft(text: str, output: Path, force: bool) -> None:
    """Write the draft to ``output`` once the canon's loader accepts it; an existing file is
    kept unless ``force``."""
    try:
        existing: os.stat_result | None = os.lstat(output)
    except OSError:
        existing = None
    if existing is not None and not force:
        raise UsageError(f"{output}: already exists; pass --force to overwrite it")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # --force replaces a canon, never a device, a FIFO, a folder or a link (nor what it points to)
        kind = "a symbolic link" if stat.S_ISLNK(existing.st_mode) else "not a regular file"
        raise UsageError(f"{output}: is {kind}; give --output a regular file's path")
    folder = output.absolute().parent
    if not folder.is_dir():
        raise UsageError(f"{output}: no such folder {folder}")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".canon-draft-", suffix=".yaml", dir=folder)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the draft: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            # the replaced canon's mode, or a new file's (what the umask leaves of rw-rw-rw-)
            os.fchmod(out.fileno(), stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask())
        try:
            load_canon(temporary)
        except CanonError as exc:  # a draft the loader refuses is a bug of ours
            raise AssertionError(f"the drafted canon does not load: {exc}") from None
        os.replace(temporary, output)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the draft: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
