"""Where the database is, and a connection to it with our session settings.

The URL comes from --database-url, else DATABASE_URL; with neither, the project's embedded
PostgreSQL (.lint_canon/pgdata, see server.py), except under CI=true, where a missing URL is an
error unless --embedded is given. Passwords never appear in a message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from lint_canon.errors import CanonError

APPLICATION_NAME = "lint-canon"


class DatabaseError(CanonError):
    """A database problem a user can fix: unreachable server, missing URL, held lock."""


@dataclass(frozen=True)
class Target:
    """The database to work on, and how messages name it."""

    url: str
    shown: str


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


def resolve_target(database_url: str | None, embedded: bool) -> Target | None:
    """The database of a ``lint-canon sql`` command; None for the project's embedded server."""
    url = database_url or os.environ.get("DATABASE_URL")
    if url and not embedded:
        return Target(url, describe(url))  # parsed first: what libpq cannot read is never quoted
    if not embedded and os.environ.get("CI", "").lower() == "true":
        raise DatabaseError(
            "no database: CI=true and neither --database-url nor DATABASE_URL is set; "
            "pass one, or --embedded to use the embedded server of .lint_canon/"
        )
    return None


def connect(target: Target, lock_timeout: str, statement_timeout: str, purpose: str) -> Any:
    """An autocommit connection with our application name and timeouts; failures are one line."""
    import psycopg

    try:
        conn = psycopg.connect(
            target.url, autocommit=True, application_name=f"{APPLICATION_NAME} {purpose}", connect_timeout=10
        )
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot connect to {target.shown}: {_without_secret(first, target.url)}") from None
    try:
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (lock_timeout,))
        conn.execute("SELECT set_config('statement_timeout', %s, false)", (statement_timeout,))
    except psycopg.Error as exc:
        conn.close()
        raise DatabaseError(f"bad timeout setting: {exc.diag.message_primary or exc}") from None
    return conn


def _without_secret(message: str, url: str) -> str:
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
