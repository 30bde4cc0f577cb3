"""The rules: one module each, named after what it finds, whose class carries its code, name,
severity and summary (``info``); one page each in rules/. ``lint_canon.rules.registry`` finds them."""
