"""The rules: one module each, named after what it finds, whose class takes its code, name,
severity and summary (``info``) from the table of codes (``lint_canon.output.codes``); one page
each in rules/. ``lint_canon.rules.registry`` finds them."""
