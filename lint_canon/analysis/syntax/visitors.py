"""A batched visitor whose methods are listed once per class, not once per file.

libcst's ``BatchableCSTVisitor.get_visitors`` finds a visitor's methods with
``inspect.getmembers`` on every instance, which costs more than the traversal of a small file.
``FastBatchable`` lists them as ``lazy.Visitor`` does, once per class; like libcst, the listing
leaves out the empty stubs every libcst visitor inherits, which libcst marks with a private
``_is_no_op`` attribute: were the marker renamed, the walker would call hundreds of empty methods
and enter every comment and comma (tests/test_libcst_contract.py checks it).
"""

from __future__ import annotations

from libcst import BatchableCSTVisitor

from lint_canon.analysis.syntax.lazy import Visitor


class FastBatchable(Visitor, BatchableCSTVisitor):
    """A libcst batched visitor whose methods are listed once per class (``Visitor``)."""
