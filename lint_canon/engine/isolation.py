"""Workers where a crash or a hang of the parser cannot take the run down.

libcst's native parser can overflow its stack on legal but deeply nested code (a segmentation
fault kills the process that called it) and is slow on some long chains (``a[0][0]...``
thousands long takes minutes). So every file that has to be parsed is checked in a worker
process: a worker that dies gives its file one finding saying so, a worker that runs past the
time limit is killed with the same result, and a fresh worker takes the next file. Workers run
their tasks on a thread with a large stack and a high recursion limit, so that deep code is
analysed rather than refused wherever the parser allows.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, cast

from lint_canon.stacks import RECURSION_LIMIT, start_on_deep_stack

DEFAULT_TIMEOUT = 60.0
# Address space a worker may use (its 1 GiB stack included): a 5 MiB file parses in far less.
WORKER_MEMORY = 8 * 1024 * 1024 * 1024


class FailureKind(StrEnum):
    """Why a task gave no result."""

    CRASH = "crash"  # its worker died (a signal, an exit) or could not be started
    TIMEOUT = "timeout"  # it ran past the time limit; its worker was killed
    ERROR = "error"  # the task raised (a last resort: tasks report their own errors)


@dataclass(frozen=True)
class Failure:
    """What became of a task that gave no result, and the detail to show."""

    kind: FailureKind
    detail: str


def describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _limit_memory() -> None:
    """No file may make a worker take the machine's memory: past the limit, the parse fails
    (MemoryError, or the worker dies) and its file gets a finding."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):
            pass


