"""Fingerprints of findings that survive unrelated edits: the code, the file, the text of the
finding's line with its whitespace squeezed, and which occurrence of that text it is. Moving
code up or down keeps the fingerprint; changing the offending line makes a new one. Used by
SARIF's partialFingerprints and by baselines."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lint_canon.findings import Finding
from lint_canon.lines import split_lines


def canon_relative(path: str, roots: Sequence[str]) -> str:
    """``path`` relative to the folder of its canon (the deepest of ``roots`` holding it), so
    that a fingerprint is the same from whatever folder the run started."""
    absolute = os.path.abspath(path)
    best = ""
    for root in roots:
        prefix = root.rstrip(os.sep) + os.sep
        if absolute.startswith(prefix) and len(root) > len(best):
            best = root
    if not best:
        return Path(path).as_posix()
    return absolute[len(best.rstrip(os.sep)) + 1 :].replace(os.sep, "/")


def _lines(path: str, cache: dict[str, list[str]]) -> list[str]:
    if path not in cache:
        try:
            cache[path] = split_lines(Path(path).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            cache[path] = []
    return cache[path]


def fingerprints(findings: Sequence[Finding], canons: Sequence[Any] = ()) -> list[str]:
    """One fingerprint per finding, in the same order; paths relative to the findings' canons."""
    roots = [os.path.abspath(canon.root) for canon in canons]
    cache: dict[str, list[str]] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for f in sorted(range(len(findings)), key=lambda i: findings[i]):
        finding = findings[f]
        lines = _lines(finding.path, cache)
        text = " ".join(lines[finding.line - 1].split()) if 0 < finding.line <= len(lines) else ""
        key = (finding.code, canon_relative(finding.path, roots), text)
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(seen[key])]).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        out.append((f, digest))
    return [digest for _, digest in sorted(out)]
