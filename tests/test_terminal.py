"""The progress line and the closing summary (frontends/terminal.py), in process: what a person
at a terminal sees written to stderr, without a pty, a slow run or a sleep. The one run of the
real CLI on a pty is tests/test_cli_comforts.py::test_progress_line_on_a_terminal_for_a_slow_run."""

from __future__ import annotations

import errno
import io
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from lint_canon.frontends.terminal import Progress, ProgressReader, summary_line
from lint_canon.output.findings import Finding

CLEAR = "\r\x1b[K"
WAIT = 10  # seconds: only ever reached when the progress thread never writes (a failure)


class Stderr(io.StringIO):
    """A terminal's stderr: what was written, write by write (``wait_for`` the progress thread
    to have written so many); ``on_write`` runs at each write, on the progress thread, after
    the text was made and before it is taken."""

    def __init__(self, fail: BaseException | None = None, on_write: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.writes: list[str] = []
        self.fail = fail
        self.on_write = on_write
        self._wrote = threading.Condition()

    def write(self, text: str) -> int:
        if self.on_write is not None:
            self.on_write(len(self.writes))
        with self._wrote:
            self.writes.append(text)
            self._wrote.notify_all()
        if self.fail is not None:
            raise self.fail
        return super().write(text)

    def wait_for(self, count: int) -> None:
        with self._wrote:
            assert self._wrote.wait_for(lambda: len(self.writes) >= count, WAIT), self.writes


class Clock:
    """A monotonic clock that reads ``times`` in turn, then the last of them for ever."""

    def __init__(self, *times: float) -> None:
        self.times = list(times or [100.0])

    def __call__(self) -> float:
        return self.times.pop(0) if len(self.times) > 1 else self.times[0]


@pytest.fixture
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProgressReader:
    """A ProgressReader that has read two files the progress line counts (a module, read twice
    under two spellings, and a requirements file) and one it does not (the canon)."""
    for name, text in {"app.py": "import os\n", "requirements.txt": "requests\n", "canon.yaml": "version: 1\n"}.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    reader = ProgressReader()
    assert reader.read_bytes(tmp_path / "app.py") == b"import os\n"
    reader.stat("app.py")  # the same file, as the CLI names it from its folder
    reader.read_bytes(str(tmp_path / "requirements.txt"))
    reader.read_bytes(tmp_path / "canon.yaml")
    return reader


def line(files: str, seconds: int) -> str:
    return f"{CLEAR}lint-canon: checking… {files} read, {seconds} s"


def test_progress_line_then_cleared(reads):
    stderr = Stderr()
    # Started at 100.0; the line is made at 101.9: whole seconds.
    with Progress(reads, stderr, after=0, tick=60, clock=Clock(100.0, 101.9)) as progress:
        stderr.wait_for(1)
    assert stderr.getvalue() == line("2 files", 1) + CLEAR
    assert progress.shown


def test_progress_line_is_rewritten_as_the_run_goes_on(reads, tmp_path):
    (tmp_path / "more.py").write_text("x = 1\n")
    clock = Clock()

    def run_goes_on(index: int) -> None:  # while the first line is written
        if index == 0:
            reads.read_bytes(tmp_path / "more.py")
            clock.times = [103.0]

    stderr = Stderr(on_write=run_goes_on)
    with Progress(reads, stderr, after=0, tick=0.001, clock=clock):
        stderr.wait_for(2)
    first, *rewritten, last = stderr.writes
    assert first == line("2 files", 0)
    assert rewritten and set(rewritten) == {line("3 files", 3)}
    assert last == CLEAR


def test_one_file_is_one_file(tmp_path):
    (tmp_path / "big.py").write_text("import os\n")
    reads = ProgressReader()
    reads.read_bytes(tmp_path / "big.py")
    stderr = Stderr()
    with Progress(reads, stderr, after=0, tick=60, clock=Clock()):
        stderr.wait_for(1)
    assert stderr.getvalue() == line("1 file", 0) + CLEAR


def test_a_run_shorter_than_the_delay_writes_nothing(reads):
    stderr = Stderr()
    with Progress(reads, stderr) as progress:  # the CLI's delay (PROGRESS_AFTER, one second)
        pass
    with Progress(reads, stderr, after=60) as longer:
        pass
    assert (stderr.getvalue(), progress.shown, longer.shown) == ("", False, False)


def test_the_line_is_cleared_when_the_run_fails(reads):
    stderr = Stderr()
    with pytest.raises(RuntimeError, match="crashed"), Progress(reads, stderr, after=0, tick=60, clock=Clock()):
        stderr.wait_for(1)
        raise RuntimeError("crashed")
    assert stderr.getvalue() == line("2 files", 0) + CLEAR  # the traceback starts on a clean line


@pytest.mark.parametrize("gone", ["EIO", "closed"])
def test_a_terminal_that_went_away_does_not_stop_the_run(reads, gone):
    stderr = Stderr(fail=OSError(errno.EIO, "Input/output error") if gone == "EIO" else None)
    if gone == "closed":
        stderr.close()  # its writes raise ValueError
    with Progress(reads, stderr, after=0, tick=60, clock=Clock()):
        stderr.wait_for(1)
        result = "the run's findings"
    assert result == "the run's findings"
    assert stderr.writes == [line("2 files", 0), CLEAR]  # both tried, neither raised


def finding(path: str, line: int) -> Finding:
    return Finding(path, line, 8, line, 16, "CANON101", "'clearbit' is banned")


@pytest.mark.parametrize(
    ("findings", "hidden", "expected"),
    [
        ([], None, "All clean"),
        ([], 0, "All clean"),
        ([], 2, "All clean; 2 hidden by the baseline"),
        ([finding("a.py", 1)], None, "Found 1 finding in 1 file"),
        (
            [finding("a.py", 1), finding("a.py", 2), finding("b.py", 1)],
            1,
            "Found 3 findings in 2 files; 1 hidden by the baseline",
        ),
        (
            [finding(f"m{i % 1500}.py", i) for i in range(1, 1235)],
            12345,
            "Found 1,234 findings in 1,234 files; 12,345 hidden by the baseline",
        ),
    ],
)
def test_summary_line(findings, hidden, expected):
    assert summary_line(findings, hidden) == expected
