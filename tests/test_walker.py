"""The walker calls the visitors' methods exactly as libcst's visit_batched does, in the same
order, on every kind of syntax: the rules see the same tree in the same state. The same
comparison on real files is in test_libcst_contract.py."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper

from lint_canon.analysis.syntax import walker
from lint_canon.analysis.syntax.visitors import FastBatchable
from lint_canon.analysis.syntax.walker import _TRIVIA_NODES, Walker
from tests.conftest import dedent

EVERY_KIND = dedent(
    '''
    """Module docstring."""
    plain = f"{first} {second!r}"  # seen before any f-string with a format spec
    from __future__ import annotations
    import os, sys as system
    from a.b import (c, d as e)
    from . import sibling
    from .pkg import *

    @decorator(arg, key=value)
    @other.attr
    async def function[T](a, /, b: int = 1, *args: T, c, d=2, **kwargs) -> T | None:
        global counter
        nonlocal_value = [x async for x in aiter() if x]
        async with open(a) as f, other() as (g, h):
            await f.read()
        async for item in stream:
            yield item
        return (yield from generator())

    class Box[T](Base, metaclass=Meta):
        attr: int = 1
        def method(self, *, key: str) -> str:
            def inner():
                nonlocal key
                key = f"{key!r:>{width}} {other=} {value:{fill}^10}"
            return key

    type Alias[K] = dict[K, list[int]]
    x = y = lambda q, *r, **s: (q, r, s)
    x += 1; y: "str"; del x
    assert x, "message"
    value = {k: v for k, v in items.items() if k} | {*a, *b} | {**m}
    result = a if b else c
    print(*args, sep="", **kw)
    chained = a.b.c(d)[e:f:g].h
    comparison = 1 < x <= 2 is not None not in y
    walrus = (n := len(a)) > 10
    lst = [1, 2, *rest]; tup = 1, 2; neg = -x ** 2 // 3 @ m
    if a:
        pass
    elif b:
        ...
    else:
        raise ValueError("x") from None
    while cond:
        break
    else:
        continue_ = 1
    for i, (j, k) in enumerate(pairs):
        continue
    try:
        pass
    except (TypeError, ValueError) as exc:
        pass
    else:
        pass
    finally:
        pass
    try:
        pass
    except* OSError:
        pass
    with a as b, c:
        pass
    match command:
        case [x, y, *rest] if x > y:
            pass
        case {"key": value, **others}:
            pass
        case Point(x=0, y=_) | None:
            pass
        case str() as text:
            pass
    b"bytes" rb"raw"; "implicit" r"raw" f"{x}"
    greeting = t"hello {name!r:>{width}}"
    '''
)


def _recorder() -> tuple[FastBatchable, list[tuple[str, int]]]:
    log: list[tuple[str, int]] = []
    methods = {}
    kinds = [
        name
        for name in dir(cst)
        if isinstance(getattr(cst, name), type) and issubclass(getattr(cst, name), cst.CSTNode)
    ]
    for name in kinds:
        if name in _TRIVIA_NODES:
            continue
        methods[f"visit_{name}"] = lambda self, node, name=name: log.append((f"visit_{name}", id(node)))
        methods[f"leave_{name}"] = lambda self, node, name=name: log.append((f"leave_{name}", id(node)))
    for hook in ("visit_If_body", "leave_If_body", "visit_FunctionDef_params", "leave_Call_args"):
        methods[hook] = lambda self, node, hook=hook: log.append((hook, id(node)))
    return type("Recorder", (FastBatchable,), methods)(), log


def test_walker_visits_like_visit_batched_on_every_kind_of_syntax(monkeypatch):
    monkeypatch.setattr(walker, "_FIELDS", {})  # the order is learnt from this source's nodes
    module = cst.parse_module(EVERY_KIND)
    expected_visitor, expected = _recorder()
    MetadataWrapper(module, unsafe_skip_copy=True).visit_batched([expected_visitor])
    walked_visitor, walked = _recorder()
    Walker([walked_visitor]).walk(module)
    assert len(expected) > 1
    assert walked == expected


def test_trivia_is_entered_when_a_visitor_asks_for_it():
    seen: list[str] = []

    class Commas(cst.BatchableCSTVisitor):
        def visit_Comma(self, node: cst.Comma) -> None:
            seen.append("comma")

        def visit_Comment(self, node: cst.Comment) -> None:
            seen.append(node.value)

    Walker([Commas()]).walk(cst.parse_module("f(a, b)  # note\n"))
    assert seen == ["comma", "# note"]
