"""What ``check`` adds for a person at a terminal: the closing summary and the progress line.

Both go to standard error, and only when it is a terminal (the CLI decides): pipes, files and
CI logs get exactly the report. Imported only by a run that checks, never on the way to a
replay of the run record (which must import nothing but ``runcache``).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from lint_canon.engine.reads import RunReader
from lint_canon.output.findings import Finding

PROGRESS_AFTER = 1.0  # seconds: a run shorter than this shows no progress line
_TICK = 0.2
_CLEAR = "\r\x1b[K"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary_line(findings: list[Finding], hidden: int | None = None) -> str:
    """``Found 3 findings in 2 files; 1 hidden by the baseline`` or ``All clean``; ``hidden``
    is None without a baseline."""
    tail = f"; {hidden:,} hidden by the baseline" if hidden else ""
    if not findings:
        return f"All clean{tail}"
    files = len({f.path for f in findings})
    return f"Found {_plural(len(findings), 'finding')} in {_plural(files, 'file')}{tail}"


class ProgressReader(RunReader):
    """The run's ``RunReader`` (recording for the run cache as ever), counting the Python and
    dependency files the run looks at: what the progress line can tell without the engine's
    help. The parse that follows the reads shows as the elapsed time going on."""

    def __init__(self, record: object = None) -> None:
        super().__init__(record)  # type: ignore[arg-type]
        self.looked_at: set[str] = set()

    def _count(self, path: str) -> None:
        if path.endswith((".py", ".txt", ".toml")):
            self.looked_at.add(os.path.abspath(path))

    def stat(self, path: str) -> os.stat_result:
        self._count(path)
        return super().stat(path)

    def read_bytes(self, path: str | os.PathLike[str], limit: int | None = None) -> bytes:
        self._count(os.fspath(path))
        return super().read_bytes(path) if limit is None else super().read_bytes(path, limit)


class Progress:
    """A single line on ``stream``, rewritten in place while the run goes on, from
    ``PROGRESS_AFTER`` seconds; cleared when the run ends (``with Progress(reads): ...``).
    Rewritten every ``tick`` seconds; the elapsed time it shows is read from ``clock``."""

    def __init__(
        self,
        reads: ProgressReader,
        stream: TextIO | None = None,
        after: float = PROGRESS_AFTER,
        *,
        tick: float = _TICK,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reads = reads
        self.stream = stream or sys.stderr
        self.after = after
        self.tick = tick
        self.clock = clock
        self.shown = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lint-canon-progress", daemon=True)

    def __enter__(self) -> Progress:
        self._start = self.clock()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        if self.shown:
            self._put(_CLEAR)

    def line(self) -> str:
        elapsed = int(self.clock() - self._start)
        return f"lint-canon: checking… {_plural(len(self.reads.looked_at), 'file')} read, {elapsed} s"

    def _put(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # the terminal went away: the run goes on

    def _loop(self) -> None:
        if self._done.wait(self.after):
            return
        while True:
            self.shown = True
            self._put(_CLEAR + self.line())
            if self._done.wait(self.tick):
                return
