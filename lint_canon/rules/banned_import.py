"""CANON101 banned-import: an import or use of a module or API the canon bans.

A banned module bans its submodules (``clearbit`` covers ``clearbit.x``); a banned API bans one
name (``subprocess.Popen``) and leaves the rest of its module alone. Imports are followed through
aliases, ``importlib.import_module("x")`` and ``__import__("x")``; relative imports resolve
against the file's package. A banned name is reported where it is spelled; an object it made
is not a new finding. Imports under ``if TYPE_CHECKING:`` never run, so they only count when
the canon says ``type_checking_imports: flag``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lint_canon.analysis.syntax.lazy import cst
from lint_canon.output.codes import rule_info
from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import module_needles
from lint_canon_guard.config import Ban, Canon

_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "builtins.__import__"})


class BannedImport(Rule):
    info = rule_info("CANON101")

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        return any(ban.modules for ban in canon.banned)

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        return {module_needles(entry) for ban in canon.banned for entry in ban.modules}

    def _ban(self, qualname: str | None) -> tuple[str, Ban] | None:
        if qualname is None:
            return None
        hit = self.canon.banned_module(qualname)
        if hit is None or self.ctx.exempt(hit[1]):
            return None
        return hit

    def _skip_type_checking(self) -> bool:
        return self.names.in_type_checking and self.canon.type_checking_imports != "flag"

    def _report(self, node: cst.CSTNode, qualname: str, hit: tuple[str, Ban]) -> None:
        entry, ban = hit
        what = f"'{qualname}'" if entry == qualname else f"'{qualname}' (under '{entry}')"
        self.report(node, f"{what} is banned: {ban.reason}")

    def visit_Import(self, node: cst.Import | cst.LazyImport) -> None:
        from lint_canon.analysis.syntax.imports import dotted_name  # once per import statement

        if self._skip_type_checking():
            return
        for alias in node.names:
            qualname = dotted_name(alias.name)
            hit = self._ban(qualname)
            if hit is not None and qualname is not None:
                self._report(alias.name, qualname, hit)

    def visit_ImportFrom(self, node: cst.ImportFrom | cst.LazyImportFrom) -> None:
        if self._skip_type_checking():
            return
        module = self.names.from_module(node)
        if module is None:
            return
        hit = self._ban(module)
        if hit is not None:
            # `from . import x` names no module: the first name stands for the statement.
            where = node.module if node.module is not None else node
            self._report(where, module, hit)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        from lint_canon.analysis.syntax.imports import identifier

        for alias in node.names:
            if isinstance(alias.name, cst.Name):
                qualname = f"{module}.{identifier(alias.name.value)}"
                hit = self._ban(qualname)
                if hit is not None:
                    self._report(alias.name, qualname, hit)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.names.in_import:
            return
        qualname = self.names.qualname(node)
        if qualname is None or "()" in qualname:
            # `self.session.client` after `self.session = boto3.Session()`: an object made by a
            # banned API is not its import; the call that made it was reported where spelled.
            return
        hit = self._ban(qualname)
        if hit is None:
            return
        # Report the shortest banned chain once, and never a name whose import was reported.
        if self._ban(self.names.qualname(node.value)) is not None:
            return
        binding = self.names.head_binding(node)
        if binding is not None and binding.type_checking and self.canon.type_checking_imports != "flag":
            return
        self._report(node, qualname, hit)

    def visit_Name(self, node: cst.Name) -> None:
        # A banned name bound by `from M import *` is reported where it is used.
        if not self.ctx.star_imports or self.names.in_import:
            return
        binding = self.names.lookup(node.value)
        if binding is None or not binding.star or binding.qualname is None:
            return
        if binding.type_checking and self.canon.type_checking_imports != "flag":
            return
        hit = self._ban(binding.qualname)
        if hit is not None:
            self._report(node, binding.qualname, hit)

    # `lazy import x` / `lazy from x import y` (PEP 810) import all the same.
    visit_LazyImport = visit_Import
    visit_LazyImportFrom = visit_ImportFrom

    def visit_Call(self, node: cst.Call) -> None:
        if self.names.qualname(node.func) not in _DYNAMIC_IMPORTS or not node.args:
            return
        target = node.args[0].value
        if not isinstance(target, cst.SimpleString):
            return
        module = target.evaluated_value
        if not isinstance(module, str) or not module or module.startswith("."):
            return
        hit = self._ban(module)
        if hit is not None:
            self._report(node, module, hit)
