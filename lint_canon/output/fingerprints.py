"""Fingerprints of findings that survive unrelated edits: the code, the file (relative to its
canon), the text of the finding's line with its whitespace squeezed, and which occurrence of
that text it is. Moving code up or down keeps the fingerprint; changing the offending line
makes a new one. Used by SARIF's partialFingerprints and by baselines. A pure function of the
findings: the run has filled in their ``relpath`` and ``line_text`` (``lint_canon.output.located``)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from lint_canon.output.findings import Finding


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in the same order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for f in sorted(range(len(findings)), key=lambda i: findings[i]):
        finding = findings[f]
        text = " ".join(finding.line_text.split())
        key = (finding.code, finding.relpath or Path(finding.path).as_posix(), text)
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(seen[key])]).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        out.append((f, digest))
    return [digest for _, digest in sorted(out)]
