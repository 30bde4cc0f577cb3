"""Prefilter needles shared by the rules: where a module, an API or a host can show up."""

from __future__ import annotations

import re

from lint_canon.rules.base import Needle

# The root of a module appears in an import statement (also continued with a backslash) or in
# an import_module string; the last part of an API after a dot, in an import list, or in a
# parenthesised import list; a host in a string.
_ROOT_CONTEXT = r"\bimport\b(?:[^\n]|\\\r?\n)*\b{w}\b|\bfrom(?:\s|\\\r?\n)+{w}\b|['\"]{w}['\".]"
_LAST_CONTEXT = r"\.\s*{w}\b|\bimport\b(?:[^\n]|\\\r?\n)*\b{w}\b|\bimport\s*\([^)]*\b{w}\b"
_HOST_CONTEXT = r"{w}"


def _needle(word: str, context: str) -> Needle:
    return Needle(word.encode(), context.format(w=re.escape(word)).encode())


def module_needles(qualname: str) -> tuple[Needle, ...]:
    """A file that refers to ``qualname`` holds these: its root imported, its last part used."""
    root, _, rest = qualname.partition(".")
    needles = [_needle(root, _ROOT_CONTEXT)]
    if rest:
        needles.append(_needle(qualname.rsplit(".", 1)[1], _LAST_CONTEXT))
    return tuple(needles)


def host_needle(pattern: str) -> Needle:
    """A URL to a host matching ``pattern`` spells its fixed part: ``*.x.com`` -> ``x.com``."""
    fixed = pattern[2:] if pattern.startswith("*.") else pattern
    return _needle(fixed, _HOST_CONTEXT)


# A URL our resolver can read starts with a scheme in a string of the same file.
URL_NEEDLE = Needle(b"://", rb"(?i)(?:https?|wss?)://")
# urllib3 pools take a bare host: HTTPConnectionPool("api.example.com").
POOL_NEEDLE = Needle(b"ConnectionPool", rb"\bHTTPS?ConnectionPool\b|\bconnection_from_url\b")
# A secret-looking variable name, spelled out in a string.
SECRET_NEEDLE = Needle(
    b"", rb"(?i)['\"][A-Za-z0-9_]*(?:API_?KEY|APIKEY|TOKEN|SECRET|SECRET_KEY|ACCESS_KEY|PRIVATE_KEY|AUTH_KEY)['\"]"
)
