"""``--fix`` writes a file atomically or not at all: faults injected into the write (a full disk
through a file-size limit, a kill in the write window, a read-only file, a file changed
underfoot, links) leave the old file byte for byte and say why in a note."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env
from tests.test_fix_safety import CANON, fix

# a docstring that makes the file larger than anything else the run writes
SOURCE = (
    '"""Enrichment.\n\n' + "Padding of the module's documentation.\n" * 200 + '"""\n\n'
    "import requests\n\n\n"
    "def verify(email):\n"
    '    return requests.get("https://api.hunter.io/v2/email-verifier", params={"email": email})\n'
)
FIXED_LINE = '@enforce_tool_canon("TOOL-1", "HUB-A", InteractionType.ENRICH)\n'


def fix_in_a_process(root: Path, prelude: str = "", limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """``lint-canon check --fix`` in a child process, after ``prelude`` (the fault to inject),
    under a file-size limit of ``limit`` bytes when given."""

    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    code = f"{prelude}\nfrom lint_canon.frontends.cli import main\nraise SystemExit(main(['check', '--no-cache', '--fix']))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=cli_env(),
        capture_output=True,
        text=True,
        preexec_fn=limited,
        check=False,
        timeout=120,
    )


def others(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name not in ("app.py", "canon.yaml"))


def test_a_fix_keeps_the_mode_and_leaves_nothing_beside_the_file(project, capsys):
    root = project({"app.py": SOURCE}, canon=CANON)
    (root / "app.py").chmod(0o640)
    code, err = fix(capsys)
    assert (code, err) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    assert FIXED_LINE in (root / "app.py").read_text()
    assert stat.S_IMODE((root / "app.py").stat().st_mode) == 0o640
    assert others(root) == []


def test_a_full_disk_leaves_the_file_whole(project):
    root = project({"app.py": SOURCE}, canon=CANON)
    size = (root / "app.py").stat().st_size
    result = fix_in_a_process(root, limit=size + 16)  # the fixed file is about 100 bytes longer
    assert "app.py: not fixed: cannot write it: File too large" in result.stderr
    assert result.returncode == 1  # the finding remains
    assert (root / "app.py").read_text() == SOURCE
    assert others(root) == []  # the part written is removed


def test_a_kill_in_the_write_window_leaves_the_file_whole(project, capsys):
    root = project({"app.py": SOURCE}, canon=CANON)
    # killed once the new bytes are written, before they replace the file
    prelude = "import os, signal\nos.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)"
    result = fix_in_a_process(root, prelude)
    assert result.returncode == -signal.SIGKILL
    assert (root / "app.py").read_text() == SOURCE
    # what the killed run left is hidden and not Python: no run reads it, and a new fix works
    (left,) = others(root)
    assert left.startswith(".app.py.") and left.endswith(".lint-canon-fix")
    assert fix(capsys) == (0, "lint-canon: fixed 1 finding in 1 file\n")
    assert FIXED_LINE in (root / "app.py").read_text()


def test_a_read_only_file_is_not_fixed(project, capsys):
    root = project({"app.py": SOURCE}, canon=CANON)
    (root / "app.py").chmod(0o444)
    code, err = fix(capsys)
    assert err == (
        "lint-canon: app.py: not fixed: it is read-only; make it writable to fix it\n"
        "lint-canon: fixed 0 findings in 0 files\n"
    )
    assert code == 1
    assert (root / "app.py").read_text() == SOURCE
    assert stat.S_IMODE((root / "app.py").stat().st_mode) == 0o444


def test_a_file_changed_underfoot_is_not_replaced(project, capsys, monkeypatch):
    root = project({"app.py": SOURCE}, canon=CANON)
    synced = os.fsync

    def edited_meanwhile(fd: int) -> None:
        # someone saves the file between the check and the rename
        with open(root / "app.py", "a") as editor:
            editor.write("# saved meanwhile\n")
        synced(fd)

    monkeypatch.setattr(os, "fsync", edited_meanwhile)
    code, err = fix(capsys)
    assert err == (
        "lint-canon: app.py: not fixed: it changed on disk while it was being fixed; check it again\n"
        "lint-canon: fixed 0 findings in 0 files\n"
    )
    assert (root / "app.py").read_text() == SOURCE + "# saved meanwhile\n"
    assert others(root) == []


def test_links_are_not_written_through(project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "real.py"
    outside.write_text(SOURCE)
    root = project({}, canon=CANON)
    (root / "app.py").symlink_to(outside)
    (root / "twin.py").write_text(SOURCE)
    os.link(root / "twin.py", outside.parent / "twin_elsewhere.py")
    code, err = fix(capsys)
    assert err == (
        "lint-canon: app.py: not fixed: it is a symbolic link (its target may lie outside the folder "
        "checked); fix the file it points to\n"
        "lint-canon: twin.py: not fixed: it has 2 hard links, which a rewrite would part; fix it by hand\n"
        "lint-canon: fixed 0 findings in 0 files\n"
    )
    assert code == 1
    assert outside.read_text() == SOURCE
    assert (root / "app.py").is_symlink()
    assert (root / "twin.py").read_text() == SOURCE
