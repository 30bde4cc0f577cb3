"""Writing a fixed file: atomically, or not at all.

The new bytes go to a temporary file in the same folder (hidden, not ending in ``.py``: no run
reads it), are flushed to the disk, get the old file's mode (and owner, where the process may
set it), and only then is it renamed over the old file. A failure at any point (a full disk, a
file-size limit, a kill) leaves the old file byte for byte; the temporary file is removed
unless the process itself is killed. What is not a plain file of its own is refused before
anything is written: a symbolic link (its target may lie outside the folder checked), a file of
several hard links (a rename would part them), a read-only file, and a file whose bytes on disk
are no longer the ones that were fixed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]

SUFFIX = ".lint-canon-fix"


def write_atomically(path: Path, old: bytes, new: bytes) -> str | None:
    """Replace ``path``, which must still hold ``old``, with ``new``. Returns None when written,
    else why it was not (the file is then as it was)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link (its target may lie outside the folder checked); fix the file it points to"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    if info.st_nlink > 1:
        return f"it has {info.st_nlink} hard links, which a rewrite would part; fix it by hand"
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "it is read-only; make it writable to fix it"
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=SUFFIX, dir=path.parent)
    except OSError as exc:
        return f"cannot write in its folder: {exc.strerror or exc}"
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), stat.S_IMODE(info.st_mode))
            with contextlib.suppress(OSError):  # only a privileged process may give a file away
                if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(out.fileno(), info.st_uid, info.st_gid)
        if path.read_bytes() != old:
            os.unlink(temporary)
            return "it changed on disk while it was being fixed; check it again"
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return f"cannot write it: {exc.strerror or exc}"
    _sync_folder(path.parent)
    return None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform lets a folder be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
