"""The rule pages of ``rules/``: shipped inside the wheel, read from the checkout otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lint_canon.output.codes import implemented_codes

_PACKAGE = Path(__file__).parent.parent
_PACKAGED = _PACKAGE / "_rules"  # where the wheel puts rules/
_CHECKOUT = _PACKAGE.parent / "rules"


def rules_folder() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def rule_doc(code: str) -> str | None:
    """The Markdown page of ``code``, or None when there is none."""
    page = rules_folder() / f"{code}.md"
    return page.read_text(encoding="utf-8") if page.is_file() else None


def page_codes() -> list[str]:
    """Every code with a page, in order: every code there is (tests/test_rule_docs.py keeps the
    pages and the table of codes equal)."""
    return sorted(page.stem for page in rules_folder().glob("CANON*.md"))


def unknown_code(codes: Iterable[str]) -> str | None:
    """What is wrong with the first of ``codes`` (code prefixes) that no rule code starts with,
    naming the closest code (as ruff does); None when every one is known."""
    import difflib

    known_codes = implemented_codes()
    for code in codes:
        if not any(known.startswith(code) for known in known_codes):
            close = difflib.get_close_matches(code, known_codes, n=1)
            hint = f"; did you mean {close[0]}?" if close else "; 'lint-canon rule' lists the codes"
            return f"unknown rule code {code!r}{hint}"
    return None
