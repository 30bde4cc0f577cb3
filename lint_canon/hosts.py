"""Host patterns of the canon: ``api.example.com`` exactly, ``*.example.com`` the domain and
every subdomain of it, never a look-alike such as ``evilexample.com``."""

from __future__ import annotations


def host_matches(host: str, pattern: str) -> bool:
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        base = pattern[2:]
        return host == base or host.endswith("." + base)
    return host == pattern
