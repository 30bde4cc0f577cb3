"""Prefilter needles shared by the rules: where a module, an API or a host can show up."""

from __future__ import annotations

import re

from lint_canon.config import Canon
from lint_canon.rules.base import Needle
from lint_canon.vendors import http_call_names


def module_needles(qualname: str) -> tuple[Needle, ...]:
    """A file that refers to ``qualname`` imports its root and names its last part."""
    parts = [part.encode() for part in qualname.split(".")]
    needles = [Needle(parts[0], kind="import")]
    if len(parts) > 1:
        needles.append(Needle(parts[-1], kind="name", heads=tuple(parts[:-1])))
    return tuple(needles)


def guard_needles(canon: Canon) -> set[tuple[Needle, ...]]:
    """A file with a guard decorator imports it."""
    return {module_needles(decorator) for decorator in canon.guard_decorators}


def http_needles(library: str) -> tuple[Needle, Needle]:
    """An HTTP call through ``library`` imports it and spells the name of the function or client
    method it calls (``get``, ``urlopen``, ...)."""
    words = sorted(http_call_names(library))
    alternatives = b"|".join(re.escape(w).encode() for w in words)
    call = Needle(words[0].encode() if len(words) == 1 else b"", rb"\b(?:" + alternatives + rb")\b")
    return module_needles(library)[0], call


def _needle(word: str, context: str) -> Needle:
    return Needle(word.encode(), context.format(w=re.escape(word)).encode())


def host_needle(pattern: str) -> Needle:
    """A URL to a host matching ``pattern`` spells its fixed part: ``*.x.com`` -> ``x.com``."""
    fixed = pattern[2:] if pattern.startswith("*.") else pattern
    return _needle(fixed, "{w}")


# A URL our resolver can read is spelled in the file, at least from "://" on (the scheme may
# come from a constant: SCHEME + "://api.example.com").
URL_NEEDLE = Needle(b"://", rb"://")
# urllib3 pools take a bare host: HTTPConnectionPool("api.example.com").
POOL_NEEDLE = Needle(b"ConnectionPool", rb"\bHTTPS?ConnectionPool\b|\bconnection_from_url\b")
# A secret-looking variable name: the string that ends it ends with the suffix (also when the
# name is put together: f"{PREFIX}_TOKEN", PREFIX + "_TOKEN").
SECRET_NEEDLE = Needle(b"", rb"(?i)(?:API_?KEY|APIKEY|TOKEN|SECRET|ACCESS_KEY|PRIVATE_KEY|AUTH_KEY)['\"]")
