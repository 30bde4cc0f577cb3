"""CANON203 unregistered-api-key: a secret-looking environment variable (``*_API_KEY``,
``*_TOKEN``, ``*_SECRET`` ...) read by name that no tool of the canon owns as ``api_key_env``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lint_canon.analysis.syntax.lazy import cst
from lint_canon.output.codes import rule_info
from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import module_needles, secret_needles
from lint_canon_guard.config import Canon

# The endings of a secret-looking name (any case), after an underscore or as the whole name:
# the rule's pattern and the prefilter's needle are both made from this one table.
SECRET_SUFFIXES = ("API_KEY", "APIKEY", "TOKEN", "SECRET", "SECRET_KEY", "ACCESS_KEY", "PRIVATE_KEY", "AUTH_KEY")
SECRET_NAME = re.compile(r"(?:^|_)(?:" + "|".join(map(re.escape, SECRET_SUFFIXES)) + r")$", re.IGNORECASE)
SECRET_NEEDLES = secret_needles(SECRET_SUFFIXES)
ENVIRONMENT_READERS = frozenset({"os.getenv", "os.environ.get", "os.environ.pop", "os.environ.setdefault"})


class UnregisteredApiKey(Rule):
    info = rule_info("CANON203")

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        return {
            (*module_needles(reader), needle) for reader in ("os.environ", "os.getenv") for needle in SECRET_NEEDLES
        }

    def _check(self, node: cst.CSTNode, name_expr: cst.BaseExpression | None) -> None:
        from lint_canon.analysis.values import known_text  # only for a read of the environment

        known = known_text(name_expr, self.names)
        if known is None or not known.whole or not SECRET_NAME.search(known.text):
            return
        owners = {name for tool in self.canon.tools for name in (tool.api_key_envs or (tool.api_key_env,))}
        if known.text not in owners:
            self.report(
                node,
                f"secret '{known.text}' is read from the environment but no tool owns it; register "
                "the tool that uses it with api_key_env",
            )

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        # Writes are not reads: `os.environ[K] = v`, `del os.environ[K]`, and a `pop` whose
        # value nobody uses (clearing a variable) read no secret.
        self._writes: set[int] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._writes.add(id(target.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._writes.add(id(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, (cst.Tuple, cst.List)) else ()
        self._writes.update(id(element.value) for element in targets)
        self._writes.add(id(node.target))

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.Call):  # a call as a statement: its value is not used
            self._writes.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        qualname = self.names.qualname(node.func)
        if qualname in ENVIRONMENT_READERS:
            if qualname == "os.environ.pop" and id(node) in self._writes:
                return
            from lint_canon.analysis.values import keyword

            self._check(node, keyword(node, "key", 0))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._writes:
            return
        if self.names.qualname(node.value) == "os.environ" and len(node.slice) == 1:
            element = node.slice[0].slice
            if isinstance(element, cst.Index):
                self._check(node, element.value)
