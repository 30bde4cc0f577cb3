"""A light name resolver: which module or API a name or attribute chain stands for.

libcst's ``QualifiedNameProvider`` runs a full scope analysis, which costs far more than the
parse (the README's "How it works" has the figure). The rules only need to know what imported names mean, so this visitor follows
imports, aliases and the few bindings that shadow them (parameters, assignments, nested
definitions), with Python's scoping rules for functions and classes, in one traversal shared
with the rules.
"""

from __future__ import annotations

import builtins
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import libcst as cst

from lint_canon.analysis.syntax.imports import (
    IMPORT_NODES,
    PLAIN_IMPORT_NODES,
    dotted_name,
    identifier,
    import_from_module,
)
from lint_canon.analysis.syntax.visitors import FastBatchable
from lint_canon.sdks.model import ITEM, Models, factories, models_for

_BUILTINS = frozenset(dir(builtins))
# CapWords calls that declare a field's default rather than make an object (values.py reads them).
_DECLARATIONS = frozenset({"pydantic.Field", "pydantic.fields.Field"})
# Collections whose items an annotation declares (`list[OpenAI]`)
_COLLECTIONS = frozenset(
    {f"builtins.{name}" for name in ("list", "set", "frozenset", "tuple")}
    | {
        f"{module}.{name}"
        for module in ("typing", "collections.abc")
        for name in ("List", "Set", "FrozenSet", "Tuple", "Sequence", "Iterable", "Iterator", "Collection")
    }
)
_TUPLES = frozenset({"builtins.tuple", "typing.Tuple"})
# Annotations that wrap the type they declare
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_WRAPPERS = _ANNOTATED | {
    f"{module}.{name}" for module in ("typing", "typing_extensions") for name in ("ClassVar", "Final")
}


@dataclass
class Binding:
    """What a name is bound to. ``qualname`` is None for a local value (not an import).

    An instance made by calling a class (``client = httpx.Client(...)``) gets the qualname
    ``httpx.Client()``, so that ``client.get`` resolves to ``httpx.Client().get``; ``node`` is
    then the constructor call. A plain assignment keeps the assigned expression in ``value``,
    which is how constants (URLs, tool ids) are resolved; a class keeps its ``members``.
    """

    qualname: str | None
    node: cst.CSTNode | None = None
    type_checking: bool = False
    value: cst.BaseExpression | None = None
    members: MutableMapping[str, Binding] | None = None
    star: bool = False  # bound by `from M import *`
    returns: Binding | None = None  # a function whose one statement returns a new client
    # A function of several statements whose returns are read when a call of it is first
    # looked at (most functions are never called on), not where it is defined
    deferred: bool = False
    # Other clients the same attribute is given elsewhere in the class (`self.client =
    # OpenAI().images` in one branch, `= openai.Image` in another): a call is judged by each
    others: tuple[str, ...] = ()


_OVERLOAD = ("typing.overload", "typing_extensions.overload")
_LITERAL = ("typing.Literal", "typing_extensions.Literal")


def _isinstance_of(test: cst.BaseExpression, when: bool) -> tuple[str, list[cst.BaseExpression]] | None:
    """The name ``x`` and the types ``T`` of a test ``isinstance(x, T)`` (``when`` true) or
    ``not isinstance(x, T)`` (``when`` false): ``x`` is not a ``T`` where the test is false."""
    if not when:
        if not (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)):
            return None
        test = test.expression
    if (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Name)
        and test.func.value == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0].value, cst.Name)
    ):
        kinds = test.args[1].value
        if isinstance(kinds, cst.Tuple):
            return test.args[0].value.value, [element.value for element in kinds.elements]
        return test.args[0].value.value, [kinds]
    return None


class _Scope:
    __slots__ = ("kind", "names", "items", "chain")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.names: dict[str, Binding] = {}
        # A class's members with those of its bases defined in the same module (inherited
        # class attributes: `self.API_URL` set on a base class).
        self.chain: MutableMapping[str, Binding] = self.names
        # Items put into a local dict by a constant key (`config["base_url"] = URL`,
        # `config.setdefault("base_url", URL)`): what a later `Client(**config)` receives.
        self.items: dict[tuple[str, str], cst.BaseExpression] = {}


def _is_type_checking(test: cst.BaseExpression) -> bool:
    name = dotted_name(test)
    return name in ("TYPE_CHECKING", "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING", "t.TYPE_CHECKING")


def _class_names(body: Sequence[cst.CSTNode]) -> frozenset[str]:
    """The names of the classes defined at module level and in their bodies (not in functions:
    a class made in a function is not keyed by ``made_with``)."""
    found: set[str] = set()
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, cst.ClassDef):
            found.add(stmt.name.value)
            if isinstance(stmt.body, cst.IndentedBlock):
                stack.extend(stmt.body.body)
        elif isinstance(stmt, (cst.If, cst.Try)) and isinstance(stmt.body, cst.IndentedBlock):
            stack.extend(stmt.body.body)  # `if TYPE_CHECKING:` / `try:` at module level
            orelse = stmt.orelse if isinstance(stmt, cst.If) else None
            while isinstance(orelse, (cst.If, cst.Else)) and isinstance(orelse.body, cst.IndentedBlock):
                stack.extend(orelse.body.body)
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    return frozenset(found)


def _is_class_name(qualname: str) -> bool:
    """``pkg.Client`` (CapWords, PEP 8) and ``pkg.OWM`` (an acronym) look like classes; ``pkg.get``
    like a function."""
    return qualname.rsplit(".", 1)[-1][:1].isupper()


