"""``lint-canon canon show``: the canon a run uses, merged with the canons it extends, as YAML,
each entry followed by the file and line that wrote it. The output loads as a canon equal to the
merged one (``tests/test_organisation.py`` holds it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lint_canon_guard.config import ExplainedCanon
from lint_canon_guard.messages import display


def _where(explained: ExplainedCanon, keypath: tuple[Any, ...]) -> str:
    file, line = explained.origin(keypath)
    return f"{display(Path(file))}:{line}" if line else display(Path(file))


def _flow(value: Any) -> str:
    """One value on one line, as YAML writes it (quoted where it must be)."""
    text: str = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text[1:-1]


def _block(value: Any, indent: str) -> list[str]:
    """A mapping as YAML block lines under ``indent``."""
    text: str = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True, width=10_000)
    return [indent + line for line in text.splitlines()]


def show_canon(explained: ExplainedCanon) -> str:
    canon = explained.canon
    lines = [f"# {display(canon.path)}" + ("".join(f", extending {display(p)}" for p in canon.extends))]
    lines.append("# each entry: the file and line that wrote it")
    for key, value in explained.raw.items():
        if isinstance(value, list):
            lines.append(f"{key}:{'  []' if not value else ''}")
            for i, item in enumerate(value):
                where = _where(explained, (key, i))
                if isinstance(item, dict):
                    block = _block(item, "    ")
                    block[0] = "  - " + block[0][4:] + f"  # {where}"
                    lines.extend(block)
                else:
                    lines.append(f"  - {_flow(item)}  # {where}")
        elif isinstance(value, dict):
            lines.append(f"{key}:  # {_where(explained, (key,))}")
            lines.extend(_block(value, "  "))
        else:
            lines.append(f"{key}: {_flow(value)}  # {_where(explained, (key,))}")
    return "\n".join(lines) + "\n"
