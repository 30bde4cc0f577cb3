"""Deep stacks: running a function where deep recursion cannot overflow the C stack.

libcst's parser and pglast recurse once per level of the tree they build: legal code nested
deeply enough overflows a thread's default stack (8 MiB or less), which kills the process. The
engine's workers (``lint_canon.engine.isolation``) and the SQL reader (``lint_canon.project``)
run on a thread with a large stack instead.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

RECURSION_LIMIT = 200_000
# Tried in order: the stack is reserved, not committed; an address-space limit may refuse the larger.
STACK_SIZES = (1024 * 1024 * 1024, 256 * 1024 * 1024, 64 * 1024 * 1024)


def start_on_deep_stack(target: Callable[[int], None], name: str) -> tuple[threading.Thread | None, int]:
    """Start ``target(stack size)`` on a thread with the largest stack of 1 GiB, 256 MiB, 64 MiB
    the platform grants (reserved, not committed; an address-space limit may refuse the larger
    ones). (None, 0) when none can be started: the caller runs on its own thread."""
    for size in STACK_SIZES:
        thread = threading.Thread(target=target, args=(size,), name=name)
        try:
            old = threading.stack_size(size)  # read by start(), not by Thread()
        except (ValueError, OverflowError, RuntimeError):
            continue
        try:
            thread.start()
        except RuntimeError:  # "can't start new thread": not that much address space
            continue
        finally:
            threading.stack_size(old)
        return thread, size
    return None, 0


def run_deep(function: Callable[[], Any]) -> Any:
    """``function()`` on a thread with a large stack and a high recursion limit."""
    box: list[Any] = []

    def target(_size: int) -> None:
        try:
            box.append((True, function()))
        except BaseException as exc:  # handed to the caller as it is
            box.append((False, exc))

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        thread, _ = start_on_deep_stack(target, "lint-canon-deep")
        if thread is None:
            sys.setrecursionlimit(old_limit)
            return function()
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    ok, value = box[0]
    if not ok:
        raise value
    return value
