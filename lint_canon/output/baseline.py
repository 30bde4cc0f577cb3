"""Baselines for adopting lint-canon on a legacy repository: record today's findings, then report
only new ones. Findings are matched by fingerprint (code, file, the text of the line, which
occurrence), not by line number, so code that moves stays matched."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from lint_canon import __version__
from lint_canon.output.findings import Finding
from lint_canon.output.fingerprints import fingerprints
from lint_canon_guard.errors import CanonError
from lint_canon_guard.files import read_bytes


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Record ``findings`` (located: ``lint_canon.output.located``) as the baseline."""
    entries = [
        {"fingerprint": fp, "code": f.code, "path": f.relpath or f.path, "line": f.line, "message": f.message}
        for f, fp in zip(findings, fingerprints(findings), strict=True)
    ]
    document = {"version": 1, "tool": f"lint-canon {__version__}", "findings": entries}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


# A baseline larger than this is refused rather than read into memory.
MAX_BASELINE_SIZE = 256 * 1024 * 1024


def load_baseline(path: Path, reader: Callable[[Path, int], bytes] = read_bytes) -> Counter[str]:
    """The fingerprints a baseline accounts for (``reader``: a run's ``RunReader.read_bytes``)."""
    try:
        document = json.loads(reader(path, MAX_BASELINE_SIZE).decode("utf-8"))
    except FileNotFoundError:
        raise CanonError(f"{path}: no such baseline; create it with --write-baseline {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CanonError(f"{path}: cannot read the baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CanonError(f"{path}:{exc.lineno}: not a lint-canon baseline: {exc.msg}") from None
    except RecursionError:
        raise CanonError(f"{path}: not a lint-canon baseline: nested too deeply") from None
    if not isinstance(document, dict) or document.get("version") != 1 or not isinstance(document.get("findings"), list):
        raise CanonError(f"{path}: not a lint-canon baseline (expected version 1 and a findings list)")
    try:
        return Counter(entry["fingerprint"] for entry in document["findings"])
    except (TypeError, KeyError):
        raise CanonError(f"{path}: a baseline entry has no fingerprint") from None


def new_findings(findings: Sequence[Finding], baseline: Counter[str]) -> list[Finding]:
    """The findings (located) the baseline does not account for."""
    left = Counter(baseline)
    out = []
    for finding, fp in zip(findings, fingerprints(findings), strict=True):
        if left[fp] > 0:
            left[fp] -= 1
        else:
            out.append(finding)
    return out