def _watch_parent(parent: int) -> None:
    """End this worker when the run that started it is gone (killed: no clean-up reached us),
    even in the middle of a long parse: on Linux the kernel kills it (PR_SET_PDEATHSIG; a
    native parse holds the GIL, so no thread of ours could), elsewhere a thread looks."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="lint-canon-watchdog", daemon=True).start()


def _serve(
    conn: Connection,
    function: Callable[[Any], Any],
    state: Any,
    setup: Callable[[Any], None] | None,
    parent: int | None = None,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the run stops
    _limit_memory()
    # What a dying parser prints ("memory allocation failed", a Rust backtrace) is not for the
    # user: the file's finding says what happened. Nor may a worker hold the run's stdout open
    # (a pipeline would wait for it).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass
    _watch_parent(parent if parent is not None else os.getppid())
    if setup is not None:
        setup(state)
    # A libcst tree is hundreds of thousands of small objects, freed by reference counting when
    # the file is done; the cycle collector, run every 700 allocations by default, traverses
    # them for nothing (7-10% of a parse). Cycles (the analysis makes a few) are still collected,
    # less often; what setup built lives as long as the worker and is left out of collections.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)

    def loop() -> None:
        while True:
            try:
                item = conn.recv()
            except (EOFError, OSError):
                return
            if item is None:
                return
            try:
                result = function(item)
            except Exception as exc:  # the function reports its own errors; this is a last resort
                result = Failure(FailureKind.ERROR, f"{type(exc).__name__}: {exc}")
            conn.send(result)

    sys.setrecursionlimit(RECURSION_LIMIT)
    thread, _ = start_on_deep_stack(lambda _size: loop(), "lint-canon-worker")
    if thread is None:  # no large stack to be had: the default stack and recursion limit
        sys.setrecursionlimit(1000)
        loop()
    else:
        thread.join()


class _Worker:
    """One worker process. Forked directly where the platform can (a daemonic process, such as
    a flake8 worker, may not start children through multiprocessing); spawned elsewhere."""

    def __init__(self, function: Callable[[Any], Any], state: Any, setup: Any) -> None:
        self.conn, child = multiprocessing.Pipe()
        try:
            self._start(child, function, state, setup)
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()

    def _start(self, child: Connection, function: Callable[[Any], Any], state: Any, setup: Any) -> None:
        self.task: int | None = None
        self.deadline = 0.0
        self.process: BaseProcess | None = None
        self.pid = 0
        pid = -1
        parent = os.getpid()
        if hasattr(os, "fork"):
            # Objects of the parent that are garbage at fork time must not be collected in the
            # worker: a finaliser there (a database connection's) would act on the parent's
            # sockets. Frozen objects are never collected; the worker ends with os._exit.
            gc.freeze()
            try:
                pid = os.fork()
            finally:
                if pid != 0:
                    gc.unfreeze()
            if pid == 0:  # the worker
                code = 0
                try:
                    self.conn.close()
                    _serve(child, function, state, setup, parent)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            self.pid = pid
        else:
            context = multiprocessing.get_context("spawn")
            self.process = context.Process(target=_serve, args=(child, function, state, setup), daemon=True)
            self.process.start()

    def exit_status(self) -> int | None:
        """The worker's exit code (negative: the signal that killed it), waiting for it to end."""
        if self.process is not None:
            self.process.join(timeout=5)
            return self.process.exitcode
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
        if kill:
            try:
                if self.process is not None:
                    self.process.kill()
                else:
                    os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        if self.process is not None:
            self.process.join(timeout=None if kill else 5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        else:
            deadline = time.monotonic() + 5
            while True:
                try:
                    pid, _ = os.waitpid(self.pid, 0 if kill else os.WNOHANG)
                except ChildProcessError:
                    break
                if pid != 0:
                    break
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    kill = True
                time.sleep(0.01)
        self.conn.close()


class Pool:
    """Runs ``function`` over items in up to ``jobs`` worker processes; ``setup(state)`` runs
    once in each worker first (with fork, ``state`` is not even pickled)."""

    def __init__(
        self,
        function: Callable[[Any], Any],
        jobs: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        state: Any = None,
        setup: Callable[[Any], None] | None = None,
    ) -> None:
        self.function = function
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.state = state
        self.setup = setup
        self._idle: list[_Worker] = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._idle:
            worker.stop()
        self._idle = []

    def _new_worker(self) -> _Worker:
        return _Worker(self.function, self.state, self.setup)

    def map(self, items: Sequence[Any], timeouts: Sequence[float] | None = None) -> list[Any]:
        """The result of each item, in order; a ``Failure`` where its worker crashed or ran out
        of time (``timeouts`` per item, else the pool's)."""
        results: list[Any] = [None] * len(items)
        todo = deque(range(len(items)))
        attempts = [0] * len(items)
        busy: dict[Connection, _Worker] = {}
        try:
            while todo or busy:
                while todo and len(busy) < self.jobs:
                    worker = self._idle.pop() if self._idle else self._new_worker()
                    index = todo.popleft()
                    worker.task = index
                    limit = timeouts[index] if timeouts is not None else self.timeout
                    worker.deadline = time.monotonic() + limit
                    try:
                        worker.conn.send(items[index])
                    except (OSError, ValueError):  # it died before reading: another one tries
                        worker.stop(kill=True)
                        attempts[index] += 1
                        if attempts[index] < 3:
                            todo.appendleft(index)
                        else:
                            results[index] = Failure(FailureKind.CRASH, "no worker process could be started for it")
                        continue
                    busy[worker.conn] = worker
                now = time.monotonic()
                wait_for = max(0.0, min(w.deadline for w in busy.values()) - now)
                for ready in wait(list(busy), timeout=wait_for):
                    # wait() gives back some of the connections it was given; typeshed types them
                    # as any waitable (a PipeConnection on Windows: no isinstance check here)
                    conn = cast(Connection, ready)
                    worker = busy.pop(conn)
                    assert worker.task is not None
                    try:
                        results[worker.task] = conn.recv()
                        self._idle.append(worker)
                    except (EOFError, OSError):
                        results[worker.task] = Failure(FailureKind.CRASH, describe_exit(worker.exit_status()))
                        worker.conn.close()
                now = time.monotonic()
                for conn, worker in list(busy.items()):
                    if worker.deadline <= now:
                        del busy[conn]
                        assert worker.task is not None
                        limit = timeouts[worker.task] if timeouts is not None else self.timeout
                        results[worker.task] = Failure(FailureKind.TIMEOUT, f"stopped after {limit:g} s")
                        worker.stop(kill=True)
        except BaseException:
            for worker in busy.values():
                worker.stop(kill=True)
            raise
        return results


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
