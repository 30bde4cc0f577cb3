"""Reading the files a pull request controls: regular files only, never more than a limit.

A FIFO named ``x.py`` blocks a reader forever, ``/dev/zero`` never ends, and a file can be
swapped for either between a check and a read. So a file is opened without blocking, judged by
``fstat`` on the open descriptor (what is read is what was judged), and read up to the limit
plus one byte: never more, whatever the file claims to be.
"""

from __future__ import annotations

import os
import stat as stat_module

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder: nothing lint-canon reads."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"{kind}, not a regular file")
        self.path = path
        self.kind = kind


class FileTooLarge(OSError):
    """The file is larger than the limit (``max_file_size``)."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(f"too large ({size:,} bytes; the limit is {limit:,}: max_file_size in the canon)")
        self.path = path
        self.size = size
        self.limit = limit


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat_module.S_ISFIFO(mode):
        return "a FIFO"
    if stat_module.S_ISCHR(mode):
        return "a character device"
    if stat_module.S_ISBLK(mode):
        return "a block device"
    if stat_module.S_ISSOCK(mode):
        return "a socket"
    if stat_module.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_bytes(path: str | os.PathLike[str], limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``NotRegularFile``,
    ``FileTooLarge`` or another ``OSError`` otherwise."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        found = os.fstat(fd)
        if not stat_module.S_ISREG(found.st_mode):
            raise NotRegularFile(os.fspath(path), kind_of(found.st_mode))
        if found.st_size > limit:
            raise FileTooLarge(os.fspath(path), found.st_size, limit)
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # it grew after fstat
            raise FileTooLarge(os.fspath(path), len(data), limit)
        return data
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], limit: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """A regular UTF-8 text file (BOM allowed) of at most ``limit`` bytes."""
    return read_bytes(path, limit).decode("utf-8-sig")