class ImportTracker(FastBatchable):
    """Keeps the scopes while the rules traverse; ask it ``qualname(expr)`` at any node."""

    # Functions that return a client although their names are lower case: the HTTP libraries'
    # (as vendors.py knows their clients), and the SDKs' as their models say (boto3.client).
    HTTP_FACTORIES = frozenset({"requests.session", "urllib3.connection_from_url"})

    def __init__(
        self,
        module: cst.Module,
        star_names: Callable[[str], Iterable[str]] | None = None,
        package: str | None = None,
        made_with: dict[str, list[dict[int | str, str | None]]] | None = None,
        models: Models | None = None,
    ) -> None:
        super().__init__()
        # The SDK models the run judges with (the shipped ones when not given): what an SDK's
        # function returns is an object of the SDK (`intent = stripe.PaymentIntent.create(...)`)
        self.models = models if models is not None else models_for(None)
        self.star_names = star_names
        self.package = package
        # The base_url a client was made with (by keyword or through `**config`), by the id of
        # the call that made it: its requests go there, not to the SDK's vendor.
        self.base_urls: dict[int, cst.BaseExpression] = {}
        # A call whose result is at once the receiver of another (`client.actor(id).call()`):
        # the id of the inner call -> the outer one (recorded when the outer is visited, first).
        self.receivers: dict[int, cst.Call] = {}
        self.fallback_depth = 0
        self.scopes: list[_Scope] = [_Scope("module")]
        self.type_checking_depth = 0
        self.import_depth = 0
        self.function_stack: list[cst.FunctionDef] = []
        # the `@overload` signatures of the module's functions and the classes' methods:
        # (class path or "", name) -> each stub
        self._overloads: dict[tuple[str, str], list[cst.FunctionDef]] = {}
        # names forgotten in a branch where `isinstance(x, T)` is false: id of the If -> (name, binding before, mask)
        self._masks: dict[int, tuple[str, Binding | None, Binding]] = {}
        # Each class's dotted path in the module (`Audio.Transcriptions`), None for a class
        # defined in a function: what `made_with` is keyed by
        self.class_paths: list[str | None] = []
        self._assigned: dict[int, set[str]] = {}  # helper id -> the names it assigns (`inside`)
        self.has_others = False  # some attribute was given clients of two kinds (Binding.others)
        # The clients a class of this file is made with, seen so far: class name -> one mapping
        # per call (argument position or keyword -> the client passed, None for anything else).
        # A second reading of the file is given every call of the first (``made_with``): a
        # class whose calls come after it (``late``) then knows them all.
        self.made_with: dict[str, list[dict[int | str, str | None]]] = made_with or {}
        self.made_with_known = made_with is not None
        self._inits: dict[str, bool] = {}  # class path -> whether its __init__ received a client
        self.late = False  # a call made a class of the file with a client after its __init__ was read
        self._class_names = _class_names(module.body)  # the classes `made_with` may be about
        # Module-level imports are known before any function body is visited, wherever they
        # stand in the file: the body runs after the whole module has executed.
        self._prepass(module.body, type_checking=False)

    # --- the public questions -----------------------------------------------------------

    @property
    def in_type_checking(self) -> bool:
        return self.type_checking_depth > 0

    @property
    def in_import(self) -> bool:
        return self.import_depth > 0

    def lookup(self, name: str) -> Binding | None:
        name = identifier(name)
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            # Class bodies are not enclosing scopes for the functions defined inside them.
            if scope.kind == "class" and scope is not innermost:
                continue
            binding = scope.names.get(name)
            if binding is not None:
                return binding
        return None

    def qualname(self, node: cst.BaseExpression) -> str | None:
        """The qualified name ``node`` refers to, through imports and aliases; None if unknown."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in ("self", "cls") and rest:
            # self.client.get: a client the class stored on itself (self.client = Client()).
            members = self.enclosing_class_members()
            first, _, more = rest.partition(".")
            member = members.get(first) if members is not None else None
            if member is not None and member.qualname is not None:
                return f"{member.qualname}.{more}" if more else member.qualname
            return None
        binding = self.lookup(head)
        if binding is None:
            if head in _BUILTINS:
                return f"builtins.{dotted}"
            return None
        if binding.qualname is None:
            if binding.members is not None and rest:
                # `Invoice.stripe_class.retrieve(...)`: an attribute of a class of this file
                first, _, more = rest.partition(".")
                member = binding.members.get(first)
                if member is not None and member.qualname is not None:
                    return f"{member.qualname}.{more}" if more else member.qualname
            return None
        return f"{binding.qualname}.{rest}" if rest else binding.qualname

    def other_qualnames(self, node: cst.BaseExpression, qualname: str) -> list[str]:
        """``qualname`` as it reads with each other client the attribute at the head of ``node``
        (``self.client`` in ``self.client.generate``) is given in the class."""
        head = node
        while isinstance(head, cst.Attribute) and not (
            isinstance(head.value, cst.Name) and head.value.value in ("self", "cls")
        ):
            head = head.value
        if not isinstance(head, cst.Attribute):
            return []
        members = self.enclosing_class_members()
        member = members.get(identifier(head.attr.value)) if members is not None else None
        if member is None or not member.others or member.qualname is None:
            return []
        if not qualname.startswith(member.qualname):
            return []
        rest = qualname[len(member.qualname) :]
        return [other + rest for other in member.others]

    def head_binding(self, node: cst.BaseExpression) -> Binding | None:
        while isinstance(node, cst.Attribute):
            node = node.value
        return self.lookup(node.value) if isinstance(node, cst.Name) else None

    def from_module(self, node: Any) -> str | None:
        """The absolute module of ``from X import ...``; a relative one resolved against the
        file's package (``from ..legacy import x`` in ``myapp/sub/v.py`` -> ``myapp.legacy``),
        None when the file is in no package or the dots climb out of it."""
        if not node.relative:
            return import_from_module(node)
        if not self.package:
            return None
        parts = self.package.split(".")
        climb = len(node.relative) - 1
        if climb >= len(parts):
            return None
        base = parts[: len(parts) - climb]
        if node.module is not None:
            named = dotted_name(node.module)
            if named is None:
                return None
            base.append(named)
        return ".".join(base)

    # --- bindings ------------------------------------------------------------------------

    def _bind(self, name: str, binding: Binding) -> None:
        name = identifier(name)
        if self.scopes[-1].kind == "class" and _is_none(binding.value):
            # `client: Any = None` in the class body: a field a method fills (found beforehand)
            current = self.scopes[-1].names.get(name)
            if current is not None and current.qualname is not None:
                return
        if self.fallback_depth and binding.qualname is None:
            # `except ImportError: Client = None` (or the else of `if TYPE_CHECKING:`): a
            # fallback for when the import fails does not erase what the import binds.
            current = self.scopes[-1].names.get(name)
            if current is not None and current.qualname is not None:
                return
        self.scopes[-1].names[name] = binding

    def _bind_import(self, node: Any, type_checking: bool) -> None:
        if isinstance(node, PLAIN_IMPORT_NODES):
            for alias in node.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bind(alias.asname.name.value, Binding(full, alias, type_checking))
                else:
                    head = full.split(".", 1)[0]
                    self._bind(head, Binding(head, alias, type_checking))
            return
        module = self.from_module(node)
        if isinstance(node.names, cst.ImportStar):
            # `from M import *` binds every public name of M: those that matter (a banned
            # M.name) are bound, so that their use is seen.
            if module is not None and self.star_names is not None:
                for name in self.star_names(module):
                    self._bind(name, Binding(f"{module}.{name}", node, type_checking, star=True))
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias.name.value
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            qualname = f"{module}.{identifier(alias.name.value)}" if module else None
            self._bind(local, Binding(qualname, alias, type_checking))

    def _prepass(self, body: object, type_checking: bool) -> None:
        for stmt in body:  # type: ignore[attr-defined]
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, IMPORT_NODES):
                        self._bind_import(small, type_checking)
                    elif isinstance(small, cst.Assign):
                        self.visit_Assign(small)
                    elif isinstance(small, cst.AnnAssign):
                        self.visit_AnnAssign(small)
            elif isinstance(stmt, cst.If):
                guarded = _is_type_checking(stmt.test)
                self._prepass(stmt.body.body, type_checking or guarded)
                self.fallback_depth += guarded  # `else: Client = None` is a fallback
                orelse = stmt.orelse
                while orelse is not None:
                    if isinstance(orelse, cst.If):
                        self._prepass(orelse.body.body, type_checking)
                        orelse = orelse.orelse
                    else:
                        self._prepass(orelse.body.body, type_checking)
                        orelse = None
                self.fallback_depth -= guarded
            elif isinstance(stmt, (cst.Try, cst.TryStar)):
                self._prepass(stmt.body.body, type_checking)
                self.fallback_depth += 1
                for handler in stmt.handlers:
                    self._prepass(handler.body.body, type_checking)
                self.fallback_depth -= 1
                if stmt.orelse is not None:
                    self._prepass(stmt.orelse.body.body, type_checking)
                if stmt.finalbody is not None:
                    self._prepass(stmt.finalbody.body.body, type_checking)
            elif isinstance(stmt, cst.With):
                self._prepass(stmt.body.body, type_checking)

    # --- traversal -----------------------------------------------------------------------

    def visit_Import(self, node: cst.Import | cst.LazyImport) -> None:
        self.import_depth += 1
        self._bind_import(node, self.in_type_checking)

    def leave_Import(self, original_node: cst.Import | cst.LazyImport) -> None:
        self.import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom | cst.LazyImportFrom) -> None:
        self.import_depth += 1
        self._bind_import(node, self.in_type_checking)

    def leave_ImportFrom(self, original_node: cst.ImportFrom | cst.LazyImportFrom) -> None:
        self.import_depth -= 1

    # `lazy import x` / `lazy from x import y` (PEP 810) bind as the plain forms do.
    visit_LazyImport = visit_Import
    leave_LazyImport = leave_Import
    visit_LazyImportFrom = visit_ImportFrom
    leave_LazyImportFrom = leave_ImportFrom

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.fallback_depth += 1

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.fallback_depth -= 1

    def visit_If_orelse(self, node: cst.If) -> None:
        if _is_type_checking(node.test):
            self.fallback_depth += 1
        self._mask(node, _isinstance_of(node.test, True))

    def leave_If_orelse(self, node: cst.If) -> None:
        if _is_type_checking(node.test):
            self.fallback_depth -= 1
        self._unmask(node)

    def visit_If_body(self, node: cst.If) -> None:
        if _is_type_checking(node.test):
            self.type_checking_depth += 1
        self._mask(node, _isinstance_of(node.test, False))

    def leave_If_body(self, node: cst.If) -> None:
        if _is_type_checking(node.test):
            self.type_checking_depth -= 1
        self._unmask(node)

    def _mask(self, node: cst.If, checked: tuple[str, list[cst.BaseExpression]] | None) -> None:
        """Where ``isinstance(x, T)`` is false (the ``else`` of ``if isinstance(x, T)``, the
        body of ``if not isinstance(x, T)``), ``x`` is not what it was known to be: not known.
        The binding comes back after the branch unless the branch binds ``x`` again."""
        if checked is None:
            return
        name, kinds = checked
        bound = self.lookup(name)
        if bound is None or bound.qualname is None or "()" not in bound.qualname:
            return  # not an object made or returned by a client: nothing to forget
        made = bound.qualname[:-2] if bound.qualname.endswith("()") and bound.qualname.count("()") == 1 else None
        root = bound.qualname.split(".", 1)[0]
        types = [self.qualname(kind) for kind in kinds]
        if made is not None:
            # `x = Client()`: only `isinstance(x, Client)` says anything of it
            if made not in types:
                return
        elif not any(kind is not None and kind.split(".", 1)[0] == root for kind in types):
            return  # what an SDK call returned, checked against a type of another package
        mask = Binding(None, node)
        self._masks[id(node)] = (name, self.scopes[-1].names.get(name), mask)
        self.scopes[-1].names[name] = mask

    def _unmask(self, node: cst.If) -> None:
        masked = self._masks.pop(id(node), None)
        if masked is None:
            return
        name, before, mask = masked
        if self.scopes[-1].names.get(name) is mask:
            if before is None:
                del self.scopes[-1].names[name]
            else:
                self.scopes[-1].names[name] = before

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        eager = self.scopes[-1].kind == "class" and _is_property(node)
        self._bind_function(node, self._returned_client(node, several=eager), deferred=not eager)
        self.function_stack.append(node)
        self.scopes.append(_Scope("function"))
        self._bind_params(node.params, node)

    def _bind_function(self, node: cst.FunctionDef, returns: Binding | None, deferred: bool = False) -> None:
        if any(self.qualname(d.decorator) in _OVERLOAD for d in node.decorators):
            # `@overload def client(self, service: Literal["s3"]) -> S3Client`: one signature
            key = (self._overload_path(), node.name.value)
            known = self._overloads.setdefault(key, [])
            if not any(stub is node for stub in known):
                known.append(node)
        if returns is not None and self.scopes[-1].kind == "class" and _is_property(node):
            # `@property def client(self) -> OpenAI`: self.client is the client
            self._bind(node.name.value, Binding(returns.qualname, node))
        else:
            self._bind(node.name.value, Binding(None, node, returns=returns, deferred=deferred and returns is None))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.function_stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.scopes.append(_Scope("function"))
        self._bind_params(node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = _Scope("class")
        bases = []
        for base in node.bases:
            binding = self.lookup(base.value.value) if isinstance(base.value, cst.Name) else None
            if binding is not None and binding.members is not None:
                bases.append(binding.members)
        if bases:
            scope.chain = ChainMap(scope.names, *bases)  # writes go to the class's own names
        self._bind(node.name.value, Binding(None, node, members=scope.chain))
        self.scopes.append(scope)
        name = identifier(node.name.value)
        parent = self.class_paths[-1] if self.class_paths else ""
        in_function = bool(self.function_stack)  # a class made in a function: not keyed
        self.class_paths.append(None if parent is None or in_function else f"{parent}.{name}" if parent else name)
        self._prepass_methods(node)

    def _prepass_methods(self, node: cst.ClassDef) -> None:
        """What the class's methods store on ``self`` (and its validators in ``values[...]``),
        known before any method is visited: an attribute set in a method further down the class
        (a validator at its end) is the same attribute in every method."""
        if not isinstance(node.body, cst.IndentedBlock):
            return
        methods = [
            stmt
            for stmt in node.body.body
            if isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, cst.IndentedBlock)
        ]
        if len(methods) < 2:
            return  # one method sees what it stores as the traversal goes
        for method in methods:
            # `self.bot = self.make_bot()` in `__init__`, `def make_bot(self) -> Bot` further
            # down: a getter's declared return type is known to every method of the class
            declared = self.declared_client(method.returns.annotation) if method.returns is not None else None
            if declared is not None:
                self._bind_function(method, declared)
        for method in methods[1:]:  # the first method's stores come before any other method
            self.function_stack.append(method)
            self.scopes.append(_Scope("function"))
            try:
                self._bind_params(method.params, method)
                self._prepass(method.body.body, type_checking=False)
            finally:
                self.scopes.pop()
                self.function_stack.pop()

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()
        self.class_paths.pop()

    def _bind_params(self, params: cst.Parameters, function: cst.FunctionDef | None = None) -> None:
        made_with = {}
        if function is not None and function.name.value == "__init__":
            made_with = self._made_with(params) if self.made_with else {}
            path = self.class_paths[-1] if self.class_paths else None
            if path is not None:
                received = any(self._sends(qualname) for qualname in made_with.values())
                self._inits[path] = self._inits.get(path, False) or received
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            # `session: requests.Session`: a client declared by its type
            declared = self.declared_client(param.annotation.annotation) if param.annotation is not None else None
            if declared is None and param.name.value in made_with:
                # `def __init__(self, client)`, every `Audio(client)` of the file passing an OpenAI()
                declared = Binding(made_with[param.name.value], param)
            self._bind(param.name.value, declared or Binding(None, param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, Binding(None, star))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            self._record_item(target.target, node.value)
            self._validator_field(target.target, node.value)

    def _validator_field(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``values["client"] = Client(...)`` in a pydantic validator of a class (the langchain
        idiom): the field ``client`` holds what is assigned, as ``self.client = ...`` would."""
        key = _constant_key(target)
        if key is None or not self.function_stack or self.scopes[-1].kind != "function":
            return
        function = self.function_stack[-1]
        params = {param.name.value for param in (*function.params.posonly_params, *function.params.params)}
        if not isinstance(target, cst.Subscript) or not isinstance(target.value, cst.Name):
            return
        if target.value.value not in params or not any(self._is_validator(d) for d in function.decorators):
            return
        members = self.enclosing_class_members()
        if members is not None and key.isidentifier():
            members[identifier(key)] = self._binding_for_value(target, value)

    def _is_validator(self, decorator: cst.Decorator) -> bool:
        expr = decorator.decorator
        qualname = self.qualname(expr.func if isinstance(expr, cst.Call) else expr)
        return qualname is not None and qualname.rsplit(".", 1)[-1] in _VALIDATORS

    def _record_item(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        key = _constant_key(target)
        if key is not None and isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.scopes[-1].items[(identifier(target.value.value), key)] = value

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        made = func.attr if isinstance(func, cst.Attribute) and dotted_name(func.value) == "self" else func
        if isinstance(made, cst.Name) and node.args and made.value in self._class_names:
            name = identifier(made.value)
            if made is func:
                self._note_made_with(name, name, func, node)  # `Audio(client)`: a class of the module
            elif self.class_paths and self.class_paths[-1] is not None:
                # `self.Transcriptions(client)`: a class nested in the method's own class
                self._note_made_with(f"{self.class_paths[-1]}.{name}", name, func, node)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            self.receivers[id(func.value)] = node
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = identifier(func.value.value)
            items = self.scopes[-1].items
            if func.attr.value == "setdefault" and len(node.args) == 2:
                key = node.args[0].value
                if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
                    items.setdefault((owner, key.evaluated_value), node.args[1].value)
            elif func.attr.value == "update":
                for arg in node.args:
                    if arg.keyword is not None:
                        items[(owner, arg.keyword.value)] = arg.value

    def _note_made_with(self, path: str, name: str, func: cst.BaseExpression, node: cst.Call) -> None:
        """``OpenAIAudio(self.client)``: a class of this file (not an import) made with a client,
        which its ``__init__`` receives as an unannotated parameter."""
        if isinstance(func, cst.Name):
            if name in _BUILTINS:
                return  # `ValueError(message)`
            binding = self.lookup(name)
            if binding is not None and binding.qualname is not None:
                return  # an imported class: its model says what it takes
        passed: dict[int | str, str | None] = {}
        for index, arg in enumerate(node.args):
            if arg.star:
                return  # `Audio(*args)`: which parameter gets what is not known
            # a client is handed over by name (`client`, `self.client`) or made in the call
            # (`Audio(OpenAI())`); anything else is not one
            value = arg.value
            made = self._client_made_by(value) if isinstance(value, (cst.Name, cst.Attribute, cst.Call)) else None
            qualname = made.qualname if made is not None and made.qualname is not None else None
            if qualname is not None and self._pointed_elsewhere(value):
                qualname = None  # made with a base_url: where its calls go is not the SDK's host
            key: int | str = arg.keyword.value if arg.keyword is not None else index
            passed[key] = qualname if qualname is not None and "()" in qualname else None
        if self.made_with_known:
            return  # the second reading: every call is known already
        if path in self._inits and (self._inits[path] or any(self._sends(q) for q in passed.values() if q)):
            self.late = True
        self.made_with.setdefault(path, []).append(passed)

    def _sends(self, qualname: str) -> bool:
        """A client of an HTTP library or of an SDK a model describes (not a lock or a path)."""
        from lint_canon.analysis.vendor_tables import HTTP_LIBRARIES

        return qualname.split(".", 1)[0] in HTTP_LIBRARIES or bool(self.models.for_module(qualname))

    def _pointed_elsewhere(self, value: cst.BaseExpression) -> bool:
        """A client made with a ``base_url`` (the call itself, or the one its name is bound to)."""
        maker = value if isinstance(value, cst.Call) else None
        if maker is None:
            binding = self.binding_of(value)
            maker = binding.node if binding is not None and isinstance(binding.node, cst.Call) else None
        if maker is None:
            return False
        return id(maker) in self.base_urls or any(
            arg.keyword is not None and arg.keyword.value == "base_url" for arg in maker.args
        )

    def _made_with(self, params: cst.Parameters) -> dict[str, str]:
        """The parameters of the ``__init__`` being entered that every call of its class seen so
        far in this file passes the same client to."""
        path = self.class_paths[-1] if self.class_paths else None
        if path is None:
            return {}  # not in a class, or a class defined in a function
        calls = self.made_with.get(path)
        if not calls:
            return {}
        positional = [param.name.value for param in (*params.posonly_params, *params.params)][1:]
        names = [*positional, *(param.name.value for param in params.kwonly_params)]
        found: dict[str, str] = {}
        for name in names:
            index = positional.index(name) if name in positional else -1
            kinds = {call.get(index) if index in call else call.get(name) for call in calls}
            if len(kinds) == 1:
                kind = kinds.pop()
                if kind is not None:
                    found[name] = kind
        return found

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        value = node.value
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            # `aiosession: Optional[aiohttp.ClientSession] = None`: a field declared as a client
            declared = self.declared_client(node.annotation.annotation)
            if declared is not None:
                if isinstance(node.target, cst.Name):
                    self._bind(node.target.value, declared)
                    return
                self._bind_member(node.target, declared)  # `self._client: OpenAI | None = None`
                value = None
        elif self._client_made_by(value) is None:
            # `client: OpenAI = field(default_factory=OpenAI)`, `= make_client()`: the annotation
            # says what the value is (a client made in the value keeps its own binding: its base_url)
            declared = self.declared_client(node.annotation.annotation)
            if declared is not None:
                if isinstance(node.target, cst.Name):
                    self._bind(node.target.value, declared)
                else:
                    self._bind_member(node.target, declared)
                return
        if value is not None:
            self._bind_target(node.target, value)

    def _bind_member(self, target: cst.BaseExpression, declared: Binding) -> None:
        """``self.X`` declared as a client in a method, unless the class already knows a client there."""
        if not (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
            and self.scopes[-1].kind == "function"
        ):
            return
        members = self.enclosing_class_members()
        if members is not None:
            current = members.get(identifier(target.attr.value))
            if current is None or current.qualname is None:
                members[identifier(target.attr.value)] = declared

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)  # `if (client := OpenAI()) is not None:`

    def declared_client(self, annotation: cst.BaseExpression) -> Binding | None:
        """The client an annotation declares: a class of an imported module, alone or in
        ``Optional[...]``, ``X | None``, ``Union[X, None]``, also quoted (``"OpenAI"``)."""
        inner = annotation
        if isinstance(inner, cst.SimpleString):
            text = inner.evaluated_value
            if not isinstance(text, str) or len(text) > 200:
                return None
            try:
                inner = cst.parse_expression(text)
            except Exception:  # noqa: BLE001 - an annotation that is not an expression declares nothing
                return None
        while (
            isinstance(inner, cst.Subscript)
            and self.qualname(inner.value) in _WRAPPERS
            and isinstance(inner.slice[0].slice, cst.Index)
            and (len(inner.slice) == 1 or self.qualname(inner.value) in _ANNOTATED)
        ):
            # `Annotated[OpenAI, Depends(...)]`, `ClassVar[OpenAI]`, `Final[OpenAI]`: the type inside
            inner = inner.slice[0].slice.value
        if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.BitOr):
            sides = [inner.left, inner.right]
            kept = [side for side in sides if not (isinstance(side, cst.Name) and side.value == "None")]
            if len(kept) != 1:
                return None
            inner = kept[0]
        elif isinstance(inner, cst.Subscript) and self.qualname(inner.value) in ("typing.Optional", "typing.Union"):
            kept = [
                element.slice.value
                for element in inner.slice
                if isinstance(element.slice, cst.Index)
                and not (isinstance(element.slice.value, cst.Name) and element.slice.value.value == "None")
            ]
            if len(kept) != 1:
                return None
            inner = kept[0]
        if (
            isinstance(inner, cst.Subscript)
            and self.qualname(inner.value) in ("builtins.type", "typing.Type")
            and len(inner.slice) == 1
            and isinstance(inner.slice[0].slice, cst.Index)
        ):
            # `stripe_class: type[stripe.Customer]`: the class itself, whose class methods send
            declared = self.declared_client(inner.slice[0].slice.value)
            if declared is None or declared.qualname is None:
                return None
            return Binding(declared.qualname.removesuffix("()"), annotation)
        qualname = self.qualname(inner)
        if qualname is None or "()" in qualname or qualname.split(".", 1)[0] in ("typing", "builtins"):
            return None
        if qualname in factories() or qualname in self.HTTP_FACTORIES:
            # `client: boto3.client`: a factory named where a type belongs declares what it makes
            return Binding(f"{qualname}()", annotation)
        if not _is_class_name(qualname) or qualname in _DECLARATIONS:
            return None
        return Binding(f"{qualname}()", annotation)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            item = self._declared_item(node.iter) or self._sdk_item(node.iter)
            if item is not None:
                self._bind(node.target.value, item)  # `for client in clients` with `clients: list[OpenAI]`
                return
        self._bind_loop(node.target, self._loop_values(node.iter, 0))

    def _sdk_item(self, expr: cst.BaseExpression) -> Binding | None:
        """``for repo in user.get_repos()``: an item of an object of a modelled SDK, which its
        model may type (``PaginatedList[Repository]``)."""
        made = self._client_made_by(expr)
        qualname = made.qualname if made is not None else None
        if qualname is None or not qualname.endswith("()") or not self.models.for_module(qualname):
            return None
        return Binding(f"{qualname}.{ITEM}", expr)

    def _declared_item(self, expr: cst.BaseExpression) -> Binding | None:
        """The client each item of a parameter declared as a collection of clients is
        (``clients: list[OpenAI]``, ``Sequence[...]``, ``Iterable[...]``, ``tuple[X, ...]``), or
        of what a helper of the module or class declares it returns."""
        while isinstance(expr, cst.Await):
            expr = expr.expression
        annotation: cst.BaseExpression | None = None
        if isinstance(expr, cst.Name):
            bound = self.lookup(expr.value)
            local = bound if bound is not None and bound.qualname is None else None
            value = local.value if local is not None else None
            while isinstance(value, cst.Await):
                value = value.expression
            if isinstance(value, cst.Call):
                expr = value  # `blobs = await self.alist_blobs()`, then `for blob in blobs`
            elif local is not None and isinstance(local.node, cst.Param) and local.node.annotation is not None:
                annotation = local.node.annotation.annotation  # `clients: list[OpenAI]`
        if isinstance(expr, cst.Call):
            # `for blob in self.list_blobs()` with `def list_blobs(self) -> List[Blob]`
            binding = self.binding_of(expr.func)
            helper = binding.node if binding is not None else None
            if isinstance(helper, cst.FunctionDef) and helper.returns is not None:
                annotation = helper.returns.annotation
        if not isinstance(annotation, cst.Subscript) or self.qualname(annotation.value) not in _COLLECTIONS:
            return None
        values = _type_args(annotation)
        if values is None:
            return None
        if len(values) == 2 and isinstance(values[1], cst.Ellipsis):
            values = values[:1]  # tuple[OpenAI, ...]
        if len(values) != 1:
            return None
        return self.declared_client(values[0])

    def _bind_loop(self, target: cst.BaseExpression, values: list[cst.BaseExpression] | None) -> None:
        """``for url in (PRIMARY, FALLBACK)``, ``for url, _ in [(A, x), (B, y)]``,
        ``for region, url in URLS.items()``: the name is one of those values (read as
        ``[...][i]``, a subscript of constants). Anything else binds an unknown value."""
        if values is None:
            self._bind_target(target, None)
        elif isinstance(target, cst.Name):
            choices = cst.List([cst.Element(value) for value in values])
            index = cst.SubscriptElement(cst.Index(cst.Name(_UNKNOWN)))
            self._bind_target(target, cst.Subscript(choices, [index]) if values else None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            width = len(target.elements)
            rows = [value.elements for value in values if isinstance(value, (cst.Tuple, cst.List))]
            whole = len(rows) == len(values) and all(
                len(row) == width and all(isinstance(item, cst.Element) for item in row) for row in rows
            )
            for position, element in enumerate(target.elements):
                column = [row[position].value for row in rows] if whole else None
                self._bind_loop(element.value, column)
        else:
            self._bind_target(target, None)

    def _loop_values(self, expr: cst.BaseExpression, depth: int) -> list[cst.BaseExpression] | None:
        """The values a loop over ``expr`` takes, when they are spelled in the file; None if not."""
        if depth > 4:
            return None
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            if not all(isinstance(element, cst.Element) for element in expr.elements):
                return None
            return [element.value for element in expr.elements]
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left = self._loop_values(expr.left, depth + 1)
            right = self._loop_values(expr.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            # `[(self.URL, ch) for ch in channels]`: what does not depend on the loop's own names
            bound = _names_in(expr.for_in.target)
            if isinstance(expr.elt, cst.Tuple):
                items = [
                    cst.Element(cst.Name(_UNKNOWN) if _names_in(item.value) & bound else item.value)
                    for item in expr.elt.elements
                ]
                return [cst.Tuple(items)]
            return None if _names_in(expr.elt) & bound else [expr.elt]
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value in ("items", "values", "keys")
            and not expr.args
        ):
            mapping = self._value_of(expr.func.value)
            if not isinstance(mapping, cst.Dict):
                return None
            pairs = [element for element in mapping.elements if isinstance(element, cst.DictElement)]
            if len(pairs) != len(mapping.elements):
                return None
            if expr.func.attr.value == "keys":
                return [pair.key for pair in pairs]
            if expr.func.attr.value == "values":
                return [pair.value for pair in pairs]
            return [cst.Tuple([cst.Element(pair.key), cst.Element(pair.value)]) for pair in pairs]
        value = self._value_of(expr)
        return None if value is None else self._loop_values(value, depth + 1)

    def _value_of(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        """The constant expression a name or ``self.X`` is bound to, if any."""
        binding = self.binding_of(expr)
        if binding is None or binding.qualname is not None:
            return None
        return binding.value

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, self._binding_for_value(target, value))
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
            and self.scopes[-1].kind == "function"
        ):
            members = self.enclosing_class_members()
            if members is not None:
                name = identifier(target.attr.value)
                current = members.get(name)
                if (
                    _is_none(value)
                    and current is not None
                    and (current.qualname is not None or isinstance(current.value, cst.Call))
                ):
                    # `self.client = None` (closed, or not made yet) does not erase the client,
                    # nor what a helper makes for it on first use (`= self._make_client()`)
                    return
                binding = self._binding_for_value(target.attr, value)
                if binding.qualname is None and current is not None and current.qualname is not None:
                    # `self.client = client` (one passed in) beside `self.client = OpenAI()`: the
                    # attribute holds a client of that type in any case the file shows
                    return
                if (
                    binding.qualname is not None
                    and current is not None
                    and current.qualname is not None
                    and "()" in current.qualname + binding.qualname
                ):
                    kept = (current.qualname, *current.others)
                    others = tuple(q for q in dict.fromkeys(kept) if q != binding.qualname)
                    if others:
                        binding = replace(binding, others=others)
                        self.has_others = True
                members[name] = binding
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
            if items is not None and (
                len(items) != len(target.elements) or any(not isinstance(item, cst.Element) for item in items)
            ):
                items = None
            for index, element in enumerate(target.elements):
                if isinstance(element, cst.StarredElement):
                    self._bind_target(element.value, None)
                    continue
                item: cst.BaseExpression | None = None
                if items is not None:
                    item = items[index].value  # `url, params = BASE + "/q", {}`
                elif isinstance(value, cst.Call):
                    # `url, params = build()`: the item of what the call returns
                    item = cst.Subscript(value, [cst.SubscriptElement(cst.Index(cst.Integer(str(index))))])
                self._bind_target(element.value, item)

    def _binding_for_value(self, target: cst.CSTNode, value: cst.BaseExpression | None) -> Binding:
        while isinstance(value, cst.Await):
            value = value.expression
        made = self._client_made_by(value)
        if made is not None:
            return made
        return Binding(None, target, value=value)

    def made_by(self, value: cst.BaseExpression) -> Binding | None:
        """The client (or the SDK object) a call expression makes, read as an assignment of it
        would be: ``s3.Bucket(name).Object(key)`` is ``boto3.resource().Bucket().Object()``."""
        return self._client_made_by(value, False)

    def _client_made_by(self, value: cst.BaseExpression | None, alias: bool = True) -> Binding | None:
        """The client a value holds when it is made by calling a class or a factory:
        ``httpx.Client()``, ``client or httpx.AsyncClient()`` (an injected client, else ours),
        ``x if c else Client()``, and a sub-object of one (``openai.OpenAI().images``)."""
        while isinstance(value, cst.Await):
            value = value.expression
        while (
            isinstance(value, cst.Call)
            and not value.args
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in ("__enter__", "__aenter__")
        ):
            # `await session.create_client("ecs").__aenter__()`: what `async with ... as` binds
            value = value.func.value
        if isinstance(value, cst.Name) and alias:
            # `self.client = client` after `client = Client()`; `values["engine"] = GoogleSearch`,
            # `values["wiki"] = wikipedia`: another name for the same client, class or module
            binding = self.lookup(value.value)
            if binding is not None and binding.qualname is not None:
                return Binding(binding.qualname, binding.node, value=value)
            return None
        # One of two values: only a client made here counts (`fn = requests.post if m else
        # print` is no client, and which function it is is not known).
        if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
            return self._client_made_by(value.right, False) or self._client_made_by(value.left, False)
        if isinstance(value, cst.IfExp):
            return self._client_made_by(value.body, False) or self._client_made_by(value.orelse, False)
        attrs: list[str] = []
        whole = value
        while isinstance(value, cst.Attribute):
            attrs.append(identifier(value.attr.value))
            value = value.value
        if attrs and isinstance(value, cst.Name) and alias:
            # `values["search"] = arxiv.Search`, `= sch.search_paper`: a class, function or
            # method of an import or of a client, under another name
            assert whole is not None  # the attributes were read from it
            qualname = self.qualname(whole)
            return Binding(qualname, whole, value=whole) if qualname is not None else None
        position = integer_index(value) if not attrs and isinstance(value, cst.Subscript) else None
        if position is not None and isinstance(value, cst.Subscript) and isinstance(value.value, cst.Call):
            # `new, cursor = self._get_cursor()` with `-> Tuple[bool, Cursor]`: the item declared
            return self._declared_tuple_item(value.value.func, position)
        if isinstance(value, cst.Call):
            maker = self.qualname(value.func)
            if maker == "typing.cast" and not attrs and value.args:
                # `cast(EMRClient, boto3.client("emr"))`: the type it names, else the value's own
                declared = self.declared_client(value.args[0].value)
                if declared is not None:
                    return declared
                return self._client_made_by(value.args[1].value, alias) if len(value.args) > 1 else None
            if (
                maker is not None
                and maker.endswith(_ENTERED)
                and maker.split(".", 1)[0] == "contextlib"
                and not attrs
                and value.args
            ):
                # `await stack.enter_async_context(session.resource("dynamodb"))`: what the
                # context manager gives, as `async with session.resource(...) as db` would
                return self._client_made_by(value.args[0].value, False)
            returned = self.returned_client(value.func, value) if maker is None else None
            if returned is not None and returned.qualname is not None:
                suffix = "".join(f".{attr}" for attr in reversed(attrs))
                return Binding(f"{returned.qualname}{suffix}", returned.node)
            if maker is None and isinstance(value.func, cst.Attribute):
                # `pyowm.OWM(key).weather_manager()`: a method of what a call made
                made = self._client_made_by(value.func.value, False)
                if made is not None and made.qualname is not None and "()" in made.qualname:
                    maker = f"{made.qualname}.{identifier(value.func.attr.value)}"
            if maker is not None and "()" in maker:
                # `mgr = owm.weather_manager()`, `reply = client.chat.completions.create(...)`:
                # what a method of a client returns; the SDK's model says what it is
                suffix = "".join(f".{attr}" for attr in reversed(attrs))
                return Binding(f"{maker}(){suffix}", value)
            if (
                maker is not None
                and "()" not in maker
                and maker not in _DECLARATIONS
                and (_is_class_name(maker) or maker in self.HTTP_FACTORIES or maker in factories())
            ):
                self._note_base_url(value)
                suffix = "".join(f".{attr}" for attr in reversed(attrs))
                return Binding(f"{maker}(){suffix}", value)
            if maker is not None and "()" not in maker and self._returns_sdk_object(maker):
                # `intent = stripe.PaymentIntent.create(...)`: what the SDK's function returns is
                # one of its objects, whose calls its model judges (`intent.confirm()` sends)
                suffix = "".join(f".{attr}" for attr in reversed(attrs))
                return Binding(f"{maker}(){suffix}", value)
        return None

    def _returns_sdk_object(self, maker: str) -> bool:
        """A function (or class method) of an SDK a model describes, which returns an object of
        a class of the SDK."""
        if not self.models.for_module(maker):
            return False  # not a modelled SDK: the common case, in one lookup
        verdict = self.models.judge(maker)
        return verdict is not None and verdict.returns is not None

    def _returned_client(self, node: cst.FunctionDef, several: bool = True) -> Binding | None:
        """The client a helper returns: the one its return annotation declares (``def
        get_client(self) -> OpenAI``, whatever its body), or the one it makes when its body is
        that one statement (after a docstring): ``def _session(self): return
        requests.Session()``. Resolved where the helper is defined, one level deep."""
        if node.returns is not None:
            declared = self.declared_client(node.returns.annotation)
            if declared is not None:
                return declared
        returned = _single_return(node)
        if returned is not None:
            return self._client_made_by(returned)
        if not several:
            return None  # read when a call of it is looked at (Binding.deferred)
        # A getter of several statements: every `return` makes a client of one type, or gives
        # one a local name of its body holds (`client = StripeClient(key)`, then
        # `return client.v2.core.accounts`).
        values = _returned_values(node)
        if not values:
            return None
        made = [
            self._client_made_by(value, False) or self._local_client(node, value) or self._member_client(value)
            for value in values
        ]
        kinds = {binding.qualname for binding in made if binding is not None}
        if made and None not in made and len(kinds) == 1:
            return made[0]
        types = self._made_types(kinds) if made and None not in made else {None}
        if len(types) == 1 and None not in types:
            # `return Service.from_connection_string(text)` or `return Service(url)`: two ways
            # of making one class, as its SDK's model says (`-> Self`)
            return made[0]
        return None

    def _made_types(self, kinds: set[str | None]) -> set[str | None]:
        """The classes (as their SDK's model names them) that these made clients are."""
        types: set[str | None] = set()
        for kind in kinds:
            verdict = self.models.judge(kind) if kind is not None and kind.endswith("()") else None
            types.add(verdict.returns if verdict is not None else None)
        return types

    def _member_client(self, value: cst.BaseExpression | None) -> Binding | None:
        """``return self._client``: the client the class holds there (``self._client: OpenAI |
        None = None`` in ``__init__``, made on first use by the getter)."""
        if not (isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value == "self"):
            return None
        binding = self.binding_of(value)
        if binding is not None and binding.qualname is None and isinstance(binding.value, cst.Call):
            # `self._client = self._make_client()` on first use: what that helper returns
            binding = self.returned_client(binding.value.func)
        if binding is None or binding.qualname is None or "()" not in binding.qualname:
            return None
        return binding

    def _local_client(self, node: cst.FunctionDef, value: cst.BaseExpression | None) -> Binding | None:
        """``client.v2.core.accounts`` returned after ``client = StripeClient(key)`` (a plain
        assignment among the function's own statements, its only one to that name)."""
        attrs: list[str] = []
        head = value
        while isinstance(head, cst.Attribute):
            attrs.append(identifier(head.attr.value))
            head = head.value
        if not isinstance(head, cst.Name) or not isinstance(node.body, cst.IndentedBlock):
            return None
        name = identifier(head.value)
        assigned = [
            small.value
            for statement in node.body.body
            if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
            if isinstance(small, cst.Assign)
            and any(isinstance(t.target, cst.Name) and identifier(t.target.value) == name for t in small.targets)
        ]
        if len(assigned) != 1:
            return None
        made = self._client_made_by(assigned[0], False)
        if made is None or made.qualname is None or "()" not in made.qualname:
            return None
        return Binding(made.qualname + "".join(f".{attr}" for attr in reversed(attrs)), made.node)

    def returned_value(self, func: cst.BaseExpression) -> tuple[cst.BaseExpression, cst.FunctionDef, bool] | None:
        """What a call of ``func`` returns, when ``func`` is a helper of the module
        (``make_url()``) or of the class being visited (``self._url()``) whose body is one
        ``return`` statement, or has one ``return`` among several statements: the returned
        expression, the helper, and whether it is a method."""
        binding = self.binding_of(func)
        method = not isinstance(func, cst.Name)
        if binding is None or not isinstance(binding.node, cst.FunctionDef):
            return None  # also a parameter or a value that shadows a helper's name
        returned = _single_return(binding.node)
        if returned is None:
            # A helper of several statements with one `return` at all (`_url = f"https://…"`,
            # then `return {"url": _url, …}`): its locals are read with it (see `inside`)
            values = _returned_values(binding.node)
            returned = values[0] if len(values) == 1 else None
        return (returned, binding.node, method) if returned is not None else None

    @contextmanager
    def inside(self, helper: cst.FunctionDef, method: bool) -> Iterator[None]:
        """The scopes a helper's body sees (the module's, its class's members for ``self.X``,
        its own parameters and the plain assignments of its body), not those of the function
        that calls it, for as long as the block runs: what the helper returns is read as it
        would be where it is defined."""
        saved = self.scopes
        name = identifier(helper.name.value)
        enclosing = next(
            (
                index
                for index, scope in enumerate(saved)
                if index and scope.kind == "function" and getattr(scope.names.get(name), "node", None) is helper
            ),
            None,
        )
        if enclosing is not None and not method:
            # a helper nested in a function: its free names are the enclosing function's
            self.scopes = [*saved[: enclosing + 1], _Scope("function")]
        else:
            classes = [scope for scope in saved if scope.kind == "class"][-1:] if method else []
            self.scopes = [saved[0], *classes, _Scope("function")]
        try:
            self._bind_params(helper.params)
            # Every name the helper assigns is its own: one assigned in a branch is not known
            # (never the module's name of the same spelling); its plain top-level ones are read.
            assigned = self._assigned.get(id(helper))
            if assigned is None:
                assigned = self._assigned[id(helper)] = _assigned_names(helper)
            for local in assigned:
                self._bind(local, Binding(None, helper))
            if isinstance(helper.body, cst.IndentedBlock):
                for statement in helper.body.body:  # its own plain locals, in order
                    if isinstance(statement, cst.SimpleStatementLine):
                        for small in statement.body:
                            if isinstance(small, cst.Assign) and all(
                                isinstance(t.target, cst.Name) for t in small.targets
                            ):
                                for target in small.targets:
                                    self._bind_target(target.target, small.value)
            yield None
        finally:
            self.scopes = saved

    def _overload_path(self) -> str:
        """Where overloads are kept: the class being visited, or the module ("")."""
        return (self.class_paths[-1] or "") if self.class_paths and self.scopes[-1].kind == "class" else ""

    def _overloaded(self, func: cst.BaseExpression, call: cst.Call) -> Binding | None:
        """The client a call returns by the ``@overload`` its literal arguments choose:
        ``get_client("sts")`` beside ``@overload def get_client(service: Literal["sts"]) ->
        STSClient`` (the module's functions, and the methods of the class being visited)."""
        if isinstance(func, cst.Name):
            key = ("", func.value)
        elif (
            isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls")
        ):
            key = ((self.class_paths[-1] or "") if self.class_paths else "", func.attr.value)
        else:
            return None
        for stub in self._overloads.get(key, ()):
            if stub.returns is not None and self._chosen(stub, call, method=bool(key[0])):
                return self.declared_client(stub.returns.annotation)
        return None

    def _chosen(self, stub: cst.FunctionDef, call: cst.Call, method: bool) -> bool:
        """Whether the literal arguments of ``call`` fill every ``Literal[...]`` parameter of
        ``stub`` with one of its values (and it has one)."""
        positional = [*stub.params.posonly_params, *stub.params.params][1 if method else 0 :]
        given = [arg for arg in call.args if arg.keyword is None and not arg.star]
        literal = False
        for index, param in enumerate([*positional, *stub.params.kwonly_params]):
            annotation = param.annotation.annotation if param.annotation is not None else None
            if not (isinstance(annotation, cst.Subscript) and self.qualname(annotation.value) in _LITERAL):
                continue
            values = {
                element.slice.value.evaluated_value
                for element in annotation.slice
                if isinstance(element.slice, cst.Index) and isinstance(element.slice.value, cst.SimpleString)
            }
            by_name = [arg for arg in call.args if arg.keyword is not None and arg.keyword.value == param.name.value]
            arg = by_name[0] if by_name else given[index] if index < len(positional) and index < len(given) else None
            if arg is None or not isinstance(arg.value, cst.SimpleString) or arg.value.evaluated_value not in values:
                return False
            literal = True
        return literal

    def returned_client(self, func: cst.BaseExpression, call: cst.Call | None = None) -> Binding | None:
        """The client a call of ``func`` returns, when ``func`` is such a helper of this module
        (``make_session()``) or of the class being visited (``self._session()``); with the
        ``call``, also an ``@overload`` its literal arguments choose."""
        if call is not None and self._overloads:
            chosen = self._overloaded(func, call)
            if chosen is not None:
                return chosen
        binding = self.binding_of(func)
        own_class = isinstance(func, cst.Attribute)
        if binding is None and isinstance(func, cst.Attribute):
            # `self.config.create_client()` after `self.config = BedrockConfig(...)`: a method of
            # an object made from a class of this file, read from that class
            owner = self.binding_of(func.value)
            own_class = False  # its `self` is not the class being visited
            if owner is not None and owner.qualname is None and isinstance(owner.value, cst.Call):
                made_from = self.binding_of(owner.value.func)
                if made_from is not None and made_from.members is not None:
                    binding = made_from.members.get(identifier(func.attr.value))
        if binding is None:
            return None
        if binding.deferred and isinstance(binding.node, cst.FunctionDef):
            binding.deferred = False  # once, and never again while it is read (recursion)
            with self.inside(binding.node, own_class):
                binding.returns = self._returned_client(binding.node)
        return binding.returns

    def _declared_tuple_item(self, func: cst.BaseExpression, index: int) -> Binding | None:
        """Item ``index`` of what a helper of this module or class returns, when its return
        annotation declares a tuple of fixed types (``-> tuple[bool, Cursor]``)."""
        binding = self.binding_of(func)
        node = binding.node if binding is not None else None
        if not isinstance(node, cst.FunctionDef) or node.returns is None:
            return None
        annotation = node.returns.annotation
        if isinstance(annotation, cst.SimpleString):
            return None  # a quoted tuple: rare, not read
        if not isinstance(annotation, cst.Subscript) or self.qualname(annotation.value) not in _TUPLES:
            return None
        items = _type_args(annotation)
        if items is None or not 0 <= index < len(items):
            return None
        if any(isinstance(item, cst.Ellipsis) for item in items):
            return None  # tuple[X, ...]: read as a collection elsewhere
        return self.declared_client(items[index])

    def binding_of(self, expr: cst.BaseExpression) -> Binding | None:
        """What a name, or ``self.X`` / ``cls.X`` in a method, is bound to."""
        if isinstance(expr, cst.Name):
            return self.lookup(expr.value)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
            members = self.enclosing_class_members()
            return members.get(identifier(expr.attr.value)) if members is not None else None
        return None

    def _note_base_url(self, call: cst.Call) -> None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "base_url":
                self.base_urls[id(call)] = arg.value
                return
        for arg in call.args:
            if arg.star == "**" and isinstance(arg.value, cst.Name):
                value = self.scopes[-1].items.get((identifier(arg.value.value), "base_url"))
                if value is not None:
                    self.base_urls[id(call)] = value
                    return

    # --- members of classes, for self.X / cls.X / ClassName.X -------------------------------

    def enclosing_class_members(self) -> MutableMapping[str, Binding] | None:
        """Members of the class whose method is being visited (for ``self.X`` and ``cls.X``)."""
        for i in range(len(self.scopes) - 1, 0, -1):
            if self.scopes[i].kind == "class":
                return self.scopes[i].chain
        return None


