"""The import-like node classes of libcst, and how names are read from them.

libcst gives each form of import its own node class, and adds classes as Python adds forms
(``LazyImport`` and ``LazyImportFrom``, PEP 810, from libcst 1.9): code that handles imports
handles every class listed here, and tests/test_libcst_contract.py fails when the installed
libcst exports an import class missing from these lists. ``dotted_name`` and
``identifier`` are here because ``import_from_module`` reads the module's name with them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import libcst as cst


def identifier(name: str) -> str:
    """A name as Python reads it: NFKC-normalised (``ｃｌｅａｒｂｉｔ`` is ``clearbit``, PEP 3131)."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name or a chain of Attributes over a Name; None for anything else."""
    kind = type(node)
    if kind is cst.Name:  # the common case, read without building a list
        value: str = node.value  # type: ignore[attr-defined]
        return value if value.isascii() else unicodedata.normalize("NFKC", value)
    if kind is not cst.Attribute:
        return None
    parts: list[str] = []
    while type(node) is cst.Attribute:
        attr: str = node.attr.value
        parts.append(attr if attr.isascii() else unicodedata.normalize("NFKC", attr))
        node = node.value
    if type(node) is not cst.Name:
        return None
    head: str = node.value
    parts.append(head if head.isascii() else unicodedata.normalize("NFKC", head))
    parts.reverse()
    return ".".join(parts)


# Every node class of libcst that imports. The `lazy` forms are why pyproject.toml asks for
# libcst 1.9 or newer: with an older one `lazy import x` does not parse, and a ban is evaded.
PLAIN_IMPORT_NODES: tuple[type[cst.Import | cst.LazyImport], ...] = (cst.Import, cst.LazyImport)
FROM_IMPORT_NODES: tuple[type[cst.ImportFrom | cst.LazyImportFrom], ...] = (cst.ImportFrom, cst.LazyImportFrom)
IMPORT_NODES = PLAIN_IMPORT_NODES + FROM_IMPORT_NODES


def import_from_module(node: Any) -> str | None:
    """The absolute module of ``from X import ...``; None for a relative import."""
    if node.relative:
        return None
    return dotted_name(node.module) if node.module is not None else None
