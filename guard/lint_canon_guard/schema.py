"""The JSON Schema of canon.yaml, generated from the validator's declaration
(``lint_canon_guard.config.CANON``), and the README's table of the canon's keys.

The schema ships in the wheel as ``lint_canon_guard/canon.schema.json`` for editors (YAML
language server: ``# yaml-language-server: $schema=...`` on the canon's first line). It states
what a schema can: keys, types, enums, patterns, required keys. What it cannot (a tool's hubs
listed in ``hubs``, tool ids unique, a size string within 1KiB..1GiB) the validator still checks.

``python -m lint_canon_guard.schema`` prints the installed file's path; ``--write`` regenerates
it (tests/test_canon_schema.py fails while the committed file differs); ``--table`` prints the
README table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lint_canon_guard.config import CANON, MAX_SIZE, MIN_SIZE, PATTERNS, Key

SCHEMA_FILE = Path(__file__).with_name("canon.schema.json")
# Where the file is on the default branch: what an editor line can point at without an install.
SCHEMA_ID = "https://raw.githubusercontent.com/lint-canon/lint-canon/main/guard/lint_canon_guard/canon.schema.json"


def _string(key: Key) -> dict[str, Any]:
    # The validator refuses blank strings; a declared pattern already needs a non-blank one.
    return {"type": "string", "pattern": PATTERNS[key.pattern] if key.pattern else r"\S"}


def _strings(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item, "uniqueItems": True}


def _node(key: Key) -> dict[str, Any]:
    kind = key.kind
    if kind == "version":
        node: dict[str, Any] = {"const": 1}
    elif kind == "string":
        node = _string(key)
    elif kind == "strings":
        node = _strings(_string(key))
        if key.min_items:
            node["minItems"] = key.min_items
    elif kind == "names":
        node = {"oneOf": [_string(key), {**_strings(_string(key)), "minItems": 1}]}
    elif kind == "hosts":
        node = _strings({"type": "string", "pattern": PATTERNS["host"]})
    elif kind == "boolean":
        node = {"type": "boolean"}
    elif kind == "choice":
        node = {"enum": list(key.choices)}
    elif kind == "choices":
        node = _strings({"enum": list(key.choices)})
    elif kind == "size":
        node = {
            "oneOf": [
                {"type": "integer", "minimum": MIN_SIZE, "maximum": MAX_SIZE},
                {"type": "string", "pattern": PATTERNS["size"]},
            ]
        }
    elif kind == "codemap":
        node = {
            "type": "object",
            "additionalProperties": _strings({"type": "string", "pattern": PATTERNS["code"]}),
        }
    elif kind in ("mapping", "list"):
        node = _mapping(key)
        if kind == "list":
            node = {"type": "array", "items": node}
    else:
        raise AssertionError(f"no schema for the kind {kind!r}")
    if key.nullable:
        node = {"anyOf": [node, {"type": "null"}]}
    out: dict[str, Any] = {"description": key.doc, **node}
    if key.default is not None:
        out["default"] = key.default
    return out


def _mapping(key: Key) -> dict[str, Any]:
    node: dict[str, Any] = {
        "type": "object",
        "properties": {name: _node(sub) for name, sub in key.keys.items()},
        "additionalProperties": False,
    }
    if key.required:
        node["required"] = list(key.required)
    if key.needs_one_of:
        node["anyOf"] = [{"required": [name]} for name in key.needs_one_of]
    return node


def canon_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of canon.yaml."""
    root = _node(CANON)
    root.pop("default", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "lint-canon canon.yaml",
        **root,
    }


def render() -> str:
    """The schema file's text."""
    return json.dumps(canon_schema(), indent=2, ensure_ascii=False) + "\n"


_KIND_WORDS = {
    "version": "`1`",
    "string": "string",
    "strings": "list of strings",
    "names": "string or list of strings",
    "hosts": "list of host patterns",
    "boolean": "true / false",
    "size": "size (bytes, or 512KB, 5MB, 2MiB)",
    "mapping": "mapping",
    "codemap": "mapping of path globs to lists of rule codes",
    "list": "list of mappings",
}


def _kind_words(key: Key) -> str:
    if key.kind == "choice":
        return " \\| ".join(f"`{c}`" for c in key.choices)
    if key.kind == "choices":
        return "list of " + " \\| ".join(f"`{c}`" for c in key.choices)
    words = _KIND_WORDS[key.kind]
    if key.pattern and key.what:
        words += f" ({key.what})"
    return words


def table() -> str:
    """The README table of the canon's keys (Markdown), from the same declaration."""
    rows = ["| Key | Type | Required | Default | What |", "|---|---|---|---|---|"]

    def walk(key: Key, prefix: str) -> None:
        for name, sub in key.keys.items():
            path = f"{prefix}{name}"
            default = "" if sub.default in (None, [], {}) else f"`{json.dumps(sub.default)}`"
            required = "yes" if name in key.required else ""
            rows.append(f"| `{path}` | {_kind_words(sub)} | {required} | {default} | {sub.doc} |")
            if sub.keys:
                walk(sub, f"{path}[]." if sub.kind == "list" else f"{path}.")

    walk(CANON, "")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--write"]:
        SCHEMA_FILE.write_text(render(), encoding="utf-8")
        sys.stdout.write(f"{SCHEMA_FILE}\n")
    elif argv == ["--table"]:
        sys.stdout.write(table())
    elif not argv:
        sys.stdout.write(f"{SCHEMA_FILE}\n")
    else:
        sys.stderr.write("usage: python -m lint_canon_guard.schema [--write | --table]\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
