"""The rule pages of ``rules/``: shipped inside the wheel, read from the checkout otherwise."""

from __future__ import annotations

from pathlib import Path

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
    pages and the registry equal), known without importing the rules."""
    return sorted(page.stem for page in rules_folder().glob("CANON*.md"))
