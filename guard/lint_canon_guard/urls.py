"""Database URLs as messages show them: parsed first, and rebuilt without the password; what
libpq cannot read is described, never quoted (it may hold a password). Shared by the guard's
PostgreSQL sink and lint-canon's ``sql`` commands."""

from __future__ import annotations

import re

from lint_canon_guard.errors import DatabaseError


def mask(text: str) -> str:
    """``text`` with the password of any URL or ``password=`` in it replaced by ***."""
    text = re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", text, flags=re.IGNORECASE)


UNREADABLE_URL = (
    "the database URL given cannot be parsed, so it is not shown (it may hold a password); check "
    "its quoting, and percent-encode special characters (@ : / % space) in the user or password"
)


# A host name, an IPv4 or IPv6 address, or a Unix socket folder.
_HOST = re.compile(r"^(?:[A-Za-z0-9._-]+|\[?[0-9A-Fa-f:.]+\]?|/[^\s@%]*)$")


def parse_target(url: str) -> dict[str, str]:
    """The parts of a URL or key=value conninfo, as libpq reads them; a DatabaseError that does
    not quote the text (it may hold a password) when libpq cannot read it."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:  # psycopg.ProgrammingError with libpq's message, which quotes the text
        raise DatabaseError(UNREADABLE_URL) from None
    return {key: str(value) for key, value in parts.items() if value is not None}


def describe(url: str) -> str:
    """How a database is shown in messages: rebuilt from its parsed parts, never the text as
    given, and never its password (``postgresql://user@host:port/dbname``; several hosts
    separated by commas, IPv6 addresses in brackets)."""
    parts = parse_target(url)
    hosts = (parts.get("host") or parts.get("hostaddr") or "").split(",")
    if any(not _HOST.match(host) for host in hosts if host):
        # `postgresql://u:p@ss@host/db`: libpq takes "ss@host" for the host, a piece of the password
        raise DatabaseError(UNREADABLE_URL)
    ports = (parts.get("port") or "").split(",")
    shown_hosts = []
    for index, host in enumerate(hosts):
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address
        port = ports[index] if index < len(ports) else (ports[0] if len(ports) == 1 else "")
        shown_hosts.append(f"{host}:{port}" if port else host)
    user = parts.get("user")
    who = f"{user}@" if user else ""
    dbname = parts.get("dbname", "")
    if any(host.startswith("/") for host in hosts):  # a Unix socket folder: libpq's URL form
        return f"postgresql://{who}/{dbname}?host={','.join(shown_hosts)}"
    return f"postgresql://{who}{','.join(shown_hosts)}/{dbname}"


def without_secret(message: str, url: str) -> str:
    """A server's or libpq's message with the password of ``url`` (and any other) taken out: as
    given, percent-decoded and encoded, and each of its words (a message may quote a part)."""
    message = mask(message)
    try:
        secret = parse_target(url).get("password")
    except DatabaseError:
        return "(the message is not shown: it may quote the URL)"
    if secret:
        from urllib.parse import quote

        for form in sorted({secret, quote(secret, safe=""), *secret.split()}, key=len, reverse=True):
            if (form == secret or len(form) >= 3) and form in message:  # a word: not a mere letter
                message = message.replace(form, "***")
    return message
