"""libcst for code imported by runs that may parse nothing: the rule modules, whose needles make
the prefilter. Importing libcst costs about half of a one-file run; these import it when a node is
first looked at instead.

- ``cst``: the libcst module, imported at the first use of one of its names; each name is read
  once, then is a plain attribute (no cost per visited node).
- ``Visitor``: what the walker drives (``get_visitors``: the ``visit_*`` and ``leave_*`` methods,
  listed once per class) without libcst's ``BatchableCSTVisitor`` as a base class.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

__all__ = ["Visitor", "cst"]


class _Module:
    """A module imported when one of its names is first read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:  # only for a name not read before
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)
        return value


if TYPE_CHECKING:
    import libcst as cst
else:
    cst = _Module("libcst")


class Visitor:
    """A visitor the walker drives: ``get_visitors`` lists the ``visit_*`` and ``leave_*``
    methods of its class once, not on every instance as libcst's ``BatchableCSTVisitor`` does
    (with ``inspect.getmembers``, which costs more than the traversal of a small file). Like
    libcst, it leaves out the empty stubs a libcst visitor inherits, which libcst marks with a
    private ``_is_no_op`` attribute (``FastBatchable``; tests/test_libcst_contract.py checks it)."""

    _visitor_names: ClassVar[dict[type, tuple[str, ...]]] = {}

    def get_visitors(self) -> dict[str, Callable[[Any], Any]]:
        names = Visitor._visitor_names.get(type(self))
        if names is None:
            names = tuple(
                name
                for name in dir(type(self))
                if (name.startswith("visit_") or name.startswith("leave_"))
                and callable(getattr(type(self), name))
                and not getattr(getattr(type(self), name), "_is_no_op", False)
            )
            Visitor._visitor_names[type(self)] = names
        return {name: getattr(self, name) for name in names}
