"""A privilege the database refused, said in one line with the grant that would allow it.

PostgreSQL reports a missing privilege as SQLSTATE 42501 ("permission denied for table x",
"must be owner of table x"); it does not say which privilege on a table was wanted, so the
grant names the object and what the commands need of it (the README lists each role's grants).
"""

from __future__ import annotations

import re
from typing import Any

_DENIED = re.compile(r"^permission denied for (\w+(?: \w+)?) (.+)$")
_OWNER = re.compile(r"^must be owner of (\w+(?: \w+)?) (.+)$")

# What to grant on an object of each kind PostgreSQL names.
_GRANTS = {
    "schema": "GRANT USAGE ON SCHEMA {name} TO {user} (and CREATE, for apply and govern)",
    "table": "GRANT SELECT, INSERT, UPDATE, DELETE (what the command needs) ON TABLE {name} TO {user}",
    "relation": "GRANT SELECT, INSERT, UPDATE, DELETE (what the command needs) ON TABLE {name} TO {user}",
    "view": "GRANT SELECT ON {name} TO {user}",
    "materialized view": "GRANT SELECT ON {name} TO {user}",
    "sequence": "GRANT USAGE ON SEQUENCE {name} TO {user}",
    "function": "GRANT EXECUTE ON FUNCTION {name} TO {user}",
    "procedure": "GRANT EXECUTE ON PROCEDURE {name} TO {user}",
    "database": "GRANT CONNECT, CREATE ON DATABASE {name} TO {user}",
    "type": "GRANT USAGE ON TYPE {name} TO {user}",
}


def is_privilege_error(exc: BaseException) -> bool:
    return getattr(exc, "sqlstate", None) == "42501"


def explained(exc: BaseException, conn: Any, primary: str) -> str:
    """``primary``, or for a missing privilege the line naming the grant (to the session's user)."""
    if not is_privilege_error(exc):
        return primary
    try:
        user = conn.info.user
    except Exception:  # a connection already gone
        user = None
    return missing_grant(exc, user)


def missing_grant(exc: BaseException, user: str | None = None) -> str:
    """One line: what was refused and the grant (or ownership) that allows it."""
    diag: Any = getattr(exc, "diag", None)
    primary = ((diag.message_primary if diag is not None else None) or str(exc)).splitlines()[0].strip()
    who = _identifier(user) if user else "the command's database user"
    denied = _DENIED.match(primary)
    if denied and denied[1] in _GRANTS:
        grant = _GRANTS[denied[1]].format(name=denied[2], user=who)
        return f"{primary}: the database user lacks a grant; the owner can give it with {grant}"
    owner = _OWNER.match(primary)
    if owner:
        return f"{primary}: run the command as the owner of {owner[2]} (or a member of its owning role)"
    return f"{primary}: the database user lacks a privilege this command needs (SQLSTATE 42501)"


def login_user(url: str | None) -> str | None:
    """The user libpq logs in as for ``url`` (its user, else PGUSER, else the system user)."""
    import getpass
    import os

    from psycopg.conninfo import conninfo_to_dict

    try:
        named = conninfo_to_dict(url).get("user") if url else None
    except Exception:  # a URL libpq cannot read was refused before any query ran
        return None
    try:
        return str(named or os.environ.get("PGUSER") or getpass.getuser())
    except (KeyError, OSError):  # no name for this uid (a container)
        return None


def _identifier(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'