# An exit stack's methods that enter a context manager and give what it gives.
_ENTERED = ("ExitStack().enter_context", "AsyncExitStack().enter_async_context")


def _is_property(node: cst.FunctionDef) -> bool:
    return any(
        (dotted_name(d.decorator) or "").rsplit(".", 1)[-1] in ("property", "cached_property") for d in node.decorators
    )


def _own_statements(node: cst.FunctionDef) -> Iterator[cst.CSTNode]:
    """Each statement of a function's own body: small ones (``x = 1``, ``return x``) one by
    one, compound ones and their clauses (``except ... as e``); functions and classes defined
    inside it are given, not entered."""
    blocks: list[cst.BaseSuite] = [node.body]
    while blocks:
        suite = blocks.pop()
        statements: Sequence[cst.CSTNode]
        if isinstance(suite, cst.IndentedBlock):
            statements = suite.body
        else:
            statements = [suite]
        for statement in statements:
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                yield from statement.body
                continue
            yield statement
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) or not isinstance(
                statement, cst.BaseCompoundStatement
            ):
                continue
            for part in (statement, *_clauses(statement)):
                if part is not statement:
                    yield part
                body = getattr(part, "body", None)
                if isinstance(body, cst.BaseSuite):
                    blocks.append(body)


def _returned_values(node: cst.FunctionDef) -> list[cst.BaseExpression | None]:
    """What each ``return`` of a function gives (None for a bare one), read statement by
    statement (not into expressions, nor into functions or classes defined inside it); empty for
    a generator (a ``yield`` as a statement or an assigned value)."""
    values: list[cst.BaseExpression | None] = []
    for statement in _own_statements(node):
        if isinstance(statement, cst.Return):
            values.append(statement.value)
        elif isinstance(statement, (cst.Expr, cst.Assign)) and isinstance(statement.value, cst.Yield):
            return []
    return values


