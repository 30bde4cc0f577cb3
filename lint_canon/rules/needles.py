"""Prefilter needles shared by the rules: where a module, an API or a host can show up."""

from __future__ import annotations

import re

from lint_canon.rules.base import Needle


def module_needles(qualname: str) -> tuple[Needle, ...]:
    """A file that refers to ``qualname`` imports its root and names its last part."""
    root, _, rest = qualname.partition(".")
    needles = [Needle(root.encode(), kind="import")]
    if rest:
        needles.append(Needle(qualname.rsplit(".", 1)[1].encode(), kind="name"))
    return tuple(needles)


def _needle(word: str, context: str) -> Needle:
    return Needle(word.encode(), context.format(w=re.escape(word)).encode())


def host_needle(pattern: str) -> Needle:
    """A URL to a host matching ``pattern`` spells its fixed part: ``*.x.com`` -> ``x.com``."""
    fixed = pattern[2:] if pattern.startswith("*.") else pattern
    return _needle(fixed, "{w}")


# A URL our resolver can read starts with a scheme in a string of the same file.
URL_NEEDLE = Needle(b"://", rb"(?i)(?:https?|wss?)://")
# urllib3 pools take a bare host: HTTPConnectionPool("api.example.com").
POOL_NEEDLE = Needle(b"ConnectionPool", rb"\bHTTPS?ConnectionPool\b|\bconnection_from_url\b")
# A secret-looking variable name, spelled out in a string.
SECRET_NEEDLE = Needle(
    b"", rb"(?i)['\"][A-Za-z0-9_]*(?:API_?KEY|APIKEY|TOKEN|SECRET|SECRET_KEY|ACCESS_KEY|PRIVATE_KEY|AUTH_KEY)['\"]"
)
