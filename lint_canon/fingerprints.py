"""Fingerprints of findings that survive unrelated edits: the code, the file, the text of the
finding's line with its whitespace squeezed, and which occurrence of that text it is. Moving
code up or down keeps the fingerprint; changing the offending line makes a new one. Used by
SARIF's partialFingerprints and by baselines."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from lint_canon.findings import Finding


def _lines(path: str, cache: dict[str, list[str]]) -> list[str]:
    if path not in cache:
        try:
            cache[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in the same order."""
    cache: dict[str, list[str]] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for f in sorted(range(len(findings)), key=lambda i: findings[i]):
        finding = findings[f]
        lines = _lines(finding.path, cache)
        text = " ".join(lines[finding.line - 1].split()) if 0 < finding.line <= len(lines) else ""
        key = (finding.code, Path(finding.path).as_posix(), text)
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(seen[key])]).encode()).hexdigest()[:32]
        out.append((f, digest))
    return [digest for _, digest in sorted(out)]
