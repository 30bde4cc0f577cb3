"""A batched visitor whose methods are listed once per class, not once per file.

libcst's ``BatchableCSTVisitor.get_visitors`` finds a visitor's methods with
``inspect.getmembers`` on every instance, which costs more than the traversal of a small file.
Like libcst, the listing leaves out the empty stubs every visitor inherits, which libcst marks
with a private ``_is_no_op`` attribute: were the marker renamed, the walker would call hundreds
of empty methods and enter every comment and comma (tests/test_libcst_contract.py checks it).
"""

from __future__ import annotations

from libcst import BatchableCSTVisitor


class FastBatchable(BatchableCSTVisitor):
    """libcst finds a batched visitor's methods with inspect.getmembers on every instance,
    which costs more than the traversal of a small file; the names are the same for a class."""

    _visitor_names: dict[type, tuple[str, ...]] = {}

    def get_visitors(self):  # type: ignore[no-untyped-def]
        names = FastBatchable._visitor_names.get(type(self))
        if names is None:
            names = tuple(
                name
                for name in dir(type(self))
                if (name.startswith("visit_") or name.startswith("leave_"))
                and callable(getattr(type(self), name))
                and not getattr(getattr(type(self), name), "_is_no_op", False)
            )
            FastBatchable._visitor_names[type(self)] = names
        return {name: getattr(self, name) for name in names}
