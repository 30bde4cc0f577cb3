"""No secret in any message (issue 14, point 2; issue 24, point 2): a database URL or conninfo
is parsed by libpq and shown rebuilt without its password only when it reads back to the text
as written; anything else is described, never quoted. The hand-written shapes run through the
real `lint-canon sql status` against a port where nothing listens; the generated ones through
what the CLI calls, and a sample of them through the CLI too."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import quote

import pytest

from lint_canon.db.connection import DatabaseError, describe, parse_target, resolve_target, without_secret
from tests.conftest import BIN, cli_env

# Each shape holds the secret "Zq9-hunter2-Wx" (or pieces of it) somewhere a careless message
# would echo it. 127.0.0.1:1 refuses at once; nothing needs a network.
SECRET = "Zq9-hunter2-Wx"
SHAPES = [
    f"postgresql://alice:{SECRET}@127.0.0.1:1/app",
    f"postgres://alice:{SECRET}@127.0.0.1:1/app",
    f"postgresql://alice:{SECRET}@127.0.0.1:1/app?sslmode=disable",
    f"postgresql://alice@127.0.0.1:1/app?password={SECRET}",
    f"postgresql://127.0.0.1:1/app?user=alice&password={SECRET}",
    f"postgresql://alice:{SECRET}@[::1]:1/app",
    f"postgresql://alice:{SECRET}@127.0.0.1:1,127.0.0.2:1/app",
    f"postgresql://alice:{SECRET}@127.0.0.1:1,[::1]:1/app?target_session_attrs=any",
    f"postgresql://alice:{SECRET.replace('-', '%2D')}@127.0.0.1:1/app",  # percent-encoded
    f"postgresql://alice:{SECRET}%40x@127.0.0.1:1/app",  # an encoded @ in it
    f"postgresql://alice:{SECRET}@x@127.0.0.1:1/app",  # an unencoded @
    f"postgresql://alice:{SECRET}%zz@127.0.0.1:1/app",  # a stray %
    f"postgresql://alice:{SECRET} more@127.0.0.1:1/app",  # a space
    f"postgresql://alice:'{SECRET}'@127.0.0.1:1/app",  # quotes
    f'postgresql://alice:"{SECRET}"@127.0.0.1:1/app',
    f"postgresql://alice:{SECRET}@127.0.0.1:notaport/app",  # a bad port
    f"postgresql://alice:{SECRET}@127.0.0.1:1/app?nonsense={SECRET}",  # an unknown parameter
    f"postgresql://alice:{SECRET}@/app?host=/nonexistent/socket",  # a socket folder
    f"postgresql:/alice:{SECRET}@127.0.0.1:1/app",  # one slash
    f"host=127.0.0.1 port=1 dbname=app user=alice password={SECRET}",
    f"host=127.0.0.1 port=1 dbname=app user=alice password='{SECRET}'",
    f"host=127.0.0.1 port=1 dbname=app user=alice password='{SECRET} with spaces'",
    f"host=127.0.0.1 port=1 dbname=app password={SECRET} extra",  # a space without quotes
    f"host=127.0.0.1 port=1 password='{SECRET}",  # an unclosed quote
    f"host=127.0.0.1,127.0.0.2 port=1,1 password={SECRET}",  # several hosts
    f"host=::1 port=1 password={SECRET}",  # IPv6 in a conninfo
    f"hostaddr=127.0.0.1 port=1 password={SECRET}",
    f"host=127.0.0.1 port=1 passfile=/nonexistent password={SECRET} sslmode=bogus",  # a bad value
    f"{SECRET}",  # not a URL at all
    f"postgresql://alice:{SECRET}@127.0.0.1:1/app\nsecond line",  # a newline
]
# Pieces a message might quote: the secret, its words, its parts around the dashes.
PIECES = [SECRET, "hunter2", "Zq9", "Wx@", "%2D", SECRET.replace("-", "%2D")]


@pytest.mark.parametrize("url", SHAPES, ids=range(len(SHAPES)))
def test_a_connection_error_never_shows_the_password(url, tmp_path):
    result = subprocess.run(
        [str(BIN / "lint-canon"), "sql", "status", "--database-url", url],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    for piece in PIECES:
        assert piece not in output, f"{piece!r} in: {output}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lint-canon: "), output
    assert "Traceback" not in output


def test_a_readable_url_is_shown_rebuilt_from_its_parts(tmp_path):
    result = subprocess.run(
        [str(BIN / "lint-canon"), "sql", "status", "--database-url", SHAPES[7]],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr.startswith("lint-canon: cannot connect to postgresql://alice@127.0.0.1:1,[::1]:1/app: ")


# --- Generated shapes (issue 24, point 2) ---------------------------------------------------
# The issue's URL, `postgresql://bob:P@ss:w0rd@host/app`, was shown as `postgresql://bob@ss:
# w0rd@host/app`: libpq splits at the first @, so pieces of the password became the host and the
# port. Below, each special character sits at each place of a password (start, middle, end,
# doubled, and two of them apart, the issue's shape), written raw and percent-encoded (quoted,
# for key=value), in each kind of URL; no piece of the password of 3 characters or more may
# reach what the CLI says.
SPECIALS = "@:/?#% '"
WORD = "Zq9hunter2Wx7"


def _passwords() -> list[str]:
    found = []
    for char in SPECIALS:
        found += [char + WORD, f"Zq9hun{char}ter2Wx7", WORD + char, f"Zq9hun{char}{char}ter2Wx7"]
    found += [f"Zq9{first}hunter2{second}Wx7" for first in SPECIALS for second in SPECIALS]
    return found


PASSWORDS = _passwords()
URL_FRAMES = [
    "postgresql://alice:{pw}@127.0.0.1:1/app",
    "postgres://alice:{pw}@127.0.0.1:1/app?sslmode=disable&connect_timeout=2",
    "postgresql://al%40ice%3A:{pw}@127.0.0.1:1/app",  # a user with special characters, encoded
    "postgresql://al:ice:{pw}@127.0.0.1:1/app",  # ... and raw: libpq's password starts earlier
    "postgresql://al@ice:{pw}@127.0.0.1:1/app",
    "postgresql://alice:{pw}@[::1]:1/app",
    "postgresql://alice:{pw}@127.0.0.1:1,[::1]:1,db.invalid:1/app",
    "postgresql://alice:{pw}@/app?host=/nonexistent/socket",
    "postgresql://alice@127.0.0.1:1/app?password={pw}",
    "postgresql://127.0.0.1:1/app?user=alice&password={pw}&connect_timeout=2",
]
KV_FRAMES = [
    "host=127.0.0.1 port=1 user=alice password={pw}",
    "host=127.0.0.1,::1 port=1,1 dbname=app password={pw} connect_timeout=2",
]


def _kv_quoted(password: str) -> str:
    return "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _generated() -> dict[str, str]:
    """Each generated URL -> the password a person meant by it."""
    shapes = {}
    for password in PASSWORDS:
        for frame in URL_FRAMES:
            for written in (password, quote(password, safe="")):
                shapes[frame.replace("{pw}", written)] = password
        for frame in KV_FRAMES:
            for written in (password, _kv_quoted(password)):
                shapes[frame.replace("{pw}", written)] = password
    return shapes


GENERATED = _generated()


def _pieces(password: str) -> set[str]:
    """The password, encoded, and its pieces between special characters, of 3 characters or more."""
    pieces = {password, quote(password, safe=""), *re.split(f"[{re.escape(SPECIALS)}]+", password)}
    return {piece for piece in pieces if len(piece) >= 3}


def _libpq_says(url: str) -> str:
    """What libpq and psycopg may quote in a message: each part they read ("failed to resolve
    host 'x'", `connection to server at "x", port y`), and the text itself (a parse error)."""
    try:
        parts = parse_target(url)
    except DatabaseError:
        parts = {}
    quoted = ", ".join(f"{key} \"{value}\" '{value}'" for key, value in parts.items())
    return f'connection failed: {quoted}: invalid connection string "{url}"'


def _what_the_cli_says(url: str) -> list[str]:
    said = []
    try:
        said.append(describe(url))
    except DatabaseError as exc:
        said.append(str(exc))
    try:
        target = resolve_target(url, embedded=False)
        assert target is not None
        said.append(target.shown)
    except DatabaseError as exc:
        said.append(str(exc))
    said.append(without_secret(_libpq_says(url), url))
    return said


def test_no_message_holds_a_piece_of_any_generated_password():
    leaks = []
    for url, password in GENERATED.items():
        for line in _what_the_cli_says(url):
            leaks += [f"{url!r}: {piece!r} in {line!r}" for piece in _pieces(password) if piece in line]
    assert not leaks, f"{len(leaks)} leaks, e.g.:\n" + "\n".join(leaks[:20])


def _e2e_sample() -> list[str]:
    """A few of the generated shapes for the real CLI: each special character in the middle of
    the password, raw and encoded, and the issue's shapes in each kind of URL."""
    sample = []
    for char in SPECIALS:
        for written in (f"Zq9hun{char}ter2Wx7", quote(f"Zq9hun{char}ter2Wx7", safe="")):
            sample.append(URL_FRAMES[0].replace("{pw}", written))
    for frame in (*URL_FRAMES, *KV_FRAMES):
        sample += [frame.replace("{pw}", "Zq9@hunter2:Wx7"), frame.replace("{pw}", "Zq9:hunter2@Wx7")]
    sample += [KV_FRAMES[0].replace("{pw}", _kv_quoted("Zq9 hunter2'Wx7"))]
    assert set(sample) <= set(GENERATED)
    return sample


def test_the_cli_never_shows_a_piece_of_a_generated_password(tmp_path):
    leaks = []
    for url in _e2e_sample():
        result = subprocess.run(
            [str(BIN / "lint-canon"), "sql", "status", "--database-url", url],
            cwd=tmp_path,
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = (result.stdout + result.stderr).splitlines()
        assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("lint-canon: "), (url, lines)
        leaks += [f"{url!r}: {p!r} in {lines[0]!r}" for p in _pieces(GENERATED[url]) if p in lines[0]]
    assert not leaks, "\n".join(leaks)


# (verify reads --database-url only: without it, it uses a throwaway server.)
@pytest.mark.parametrize(
    ("command", "given"),
    [
        *[
            pytest.param(command, given, id=f"{command[0]}-{given}")
            for command in (["status"], ["jobs", "daily"], ["apply"])
            for given in ("option", "env")
        ],
        pytest.param(["verify"], "option", id="verify-option"),
    ],
)
def test_the_issue_url_is_described_not_quoted(command, given, tmp_path):
    url = "postgresql://bob:P@ss:w0rd@host/app"  # libpq reads host "ss", port "w0rd@host"
    env = cli_env()
    env["DATABASE_URL"] = url
    option = ["--database-url", url] if given == "option" else []
    result = subprocess.run(
        [str(BIN / "lint-canon"), "sql", *command, *option],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "w0rd" not in output and "ss:" not in output and "@ss" not in output, output
    assert "cannot be parsed, so it is not shown (it may hold a password)" in output
    assert "percent-encode @ : / ? # % and spaces in the password" in output


# A well-formed URL is shown as before, its password taken out; rebuilt from what libpq read, so
# an encoded character stays encoded (a user `admin@server` was shown `admin@server@host`).
READ_BACK = {
    "postgresql://alice:s3cret@127.0.0.1:1/app": "postgresql://alice@127.0.0.1:1/app",
    "postgres://alice:s3cret@db.example.com/app?sslmode=require": "postgresql://alice@db.example.com/app",
    "postgresql://alice:s3%40c%3Ar%2Fet@127.0.0.1:1/app": "postgresql://alice@127.0.0.1:1/app",
    "postgresql://admin%40server:s3cret@127.0.0.1:1/app": "postgresql://admin%40server@127.0.0.1:1/app",
    "postgresql://alice:s3cret@127.0.0.1:1,[::1]:2/app": "postgresql://alice@127.0.0.1:1,[::1]:2/app",
    "postgresql://alice@127.0.0.1:1/app?password=s3cret&ssl=true": "postgresql://alice@127.0.0.1:1/app",
    "postgresql://postgres:@/postgres?host=/tmp/pg": "postgresql://postgres@/postgres?host=/tmp/pg",
    "postgresql://alice@/app?host=/tmp/pg&port=5433": "postgresql://alice@/app?host=/tmp/pg&port=5433",
    "host=127.0.0.1 port=1 dbname=app user=alice password='s3 cret'": "postgresql://alice@127.0.0.1:1/app",
}


def test_a_url_that_reads_back_is_shown_rebuilt_without_its_password():
    shown = {url: describe(url) for url in READ_BACK}
    assert shown == READ_BACK
    for url, rebuilt in READ_BACK.items():  # and libpq reads what is shown as it read the URL
        read = {key: value for key, value in parse_target(url).items() if key in ("user", "host", "port", "dbname")}
        assert parse_target(rebuilt) == read


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice:s3c#ret@127.0.0.1:1/app",  # RFC 3986 ends the authority at #
        "postgresql://alice:s3c?ret@127.0.0.1:1/app",  # ... and at ?
        "postgresql://alice:1/s3cret@127.0.0.1/app",  # libpq: host alice, port 1, dbname "s3cret@..."
        "postgresql://127.0.0.1:1/app?password=s3c#ret",
        "postgresql://alice:s3cret@127.0.0.1:1/app?sslmode=disable&sslmode=require",  # said twice
        "dbname=postgresql://alice:s3cret@127.0.0.1/app",  # a dbname holding a URL
    ],
)
def test_a_url_that_does_not_read_back_is_described(url):
    said = resolve_target(url, embedded=False)
    assert said is not None
    assert said.shown == (
        "the database URL of --database-url (not shown: it does not read back unambiguously; check its "
        "user, host and port, and percent-encode @ : / ? # % and spaces in the password)"
    )
    assert "s3c" not in without_secret(_libpq_says(url), url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bob:P@ss:w0rd@host/app",  # the issue's: port "w0rd@host"
        "postgresql://bob:P@ssw0rd@127.0.0.1/app",  # host "ssw0rd@127.0.0.1": no name lookup of it
        "postgresql://bob:P/ssw0rd@127.0.0.1/app",  # host "bob", port "P"
        "host=127.0.0.1 port=ssw0rd",
    ],
)
def test_a_host_or_port_that_cannot_be_one_is_refused_before_connecting(url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(DatabaseError) as info:
        resolve_target(None, embedded=False)
    assert str(info.value).startswith("the database URL of DATABASE_URL cannot be parsed, so it is not shown")
    assert "w0rd" not in str(info.value)
