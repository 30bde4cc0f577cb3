"""Self-contained HTML pages (``sql report --format html``, ``inventory --format html``): one
file, inline CSS and SVG, no script, nothing fetched (a Content-Security-Policy says so to the
browser), readable offline and as a CI artefact. Every chart has a table of its figures under it,
so that the figures can be read without the picture; the figures carry ``data-figure`` names the
tests read in the rendered page.

Only ids, codes, names of tables, tools, hubs, vendors and paths, and counts are written: never a
value from a row."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# Colour-blind-safe series colours (Okabe-Ito), and one for "nothing".
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

_CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--bg); }
header { padding: 20px 16px 8px; border-bottom: 1px solid var(--line); }
header > * { max-width: 1168px; margin-left: auto; margin-right: auto; }
header h1 { margin: 0 0 4px; font-size: 1.4rem; }
header p { margin: 0; color: var(--muted); }
main { padding: 8px 16px 32px; max-width: 1200px; margin: 0 auto; }
section { margin: 24px 0; }
section h2 { font-size: 1.1rem; margin: 0 0 4px; }
section > p { margin: 0 0 8px; color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: var(--soft); }
.card b { display: block; font-size: 1.4rem; }
.card span { color: var(--muted); font-size: .85rem; }
figure { margin: 8px 0; overflow-x: auto; }
svg { display: block; width: 100%; height: auto; max-width: 900px; min-width: 560px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0; font-size: .9rem; }
caption { text-align: left; color: var(--muted); padding: 2px 0; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { background: var(--soft); }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: .85rem; color: var(--muted); margin: 4px 0; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.tag { border-radius: 10px; padding: 0 7px; font-size: .8rem; color: #fff; }
.tag.registered { background: #1a7f37; } .tag.unregistered { background: #9a6700; } .tag.banned { background: #cf222e; }
details { margin: 4px 0; } summary { cursor: pointer; }
ul.places { margin: 4px 0 8px; padding-left: 20px; columns: 2 260px; font-family: ui-monospace, monospace; font-size: .85rem; }
ul.places li, header p, section > p { overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
"""


def page(title: str, subtitle: str, body: Sequence[str]) -> str:
    """A whole page: ``body`` is a sequence of HTML fragments (sections)."""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        # Nothing is fetched and nothing runs: inline styles and data: images only.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def section(heading: str, intro: str, *parts: str, anchor: str = "") -> str:
    ident = f" id='{escape(anchor)}'" if anchor else ""
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    return f"<section{ident}><h2>{escape(heading)}</h2>{lead}{''.join(parts)}</section>"


def cards(items: Sequence[tuple[str, int | str, str]]) -> str:
    """Big figures: (label, value, figure name)."""
    return (
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><b data-figure='{escape(name)}'>{escape(str(value))}</b><span>{escape(label)}</span></div>"
            for label, value, name in items
        )
        + "</div>"
    )


def table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    figures: Sequence[Sequence[str]] | None = None,
) -> str:
    """A table; ``figures[i][j]`` names cell (i, j) for the tests (empty: no name)."""
    if not rows:
        return f"<p class='empty'>{escape(caption)}: none.</p>"
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    lines = []
    for i, row in enumerate(rows):
        cells = []
        for j, value in enumerate(row):
            name = figures[i][j] if figures is not None and j < len(figures[i]) else ""
            mark = f" data-figure='{escape(name)}'" if name else ""
            text = value if isinstance(value, Raw) else escape(str(value))
            cells.append(f"<th scope='row'{mark}>{text}</th>" if j == 0 else f"<td{mark}>{text}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div class='scroll'><table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table></div>"
    )


class Raw(str):
    """HTML already escaped, for a table cell."""


def legend(series: Sequence[str]) -> str:
    return (
        "<div class='legend' aria-hidden='true'>"
        + "".join(
            f"<span><i style='background:{COLOURS[i % len(COLOURS)]}'></i>{escape(s)}</span>"
            for i, s in enumerate(series)
        )
        + "</div>"
    )


