"""A generated corpus for ``--fix``: files that each hold a fixable finding (CANON301, 302 or
305) in another surrounding: docstrings, ``from __future__``, shebangs and license headers;
imports in sections, a guard import below its use, conditional imports, ``if TYPE_CHECKING:``;
names that clash with the guard's; stacked decorators, methods, nested and async functions;
CRLF, a BOM, tabs, form feeds. ``write_corpus(folder, count)`` writes ``count`` of them (every
combination is reached before any repeats) and the canon they are checked with."""

from __future__ import annotations

import itertools
from pathlib import Path

CANON = """\
version: 1
hubs: [HUB-A, HUB-B]
tools:
  - id: TOOL-1
    vendor: hunter
    hubs: [HUB-A]
    interactions: [ENRICH]
    hosts: [api.hunter.io]
  - id: TOOL-2
    vendor: apollo
    hubs: [HUB-B]
    interactions: [READ]
    hosts: [api.apollo.io]
"""

HEADERS = {
    "none": "",
    "docstring": '"""Enrichment helpers."""\n\n',
    "future": "from __future__ import annotations\n\n",
    "docstring+future": '"""Enrichment helpers.\n\nTwo lines of documentation.\n"""\n\nfrom __future__ import annotations\n\n',
    "shebang": "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n",
    "license": "# Copyright the authors.\n# Licensed under the MIT license.\n\n",
}

# Imports above the code; {http} is the line that imports urllib.request.
IMPORTS = {
    "stdlib": "import json\nimport urllib.request\n",
    "sections": "import json\nimport urllib.request\n\nimport yaml\nfrom jinja2 import Template\n\nfrom app_helpers import log\n",
    "guard-above": "import urllib.request\n\nfrom lint_canon.guard import enforce_tool_canon\n",
    "conditional": "import urllib.request\n\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    "type-checking": "import urllib.request\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from collections.abc import Iterable\n",
    "aliased": "import json as _json\nimport urllib.request as http\n",
}
# What the module binds that the guard's import could clash with.
CLASHES = {
    "none": "",
    "interaction-class": "\n\nclass InteractionType:\n    READ = 'read'\n",
    "guard-function": "\n\ndef enforce_tool_canon(*args):\n    return args\n",
}
# The code holding the finding: {call} sends to api.hunter.io.
BODIES = {
    "function": "\n\ndef verify(email):\n    return {call}\n",
    "async": "\n\nasync def verify(email):\n    return {call}\n",
    "stacked": "\n\n@functools.lru_cache(maxsize=8)\n@staticmethod\ndef verify(email):\n    return {call}\n",
    "method": "\n\nclass Client:\n    @classmethod\n    def verify(cls, email):\n        return {call}\n",
    "nested": "\n\ndef outer(email):\n    def verify():\n        return {call}\n\n    return verify\n",
    "typo-302": '\n\n@enforce_tool_canon("TOOL-01", "HUB-A", InteractionType.ENRICH)\ndef verify(email):\n    return {call}\n',
    "mismatch-305": '\n\n@enforce_tool_canon("TOOL-2", "HUB-B", InteractionType.READ)\ndef verify(email):\n    return {call}\n',
}
# The guard's import a 302 or 305 body needs (it is already guarded).
GUARDED = "from lint_canon.guard import InteractionType, enforce_tool_canon\n"
TRAILERS = {
    "plain": "",
    "guard-below": "\n\nfrom lint_canon.guard import InteractionType, enforce_tool_canon  # noqa: E402\n",
    "form-feed": "\n\x0c\n\ndef after():\n    return None\n",
}
ENCODINGS = ("lf", "crlf", "bom", "tabs")


def _call(imports: str) -> str:
    http = "http" if "urllib.request as http" in imports else "urllib.request"
    return f'{http}.urlopen("https://api.hunter.io/v2/verify?email=" + str(email))'


def source(header: str, imports: str, clash: str, body: str, trailer: str, encoding: str) -> bytes:
    """One file of the corpus."""
    imported = IMPORTS[imports]
    if body in ("typo-302", "mismatch-305"):
        if clash != "none" or imports == "guard-above":
            clash = "none"  # a guarded function needs the guard's own names
            imported = imported.replace("from lint_canon.guard import enforce_tool_canon\n", "")
        imported = imported + ("\n" if not imported.endswith("\n\n") else "") + GUARDED
        if trailer == "guard-below":
            trailer = "plain"
    if body == "stacked":
        imported = "import functools\n" + imported
    text = HEADERS[header] + imported + CLASHES[clash] + BODIES[body].format(call=_call(imported))
    text += TRAILERS[trailer]
    if "json" in imported:
        text += "\n\nUSED = (json,)\n" if "_json" not in imported else "\n\nUSED = (_json,)\n"
    if "yaml" in imported:
        text += "\n\nMORE = (yaml, Template, log)\n"
    if "Iterable" in imported:
        text += "\n\nif TYPE_CHECKING:\n    ITEMS: Iterable[str] = ()\n"
    if encoding == "tabs":
        text = "\n".join(
            "\t" * ((len(line) - len(line.lstrip(" "))) // 4) + line.lstrip(" ") for line in text.split("\n")
        )
    data = text.encode("utf-8")
    if encoding == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif encoding == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


def combinations() -> list[tuple[str, str, str, str, str, str]]:
    return list(itertools.product(HEADERS, IMPORTS, CLASHES, BODIES, TRAILERS, ENCODINGS))


def write_corpus(folder: Path, count: int) -> list[tuple[Path, tuple[str, ...]]]:
    """``count`` files spread over every combination (in a stride that varies each dimension),
    the canon and the project's helper module. Returns each file and its combination."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "canon.yaml").write_text(CANON)
    (folder / "app_helpers.py").write_text("log = print\n")
    every = combinations()
    stride = 37  # prime to the sizes of the dimensions: consecutive files differ in all of them
    written = []
    for number in range(count):
        combination = every[(number * stride) % len(every)]
        path = folder / f"case_{number:04d}.py"
        path.write_bytes(source(*combination))
        written.append((path, combination))
    return written
