"""Output formats. A formatter turns findings into text; it knows nothing of rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lint_canon.output.findings import Finding
from lint_canon.output.formats.github import format_github
from lint_canon.output.formats.json import format_json
from lint_canon.output.formats.sarif import format_sarif
from lint_canon.output.formats.text import format_text

Formatter = Callable[[Sequence[Finding]], str]

FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
}
