"""The inventory as text: a table for a terminal, JSON for programs, Markdown for a pull
request or a wiki page. They only format what ``inventory`` found."""

from __future__ import annotations

import json
from collections.abc import Callable

from lint_canon.adoption.inventory import Inventory, Item, Location, Vendor

TABLE_LOCATIONS = 3  # the table and Markdown show the first few places; JSON has them all
MARKDOWN_LOCATIONS = 5

_NOUNS = {"import": "import", "call": "call", "request": "request", "read": "read"}


def _uses(item: Item) -> str:
    parts = []
    for use, noun in _NOUNS.items():
        n = item.count(use)
        if n:
            parts.append(f"{n} {noun}{'s' if n != 1 else ''}")
    return ", ".join(parts)


def _places(locations: tuple[Location, ...], limit: int) -> tuple[list[str], str]:
    """``a.py:3``, then ``:13`` for the next places in the same file; and " (+N more)"."""
    shown, previous = [], None
    for loc in locations[:limit]:
        shown.append(f":{loc.line}" if loc.path == previous else f"{loc.path}:{loc.line}")
        previous = loc.path
    return shown, f" (+{len(locations) - limit} more)" if len(locations) > limit else ""


def _where(item: Item, limit: int, quote: Callable[[str], str] = str) -> str:
    shown, more = _places(item.locations, limit)
    return ", ".join(quote(place) for place in shown) + more


def _vendor_cell(vendor: Vendor) -> str:
    marks = [*vendor.tools, *(["banned"] if vendor.banned else [])]
    return f"{vendor.key} ({', '.join(marks)})" if marks else vendor.key


def _rows(inventory: Inventory) -> list[tuple[str, str, str, Item]]:
    rows: list[tuple[str, str, str, Item]] = []
    for vendor in inventory.vendors:
        cell = _vendor_cell(vendor)
        for kind, items in (("module", vendor.modules), ("host", vendor.hosts), ("secret", vendor.secrets)):
            rows.extend((cell, kind, item.name, item) for item in items)
    rows.extend(("-", "secret", item.name, item) for item in inventory.secrets)
    return rows


def _summary(inventory: Inventory) -> str:
    uses = sum(vendor.uses for vendor in inventory.vendors)
    reads = sum(item.count() for vendor in inventory.vendors for item in vendor.secrets)
    reads += sum(item.count() for item in inventory.secrets)
    files = {p for vendor in inventory.vendors for p in vendor.files} | {p for i in inventory.secrets for p in i.files}
    canon = f"canon: {', '.join(inventory.canons)}" if inventory.canons else "no canon: the built-in vendor list"
    return (
        f"{len(inventory.vendors)} vendor{'s' if len(inventory.vendors) != 1 else ''}, "
        f"{uses} use{'s' if uses != 1 else ''} and {reads} secret read{'s' if reads != 1 else ''} "
        f"in {len(files)} file{'s' if len(files) != 1 else ''}; "
        f"{inventory.files} Python file{'s' if inventory.files != 1 else ''} looked at ({canon})"
    )


def format_table(inventory: Inventory) -> str:
    header = ("VENDOR", "KIND", "NAME", "USES", "WHERE")
    body = [
        (cell, kind, name, _uses(item), _where(item, TABLE_LOCATIONS)) for cell, kind, name, item in _rows(inventory)
    ]
    lines = []
    if body:
        widths = [max(len(row[i]) for row in (header, *body)) for i in range(4)]
        for row in (header, *body):
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
        lines = [line.rstrip() for line in lines]
        lines.append("")
    lines.append(_summary(inventory))
    for path, why in inventory.problems:
        lines.append(f"not analysed: {path}: {why}")
    return "\n".join(lines) + "\n"


def _location(loc: Location) -> dict[str, object]:
    return {"path": loc.path, "line": loc.line, "col": loc.col, "use": loc.use}


def _item(item: Item, key: str, counts: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {key: item.name}
    for use in counts:
        out[use + "s"] = item.count(use)
    if item.tie:
        out["tie"] = item.tie
    out["locations"] = [_location(loc) for loc in item.locations]
    return out


def inventory_json(inventory: Inventory) -> dict[str, object]:
    """The whole inventory as plain data (every location)."""
    return {
        "version": 1,
        "canons": list(inventory.canons),
        "files": inventory.files,
        "vendors": [
            {
                "vendor": vendor.key,
                "name": vendor.name,
                "tools": list(vendor.tools),
                "banned": vendor.banned,
                "modules": [_item(item, "module", ("import", "call")) for item in vendor.modules],
                "hosts": [_item(item, "host", ("request",)) for item in vendor.hosts],
                "secrets": [_item(item, "name", ("read",)) for item in vendor.secrets],
                "guards": {
                    "tools": list(vendor.guard_tools),
                    "hubs": list(vendor.guard_hubs),
                    "interactions": list(vendor.guard_interactions),
                },
            }
            for vendor in inventory.vendors
        ],
        "secrets": [_item(item, "name", ("read",)) for item in inventory.secrets],
        "problems": [{"path": path, "message": why} for path, why in inventory.problems],
    }


def format_json(inventory: Inventory) -> str:
    return json.dumps(inventory_json(inventory), indent=2, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def format_markdown(inventory: Inventory) -> str:
    lines = ["## Vendor inventory", ""]
    rows = _rows(inventory)
    if rows:
        lines += ["| vendor | kind | name | uses | where |", "| --- | --- | --- | --- | --- |"]
        for cell, kind, name, item in rows:
            where = _where(item, MARKDOWN_LOCATIONS, _code)
            lines.append(f"| {_md(cell)} | {kind} | {_md(_code(name))} | {_uses(item)} | {_md(where)} |")
        lines.append("")
    lines.append(_summary(inventory) + ".")
    if inventory.problems:
        lines += ["", "Not analysed:", ""]
        lines += [f"- {_md(_code(path))}: {_md(why)}" for path, why in inventory.problems]
    return "\n".join(lines) + "\n"


INVENTORY_FORMATS: dict[str, Callable[[Inventory], str]] = {
    "table": format_table,
    "json": format_json,
    "markdown": format_markdown,
}
