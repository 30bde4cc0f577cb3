"""Path globs of the canon (``exclude``, ``allow_in``): ``*`` within a segment, ``**`` across."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip()
    # A leading "./" or "/" anchors the pattern at the canon's folder (as in .gitignore):
    # "./gen/**" is gen/ there, never src/gen/; only those characters go ("./.cache" keeps its dot).
    anchored = pattern.startswith(("./", "/"))
    while pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.lstrip("/")
    anchored = anchored or "/" in pattern.rstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out).rstrip("/")
    # A pattern without a slash matches a name at any depth, as in .gitignore; a folder
    # pattern also matches everything below it.
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{body}(?:/.*)?$")


def match_path(relpath: str, patterns: tuple[str, ...]) -> bool:
    """True when the POSIX path ``relpath`` (relative to the canon's folder) matches a pattern."""
    return any(_compile(p).match(relpath) for p in patterns)
