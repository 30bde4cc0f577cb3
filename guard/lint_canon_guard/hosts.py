"""Host patterns of the canon: ``api.example.com`` exactly, ``*.example.com`` the domain and
every subdomain of it, never a look-alike such as ``evilexample.com``."""

from __future__ import annotations


def host_matches(host: str, pattern: str) -> bool:
    """Host names are compared as DNS compares them: in any case, with or without the root's
    trailing dot (``API.Hunter.IO.`` is api.hunter.io)."""
    host = host.lower().rstrip(".")
    pattern = pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        base = pattern[2:]
        return host == base or host.endswith("." + base)
    return host == pattern


def hosts_overlap(claim: str, pattern: str) -> bool:
    """Whether a host pattern of a tool (``claim``) reaches any host ``pattern`` matches: a
    claim of ``*.openai.com`` reaches a banned ``api.openai.com``, as ``api.openai.com`` does."""
    claim = claim.lower().rstrip(".")
    if host_matches(claim.removeprefix("*."), pattern):
        return True
    if not claim.startswith("*."):
        return False
    base = claim[2:]
    banned = pattern.lower().rstrip(".").removeprefix("*.")
    return banned == base or banned.endswith("." + base)