def _assigned_names(node: cst.FunctionDef) -> set[str]:
    """Every name a function's own body binds (assignments, augmented and annotated ones,
    ``for`` and ``with`` targets, ``except ... as``, functions and classes it defines), not
    those of functions or classes defined inside it."""
    found: set[str] = set()
    for statement in _own_statements(node):
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                found |= _target_names(target.target)
        elif isinstance(statement, (cst.AugAssign, cst.AnnAssign, cst.For)):
            found |= _target_names(statement.target)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            found.add(identifier(statement.name.value))
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    found |= _target_names(item.asname.name)
        elif isinstance(statement, cst.ExceptHandler) and statement.name is not None:
            found |= _target_names(statement.name.name)
    return found


def _target_names(target: cst.CSTNode) -> set[str]:
    """The plain names an assignment target binds (``a``, ``a, (b, *c)``), not ``obj.attr``
    or ``d[key]``."""
    if isinstance(target, cst.Name):
        return {identifier(target.value)}
    if isinstance(target, (cst.Tuple, cst.List)):
        found: set[str] = set()
        for element in target.elements:
            found |= _target_names(element.value)
        return found
    return set()


def _clauses(statement: cst.BaseCompoundStatement) -> list[cst.CSTNode]:
    """The other clauses of a compound statement: else, elif, except, finally, match cases."""
    out: list[cst.CSTNode] = []
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        out.append(orelse)
        orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None
    out.extend(getattr(statement, "handlers", ()))
    final = getattr(statement, "finalbody", None)
    if final is not None:
        out.append(final)
    out.extend(getattr(statement, "cases", ()))
    return out


