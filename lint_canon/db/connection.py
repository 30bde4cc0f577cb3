"""Where the database is, and a connection to it with our session settings.

The URL comes from --database-url, else DATABASE_URL; with neither, the project's embedded
PostgreSQL (.lint_canon/pgdata, see server.py), except under CI=true, where a missing URL is an
error unless --embedded is given. Passwords never appear in a message: the URL is named by
``lint_canon_guard.urls.describe`` (rebuilt from libpq's reading without the password, or
described when it does not read back unambiguously), and libpq's and the server's messages pass
through ``without_secret``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from lint_canon_guard.errors import DatabaseError
from lint_canon_guard.urls import UNREADABLE_URL, describe, mask, parse_target, without_secret

__all__ = [
    "UNREADABLE_URL",
    "DatabaseError",
    "Target",
    "connect",
    "describe",
    "mask",
    "parse_target",
    "resolve_target",
    "without_secret",
]

APPLICATION_NAME = "lint-canon"


@dataclass(frozen=True)
class Target:
    """The database to work on, and how messages name it."""

    url: str
    shown: str


def resolve_target(database_url: str | None, embedded: bool) -> Target | None:
    """The database of a ``lint-canon sql`` command; None for the project's embedded server."""
    origin, url = ("--database-url", database_url) if database_url else ("DATABASE_URL", os.environ.get("DATABASE_URL"))
    if url and not embedded:
        # Read first: what libpq cannot read, or reads as a host or port that cannot be one (a
        # piece of the password), is refused unquoted before anything connects or looks it up.
        return Target(url, describe(url, origin))
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
        raise DatabaseError(f"cannot connect to {target.shown}: {without_secret(first, target.url)}") from None
    try:
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (lock_timeout,))
        conn.execute("SELECT set_config('statement_timeout', %s, false)", (statement_timeout,))
    except psycopg.Error as exc:
        conn.close()
        message = without_secret(str(exc.diag.message_primary or exc), target.url)
        raise DatabaseError(f"bad timeout setting: {message}") from None
    return conn
