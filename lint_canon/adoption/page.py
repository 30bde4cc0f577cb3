"""``lint-canon inventory --format html``: the vendors of the code as a map, one self-contained
page (``lint_canon.output.page``). Rows are vendors, marked registered, unregistered or banned
against the canon; columns are the code's top-level folders (the services: below the folders
every file shares); each cell counts the vendor's uses there (imports, calls, requests) and links
to the list of its places, ``path:line``, each a link relative to the page."""

from __future__ import annotations

import os
from collections import Counter
from html import escape
from urllib.parse import quote

from lint_canon.adoption.inventory import Inventory, Location, Vendor
from lint_canon.output.page import Raw, cards, page, section, stacked_bars, table

ROOT = "(top level)"


def status(vendor: Vendor) -> str:
    if vendor.banned:
        return "banned"
    return "registered" if vendor.tools else "unregistered"


def _places(vendor: Vendor) -> list[Location]:
    return sorted({loc for item in (*vendor.modules, *vendor.hosts) for loc in item.locations})


def folders_of(inventory: Inventory) -> dict[str, str]:
    """Each used file's folder on the map: the first folder below those every file shares."""
    paths = sorted({loc.path for vendor in inventory.vendors for loc in _places(vendor)})
    split = [path.replace(os.sep, "/").split("/") for path in paths]
    common = 0
    if split:
        shortest = min(len(parts) for parts in split) - 1  # folders only
        while common < shortest and len({parts[common] for parts in split}) == 1:
            common += 1
    return {
        path: (parts[common] if len(parts) > common + 1 else ROOT) for path, parts in zip(paths, split, strict=True)
    }


def _slug(*words: str) -> str:
    """An id from words: each character that is not a letter or digit as its code point."""
    return "-".join("".join(c if c.isalnum() else f"_{ord(c):x}_" for c in word) for word in words)


def inventory_page(inventory: Inventory, page_folder: str = ".") -> str:
    """The page; the places' links are relative to ``page_folder`` (where it is written)."""
    folder_of = folders_of(inventory)
    columns = sorted(set(folder_of.values()), key=lambda f: (f == ROOT, f))
    vendors = sorted(inventory.vendors, key=lambda v: (-v.uses, v.key))
    counts = {v.key: Counter(folder_of[loc.path] for loc in _places(v)) for v in vendors}
    states = Counter(status(v) for v in vendors)
    canon = ", ".join(inventory.canons) if inventory.canons else "no canon: the built-in vendor list"
    top = cards(
        [
            ("vendors", len(vendors), "vendors"),
            ("registered", states["registered"], "registered"),
            ("unregistered", states["unregistered"], "unregistered"),
            ("banned", states["banned"], "banned"),
            ("uses (imports, calls, requests)", sum(v.uses for v in vendors), "uses"),
            ("Python files looked at", inventory.files, "files"),
        ]
    )
    chart = stacked_bars(
        "Uses of each vendor, by folder",
        columns,
        [(f"{v.name} ({status(v)})", [counts[v.key][c] for c in columns]) for v in vendors],
    )
    rows, figures = [], []
    for v in vendors:
        tag = f"<span class='tag {status(v)}'>{status(v)}</span>"
        tools = f" {escape(', '.join(v.tools))}" if v.tools else ""
        cells: list[object] = [Raw(f"{escape(v.name)} {tag}{tools}")]
        names = [f"vendor:{v.key}"]
        for c in columns:
            n = counts[v.key][c]
            cells.append(Raw(f"<a href='#{_slug('at', v.key, c)}'>{n}</a>") if n else "")
            names.append(f"uses:{v.key}:{c}")
        cells.append(v.uses)
        names.append(f"total:{v.key}")
        rows.append(cells)
        figures.append(names)
    grid = table(
        "Uses by vendor and folder (each count links to its places)", ["vendor", *columns, "total"], rows, figures
    )
    places = []
    for v in vendors:
        by_folder: dict[str, list[Location]] = {}
        for loc in _places(v):
            by_folder.setdefault(folder_of[loc.path], []).append(loc)
        blocks = []
        for c in columns:
            found = by_folder.get(c)
            if not found:
                continue
            items = "".join(
                f"<li><a href='{escape(place_link(loc.path, page_folder))}'>{escape(loc.path)}:{loc.line}</a> "
                f"<small>{escape(loc.use)}</small></li>"
                for loc in found
            )
            blocks.append(
                f"<details id='{_slug('at', v.key, c)}' open><summary>{escape(v.name)} in {escape(c)}: "
                f"{len(found)}</summary><ul class='places'>{items}</ul></details>"
            )
        places.append("".join(blocks))
    secrets = [(item.name, item.count(), ", ".join(item.files)) for item in inventory.secrets]
    body = [
        top,
        section(
            "The map",
            "Each vendor the code uses, where. Registered: a tool of the canon; banned: a ban covers it.",
            chart,
            grid,
        ),
        section("Places", "Every use, by vendor and folder.", *places, anchor="places"),
        section(
            "Secrets tied to no vendor",
            "Read from the environment; give them to a tool with api_key_env.",
            table("Secrets", ["name", "reads", "files"], secrets),
        ),
    ]
    return page("Vendors in the code", f"lint-canon inventory; {canon}; {inventory.files} Python files", body)


def place_link(path: str, page_folder: str) -> str:
    """A relative URL of the file: quoted (a name with ``:``, ``#``, ``?`` or ``%`` is a path,
    never a scheme such as ``javascript:``, a fragment or a query), from ``./`` or ``../``."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(page_folder)).replace(os.sep, "/")
    quoted = quote(relative)
    return quoted if quoted.startswith("../") else "./" + quoted
