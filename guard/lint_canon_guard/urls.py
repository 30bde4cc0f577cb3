"""Database URLs as messages show them, password-free by construction.

A URL is read with libpq's own parser (the one that decides where a connection goes), then
rebuilt from the parts libpq read, without the password, and compared with the text as written
minus its password: only when the two agree exactly (and the rebuilt URL reads back to the same
parts) is it shown. Anything else is described, never quoted, not even in part: libpq splits
``postgresql://bob:P@ss:w0rd@host/app`` at the first @, so a piece of the password would become
the host or the port. A host or port that cannot be one refuses the URL before any connection
(no DNS query for a password fragment). Messages from libpq and the server lose the password,
its encoded and decoded forms and each of its pieces; for a URL that does not read back, every
part libpq read too. Shared by the guard's PostgreSQL sink and lint-canon's ``sql`` commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote, unquote

from lint_canon_guard.errors import DatabaseError

_ADVICE = "percent-encode @ : / ? # % and spaces in the password"


def _named(origin: str | None) -> str:
    return f"the database URL of {origin}" if origin else "the database URL given"


def unreadable_message(origin: str | None = None) -> str:
    """Why a URL libpq cannot parse is not shown; ``origin`` names where it came from
    (``--database-url``, ``DATABASE_URL``)."""
    return (
        f"{_named(origin)} cannot be parsed, so it is not shown (it may hold a password); check its "
        f"quoting, and percent-encode @ : / ? # % and spaces in the user or password"
    )


def _unusable_message(origin: str | None, part: str) -> str:
    return (
        f"{_named(origin)} cannot be parsed, so it is not shown (it may hold a password): libpq reads "
        f"a {part} in it that cannot be one; check its user, host and port, and {_ADVICE}"
    )


def unshown(origin: str | None = None) -> str:
    """How messages name a URL libpq reads but that does not read back unambiguously."""
    return f"{_named(origin)} (not shown: it does not read back unambiguously; check its user, host and port, and {_ADVICE})"


UNREADABLE_URL = unreadable_message()


def mask(text: str) -> str:
    """``text`` with the password of any URL or ``password=`` in it replaced by ***: a URL's up to
    its last @ (an unencoded @ may be part of the password), a quoted value up to its closing
    quote (or the end, when there is none)."""
    text = re.sub(r"(://[^\s:/@'\"]*:)[^\s'\"]*@", r"\1***@", text)
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S+)", r"\1***", text, flags=re.IGNORECASE | re.DOTALL)


def parse_target(url: str, origin: str | None = None) -> dict[str, str]:
    """The parts of a URL or key=value conninfo, as libpq reads them; a DatabaseError that does
    not quote the text (it may hold a password) when libpq cannot read it."""
    try:
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        raise DatabaseError("reading a database URL needs psycopg: pip install 'lint-canon-guard[postgres]'") from None
    try:
        parts = conninfo_to_dict(url)
    except Exception:  # psycopg.ProgrammingError with libpq's message, which quotes the text
        raise DatabaseError(unreadable_message(origin)) from None
    return {key: str(value) for key, value in parts.items() if value is not None}


def describe(url: str, origin: str | None = None) -> str:
    """How messages name a database: ``postgresql://user@host:port/dbname`` rebuilt from the
    parts libpq reads (several hosts separated by commas, IPv6 addresses in brackets, socket
    folders in ``?host=``), never its password; when the URL does not read back unambiguously,
    a description of it (see ``unshown``). A DatabaseError, which does not quote it either, when
    libpq cannot read it or reads a host or port that cannot be one."""
    parts = parse_target(url, origin)
    _refuse_unusable(parts, origin)
    if not _reads_back(url, parts):
        return unshown(origin)
    return _shown(parts) or unshown(origin)


def without_secret(message: str, url: str) -> str:
    """A server's or libpq's message with the password of ``url`` (and any other) taken out: as
    given, percent-decoded and encoded, and each of its pieces between special characters (a
    message may quote a part libpq split it into); for a URL that does not read back, every
    part libpq read as well. Pieces shorter than 3 characters go only where quoted."""
    message = mask(message)
    secrets = _secrets(url)
    if secrets is None:
        return "(the message is not shown: it may quote the URL)"
    long: set[str] = set()
    short: set[str] = set()
    for secret in secrets:
        for form in _forms(secret):
            for piece in (form, *_pieces(form)):
                (long if len(piece) >= 3 else short).add(piece)
    for piece in sorted(long, key=len, reverse=True):
        message = re.sub(re.escape(piece), "***", message, flags=re.IGNORECASE)
    for piece in sorted(short - {""}, key=len, reverse=True):
        message = re.sub(rf"(['\"]){re.escape(piece)}\1", r"\1***\1", message)
    return message


# --- reading back -------------------------------------------------------------------------

_URL_PREFIX = re.compile(r"postgres(?:ql)?://")  # libpq's, case and all
# A host name or IPv4 address, an IPv6 address (a zone allowed), a Unix socket folder.
_HOST = re.compile(r"[\w-][\w.-]*|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:%[\w.-]+)?|/[^\s@]*")
# What RFC 3986 allows in a password (userinfo after its first colon) and in a query value
# without ending it: a raw ? # [ ] or space would make a person's reading differ from libpq's.
_USERINFO_TEXT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*")
_QUERY_VALUE_TEXT = re.compile(r"(?:[A-Za-z0-9\-._~!$'()*+,;:@/?]|%[0-9A-Fa-f]{2})*")
_SHOWN_KEYS = ("user", "host", "port", "dbname")


def _split(value: str | None) -> list[str]:
    return value.split(",") if value is not None else []


def _refuse_unusable(parts: Mapping[str, str], origin: str | None) -> None:
    """A host or port libpq read that cannot be one is a piece of something else (a password
    with an unencoded @ or /): refused before any connection or name lookup is tried."""
    for host in _split(parts.get("host")) + _split(parts.get("hostaddr")):
        if host and not _HOST.fullmatch(host):
            raise DatabaseError(_unusable_message(origin, "host"))
    if not all(map(_is_port, _split(parts.get("port")))):
        raise DatabaseError(_unusable_message(origin, "port"))


def _is_port(port: str) -> bool:
    return not port or (port.isascii() and port.isdigit())


def _build(parts: Mapping[str, str], prefix: str, query_keys: Sequence[str], slash: bool) -> str | None:
    """The URL saying ``parts``, each percent-encoded where it must be: ``query_keys`` (in that
    order) in the query, user, password, hosts, ports and dbname in their places; None when a
    URL cannot say them so."""
    rest = dict(parts)
    query = []
    for key in query_keys:
        if key not in rest:
            return None
        query.append(f"{quote(key, safe='')}={quote(rest.pop(key), safe='/:,')}")
    user, password = rest.pop("user", None), rest.pop("password", None)
    hosts, ports = _split(rest.pop("host", None)), _split(rest.pop("port", None))
    dbname = rest.pop("dbname", None)
    if rest or (hosts and ports and len(hosts) != len(ports)) or not all(map(_is_port, ports)):
        return None
    count = max(len(hosts), len(ports))
    hosts, ports = hosts or [""] * count, ports or [""] * count
    authority = ",".join(
        (f"[{quote(host, safe=':')}]" if ":" in host else quote(host, safe="")) + (f":{port}" if port else "")
        for host, port in zip(hosts, ports, strict=True)
    )
    userinfo = quote(user or "", safe="") + (f":{quote(password, safe='')}" if password is not None else "")
    at = "@" if user is not None or password is not None else ""
    path = f"/{quote(dbname, safe='')}" if dbname is not None else ("/" if slash else "")
    return f"{prefix}{userinfo}{at}{authority}{path}" + (f"?{'&'.join(query)}" if query else "")


def _reads_back(url: str, parts: Mapping[str, str]) -> bool:
    """Whether ``url`` is exactly the URL rebuilt from the parts libpq read, but for its password
    (which a person and RFC 3986 read the same way as libpq), and nothing a person could take for
    a conninfo (holding a password) is among the parts shown."""
    if any(("=" in parts.get(key, "") or "://" in parts.get(key, "")) for key in _SHOWN_KEYS):
        return False
    prefix = _URL_PREFIX.match(url)
    if prefix is None:  # key=value: libpq's grammar leaves a person no other reading
        return True
    head, rest = url[: prefix.end()], url[prefix.end() :]
    userinfo = re.match(r"[^@/]*@", rest)  # libpq's: up to the first @ before any /
    after = rest[userinfo.end() :] if userinfo else rest  # hosts, path and query
    written = url
    if userinfo:
        user, colon, password = rest[: userinfo.end() - 1].partition(":")
        if colon and not _USERINFO_TEXT.fullmatch(password):
            return False
        written = f"{head}{user}@{after}"
    base, mark, query = written.partition("?")
    keys: list[str] = []
    kept: list[str] = []
    from_query = False
    for pair in query.split("&") if mark else []:
        key, _, value = pair.partition("=")
        if unquote(key) == "password":
            if not _QUERY_VALUE_TEXT.fullmatch(value):
                return False
            from_query = True
        else:
            keys.append(unquote(key))
            kept.append(pair)
    if len(set(keys)) != len(keys) or "password" in keys:
        return False
    slash = "/" in after.partition("?")[0]
    said = dict(parts)
    if "ssl" in keys and "sslmode" not in keys and said.get("sslmode") == "require":
        del said["sslmode"]  # libpq's one alias: ?ssl=true reads as sslmode=require
        said["ssl"] = "true"
    shown = {key: value for key, value in said.items() if key != "password"}
    if _build(shown, head, keys, slash) != base + (f"?{'&'.join(kept)}" if kept else ""):
        return False
    # ... and the URL so rebuilt, password included, is read by libpq as the original was.
    again = _build(said, head, [*keys, "password"] if from_query else keys, slash)
    return again is not None and _parse(again) == dict(parts)


def _parse(url: str) -> dict[str, str] | None:
    try:
        return parse_target(url)
    except DatabaseError:
        return None


def _shown(parts: Mapping[str, str]) -> str | None:
    """``postgresql://user@hosts/dbname`` of ``parts``, when it reads back to the same."""
    shown = {key: parts[key] for key in _SHOWN_KEYS if key in parts}
    if "host" not in shown and "hostaddr" in parts:
        shown["host"] = parts["hostaddr"]
    shown.setdefault("dbname", "")
    hosts, ports = _split(shown.get("host")), _split(shown.get("port"))
    if any(host.startswith("/") for host in hosts):  # a Unix socket folder: libpq's URL form
        query = ["host", "port"] if ports else ["host"]
    else:
        query = ["port"] if hosts and ports and len(hosts) != len(ports) else []
    url = _build(shown, "postgresql://", query, slash=True)
    if url is None or _parse(url) != {key: value for key, value in shown.items() if value or key != "dbname"}:
        return None
    return url