def _single_return(node: cst.FunctionDef) -> cst.BaseExpression | None:
    """The expression a function returns when its body is one ``return`` (after a docstring)."""
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    statements = list(body.body)
    if (
        statements
        and isinstance(statements[0], cst.SimpleStatementLine)
        and len(statements[0].body) == 1
        and isinstance(statements[0].body[0], cst.Expr)
        and isinstance(statements[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    ):
        statements = statements[1:]  # the docstring
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return None
    small = statements[0].body
    if len(small) != 1 or not isinstance(small[0], cst.Return) or small[0].value is None:
        return None
    return small[0].value


# A name no scope binds: a value that is not known (what a comprehension's own names hold).
_UNKNOWN = "_lint_canon_unknown_"


def _names_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            names.add(current.value)
        stack.extend(current.children)
    return names


# Decorators of pydantic validators (and langchain's pre_init), whose `values[...]` are fields.
_VALIDATORS = frozenset({"model_validator", "root_validator", "pre_init"})


def plain_index(expr: cst.Subscript) -> cst.BaseExpression | None:
    """What ``x[...]`` indexes with, when it is one plain index (not a slice, not several)."""
    if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        return expr.slice[0].slice.value
    return None


def integer_index(expr: cst.Subscript) -> int | None:
    """``x[2]``: the index, when it is a decimal integer literal."""
    index = plain_index(expr)
    if isinstance(index, cst.Integer) and index.value.isdigit():
        return int(index.value)
    return None


def constant_index(expr: cst.Subscript) -> str | None:
    """``x["key"]``: the key, when it is a string literal."""
    index = plain_index(expr)
    if isinstance(index, cst.SimpleString) and isinstance(index.evaluated_value, str):
        return index.evaluated_value
    return None


def _type_args(annotation: cst.Subscript) -> list[cst.BaseExpression] | None:
    """The types an annotation's subscript lists (``tuple[bool, Cursor]``); None if one of them
    is not a plain type (a slice)."""
    elements = [element.slice for element in annotation.slice]
    if not all(isinstance(element, cst.Index) for element in elements):
        return None
    return [element.value for element in elements if isinstance(element, cst.Index)]


def _constant_key(target: cst.BaseExpression) -> str | None:
    """The key of ``name["key"]``, when it is a string literal."""
    if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
        return constant_index(target)
    return None


def _is_none(value: cst.BaseExpression | None) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"