def stacked_bars(label: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> str:
    """Horizontal stacked bars, one per row: (row label, a value per series)."""
    if not rows:
        return ""
    width, left, bar, gap = 640, 222, 18, 8
    top = max((sum(values) for _, values in rows), default=0) or 1
    height = len(rows) * (bar + gap) + 10
    parts = [
        f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(label)}'><title>{escape(label)}</title>"
    ]
    for i, (name, values) in enumerate(rows):
        y = 5 + i * (bar + gap)
        parts.append(f"<text x='{left - 6}' y='{y + 13}' text-anchor='end'>{escape(_cut(name, 28))}</text>")
        x = float(left)
        for k, value in enumerate(values):
            w = (width - left - 60) * value / top
            if w > 0:
                parts.append(
                    f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar}' fill='{COLOURS[k % len(COLOURS)]}'>"
                    f"<title>{escape(name)}: {escape(series[k])} {value}</title></rect>"
                )
            x += w
        parts.append(f"<text x='{x + 4:.1f}' y='{y + 13}'>{sum(values)}</text>")
    parts.append("</svg>")
    return "<figure>" + legend(series) + "".join(parts) + "</figure>"


def column_chart(label: str, series: Sequence[str], columns: Sequence[tuple[str, Sequence[int]]]) -> str:
    """Grouped vertical bars over time: (column label, a value per series)."""
    if not columns:
        return ""
    width, height, bottom, left = 640, 220, 40, 36
    top = max((max(values, default=0) for _, values in columns), default=0) or 1
    slot = (width - left) / len(columns)
    bar = max(2.0, min(16.0, (slot - 4) / max(1, len(series))))
    parts = [
        f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(label)}'><title>{escape(label)}</title>",
        f"<line x1='{left}' y1='{height - bottom}' x2='{width}' y2='{height - bottom}' stroke='#d0d7de'/>",
        f"<text x='{left - 4}' y='14' text-anchor='end'>{top}</text>",
    ]
    every = max(1, len(columns) // 10)
    for i, (name, values) in enumerate(columns):
        x0 = left + i * slot + 2
        for k, value in enumerate(values):
            h = (height - bottom - 20) * value / top
            parts.append(
                f"<rect x='{x0 + k * bar:.1f}' y='{height - bottom - h:.1f}' width='{bar - 1:.1f}' height='{h:.1f}' "
                f"fill='{COLOURS[k % len(COLOURS)]}'><title>{escape(name)}: {escape(series[k])} {value}</title></rect>"
            )
        if i % every == 0:
            parts.append(f"<text x='{x0:.1f}' y='{height - bottom + 16}'>{escape(name)}</text>")
    parts.append("</svg>")
    return "<figure>" + legend(series) + "".join(parts) + "</figure>"


def funnel(label: str, steps: Sequence[tuple[str, int]]) -> str:
    """Centred bars, one per step, each as wide as its count."""
    if not steps:
        return ""
    width, bar, gap = 640, 26, 6
    top = max((value for _, value in steps), default=0) or 1
    height = len(steps) * (bar + gap) + 6
    parts = [
        f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(label)}'><title>{escape(label)}</title>"
    ]
    for i, (name, value) in enumerate(steps):
        w = max(2.0, (width - 40) * value / top)
        x, y = (width - w) / 2, 3 + i * (bar + gap)
        ink = "#fff" if w > 200 else "#1b1f24"
        parts.append(
            f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar}' rx='3' fill='{COLOURS[i % len(COLOURS)]}'>"
            f"<title>{escape(name)}: {value}</title></rect>"
            f"<text x='{width / 2}' y='{y + 17}' text-anchor='middle' style='fill:{ink};"
            "font-weight:600'>"
            f"{escape(name)}: {value}</text>"
        )
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
