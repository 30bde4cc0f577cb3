"""Prefilter needles shared by the rules: where a module, an API, a URL or a secret's name can
show up. Each is derived from the table the rule itself reads (the HTTP call names from
``vendor_tables``, the secret suffixes from CANON203), so that a needle cannot drift from its rule."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lint_canon.analysis.vendor_tables import (
    BARE_HOST_CLIENTS,
    HTTP_LIBRARIES,
    default_host_covered,
    http_call_names,
    http_qualnames,
)
from lint_canon.rules.base import Needle
from lint_canon_guard.config import Canon


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
    # From inside the library's own package (relative imports only), a call is one of these.
    names = tuple(sorted(name.encode() for name in http_qualnames() if name.split(".", 1)[0] == library))
    return Needle(library.encode(), kind="import", heads=names), call


# A URL our resolver can read has its "://" in the file: spelled whole, or (when the URL is put
# together from pieces: "https:" + "//x", f"https:{SLASHES}x", escapes) a ":" that ends a
# piece or is followed by "/", or a ":" written as an escape. The scheme, the host and the rest
# may come from anywhere (constants, f-strings, other case), so they are not needles.
_URL = (
    rb"://|:['\"{/\\]"
    rb"|(?-i:\\(?:x3[aA]|0?72|u003[aA]|U0000003[aA]))|(?-i:\\N)\{COLON\}"
)
# A urllib3 pool takes a bare host: HTTPConnectionPool("api.example.com") (the resolver makes
# its URL, so no "://" need be spelled).
_POOL = rb"|".join(rb"\b" + re.escape(name.rsplit(".", 1)[1]).encode() + rb"\b" for name in BARE_HOST_CLIENTS)
# What an HTTP call needs besides its library and call name: a URL, or a pool's bare host.
TARGET_NEEDLE = Needle(b"", rb"(?i)" + _URL + rb"|(?-i:" + _POOL + rb")")


def http_groups() -> set[tuple[Needle, ...]]:
    """The groups of a file that may send an HTTP request to a host known from the source: an
    HTTP library, the name of a call that sends, and a URL or a pool's host."""
    return {(*http_needles(library), TARGET_NEEDLE) for library in HTTP_LIBRARIES}


def host_needle(pattern: str) -> Needle:
    """What a request to a host matching ``pattern`` spells. Not the host: it may be put
    together from constants and f-strings (f"https://{REGION}.hunter.io"), written in any case
    or with escapes, and the resolver still reads it; so the needle is the shape of the request
    (a URL, or a pool's bare host), as for every HTTP call."""
    return TARGET_NEEDLE


def _suffixes_regex(words: Iterable[str]) -> bytes:
    """A regex for every non-empty ending of every word (``TOKEN``: N, EN, KEN, OKEN, TOKEN),
    nested so that it never tries one ending after another."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in reversed(word):
            node = node.setdefault(char, {})

    def before(node: dict[str, Any]) -> bytes:  # what may come before a node's ending
        if not node:
            return b""
        return rb"(?:%b)?" % endings(node)

    def endings(node: dict[str, Any]) -> bytes:
        return b"|".join(before(child) + re.escape(char).encode() for char, child in sorted(node.items()))

    return rb"(?:%b)" % endings(trie)


def _lookbehinds(contexts: Iterable[bytes]) -> bytes:
    return rb"(?:" + b"|".join(rb"(?<=" + context + rb")" for context in contexts) + rb")"


# An escape that writes a letter or "_" (what a secret's suffix is made of).
_LETTER_ESCAPE = rb"\\(?:x[4-7][0-9a-fA-F]|1[0-7][0-7]|u00[4-7][0-9a-fA-F]|U000000[4-7][0-9a-fA-F]|N\{[^}\r\n]*\})"


def secret_needles(suffixes: Iterable[str]) -> tuple[Needle, Needle]:
    """A secret-looking variable name ends with one of ``suffixes`` (any case): two needles,
    either of which a file that reads one holds.

    The first starts at a quote (fast: most of a file is never tried). Either the string that
    ends the name ends with the whole suffix; or the name is put together and its last piece is
    an ending of the suffix: after ``}`` in an f-string (``f"{PREFIX}_TOKEN"``,
    ``f"ACME_TO{X}KEN"``), on the line after a continuation inside the string, or in a string
    of its own (``"ACME_TO" + "KEN"``, ``"ACME_TOK" "EN"``, ``SUFFIX = "KEN"``,
    ``f"ACME_{'TOKEN'}"``, ``with "KEN" as SUFFIX``) that follows ``+``, ``=``, ``{``,
    another string, a line end or a run of blanks. The second: the end of the name is written
    with escapes (``"ACME_TOKE\\x4e"``)."""
    suffixes = sorted(set(suffixes), key=lambda s: (-len(s), s))
    parts = sorted({s[i:] for s in suffixes for i in range(1, len(s))}, key=lambda s: (-len(s), s))
    ending = _suffixes_regex(suffixes)
    last = re.escape("".join(sorted({s[-1] for s in suffixes}))).encode()
    closing = [re.escape(s).encode() + rb"." for s in suffixes]
    closing += [rb"[}\r\n]" + re.escape(p).encode() + rb"." for p in parts]
    alone = [rb"['\"]" + re.escape(p).encode() + rb"." for p in parts]
    # What may come before a string of its own that ends a name (then an optional prefix).
    anchors = [rb"[^=!<>]=", rb"[+{'\"]"]
    before = [a + c for a in anchors for c in (rb"", rb"[\s(\\]", rb"[\s(\\]{2}")] + [rb"\s\s", rb"[\r\n]"]
    before = [b + p + rb"." for b in before for p in (rb"", rb"[rRuUfF]", rb"[rRuUfF]{2}")]
    quoted = rb"(?i)['\"](?:%b|%b|%b)" % (  # just past a quote (each lookbehind ends with "." for it):
        rb"(?<=[%b].)%b" % (last, _lookbehinds(closing)),  # the closing quote of the name
        rb"(?=['\"]{0,2}\s+as\b)%b" % _lookbehinds(alone),  # with "KEN" as SUFFIX
        rb"(?=['\"]{0,2}%b['\"])%b" % (ending, _lookbehinds(before)),  # the opening quote of the last piece
    )
    escaped = _LETTER_ESCAPE + rb"(?:[A-Za-z_]|" + _LETTER_ESCAPE + rb")*['\"]"
    return Needle(b"", quoted), Needle(b"", escaped)


def default_host_needles(canon: Canon, patterns: Iterable[str]) -> set[tuple[Needle, ...]]:
    """A file calling an SDK whose default host (its model's) matches one of ``patterns``
    imports that SDK: the request goes there though no host is spelled (vendors.py judges it
    by that host)."""
    from lint_canon.sdks.model import models_for

    wanted = tuple(patterns)
    if not wanted:
        return set()
    return {
        module_needles(root.split(".", 1)[0])
        for root, hosts in models_for(canon).default_hosts().items()
        if any(default_host_covered(host, pattern) for host in hosts for pattern in wanted)
    }


def stub_needles() -> set[tuple[Needle, ...]]:
    """A file typed with an SDK's type stubs imports one of their modules (``mypy_boto3_s3``)."""
    from lint_canon.sdks.model import stub_prefixes

    return {(Needle(prefix.encode(), kind="prefix"),) for prefix in stub_prefixes()}
