"""No secret in any message (issue 14, point 2): a database URL or conninfo is parsed and shown
rebuilt without its password; what libpq cannot read is described, never quoted. Each shape
runs through the real `lint-canon sql status` against a port where nothing listens."""

from __future__ import annotations

import subprocess

import pytest

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