# --- what a message must not hold ---------------------------------------------------------


def _secrets(url: str) -> set[str] | None:
    """The password of ``url`` as libpq reads it and as written; when the URL does not read back,
    also what a person may have meant by it (up to the last @) and every part libpq read. None
    when libpq cannot read it at all."""
    parts = _parse(url)
    if parts is None:
        return None
    secrets = {parts.get("password", ""), parts.get("sslpassword", "")}
    clear = _reads_back(url, parts)
    prefix = _URL_PREFIX.match(url)
    if prefix:
        rest = url[prefix.end() :]
        userinfo = re.match(r"[^@/]*@", rest)
        if userinfo:
            secrets.add(rest[: userinfo.end() - 1].partition(":")[2])
        for pair in re.split(r"[?&]", rest):
            key, _, value = pair.partition("=")
            if unquote(key).lower().endswith("password"):
                secrets.add(value)
        if not clear:
            secrets.add(rest.rpartition("@")[0].partition(":")[2])
    if not clear:
        secrets.update(parts.values())
    return secrets - {""}


def _forms(secret: str) -> Iterable[str]:
    return {secret, unquote(secret), quote(secret, safe=""), quote(secret)}


def _pieces(form: str) -> list[str]:
    """``form`` split at its special characters and percent escapes (libpq splits at them)."""
    return [piece for piece in re.split(r"%[0-9A-Fa-f]{2}|[\W_]+", form) if piece]
