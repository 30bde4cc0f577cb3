"""Derive an SDK's model from its own source: which of its calls send a request.

``scan(folder, roots)`` reads the package's ``.py`` files (it never imports them) and answers,
for every public class and function reachable from the package's exported names:

- which methods and functions *send*: their bodies reach a transport (an httpx, requests,
  aiohttp, urllib3, http.client, urllib, websockets or grpc call) through calls this scanner can
  follow — ``self.m()``, attributes typed by annotations or by what ``__init__`` stores,
  bound-method aliases (``self._post = client.post``), return annotations, module functions and
  the overrides of a method in subclasses (a call on a base may reach any of them);
- which are *local* (nothing they call can reach a transport) and which it *could not decide*
  (they call something on a value whose type it cannot read);
- the types attributes, properties and methods give back, so that a linter can follow
  ``client.chat.completions.create(...)`` to ``ChatCompletion`` and know its methods are local;
- the hosts the SDK's clients talk to by default (URL literals bound to ``base_url``-like names).

The model is data, reviewed and shipped with the SDK's name and version (``lint_canon/sdks/data``).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Instances of these classes send through these methods (a subclass of one inherits them).
TRANSPORT_CLASSES: dict[str, frozenset[str]] = {}
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
for _name in ("httpx.Client", "httpx.AsyncClient", "httpx._client.Client", "httpx._client.AsyncClient"):
    TRANSPORT_CLASSES[_name] = _HTTP_VERBS | {"send", "stream"}
# httpx2 (2.x) has httpx's client API (its _client.Client / AsyncClient: request, stream, send, verbs)
for _name in ("httpx2.Client", "httpx2.AsyncClient", "httpx2._client.Client", "httpx2._client.AsyncClient"):
    TRANSPORT_CLASSES[_name] = _HTTP_VERBS | {"send", "stream", "query"}
for _name in ("requests.Session", "requests.sessions.Session", "requests.session"):
    TRANSPORT_CLASSES[_name] = _HTTP_VERBS | {"send"}
for _name in ("aiohttp.ClientSession", "aiohttp.client.ClientSession"):
    TRANSPORT_CLASSES[_name] = _HTTP_VERBS | {"_request", "ws_connect"}
for _name in (
    "urllib3.PoolManager",
    "urllib3.poolmanager.PoolManager",
    "urllib3.ProxyManager",
    "urllib3.HTTPConnectionPool",
    "urllib3.HTTPSConnectionPool",
    "urllib3.connectionpool.HTTPConnectionPool",
    "urllib3.connectionpool.HTTPSConnectionPool",
    "urllib3.connection_from_url",
):
    TRANSPORT_CLASSES[_name] = frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"})
for _name in ("http.client.HTTPConnection", "http.client.HTTPSConnection", "httplib.HTTPSConnection"):
    TRANSPORT_CLASSES[_name] = frozenset({"request", "getresponse", "endheaders", "send"})
# Messages sent over an open WebSocket to the service (aiohttp's, websockets')
for _name in ("aiohttp.ClientWebSocketResponse", "aiohttp.client_ws.ClientWebSocketResponse"):
    TRANSPORT_CLASSES[_name] = frozenset({"send_str", "send_bytes", "send_json", "send_frame"})
for _name in (
    "websockets.ClientConnection",
    "websockets.asyncio.client.ClientConnection",
    "websockets.sync.client.ClientConnection",
    "websockets.WebSocketClientProtocol",
    "websockets.legacy.client.WebSocketClientProtocol",
    "websockets.client.WebSocketClientProtocol",
):
    TRANSPORT_CLASSES[_name] = frozenset({"send"})
# hyper (HTTP/2, apns2's transport)
for _name in ("hyper.HTTP20Connection", "hyper.HTTPConnection", "hyper.http20.connection.HTTP20Connection"):
    TRANSPORT_CLASSES[_name] = frozenset({"request", "get_response", "connect", "endheaders", "send"})
for _name in ("google.auth.transport.requests.AuthorizedSession",):
    TRANSPORT_CLASSES[_name] = _HTTP_VERBS | {"send"}
for _name in ("urllib.request.OpenerDirector",):
    TRANSPORT_CLASSES[_name] = frozenset({"open"})
for _name in ("grpc.Channel", "grpc.aio.Channel"):
    TRANSPORT_CLASSES[_name] = frozenset({"unary_unary", "unary_stream", "stream_unary", "stream_stream"})

# Functions that send when called.
TRANSPORT_FUNCTIONS = frozenset(
    {
        *(f"requests.{verb}" for verb in _HTTP_VERBS),
        *(f"requests.api.{verb}" for verb in _HTTP_VERBS),
        *(f"httpx.{verb}" for verb in _HTTP_VERBS),
        "httpx.stream",
        *(f"httpx2.{verb}" for verb in (*_HTTP_VERBS, "query", "stream")),
        "aiohttp.request",
        "urllib.request.urlopen",
        "urllib2.urlopen",
        "urllib3.request",
        "websockets.connect",
        "websockets.client.connect",
        "websockets.sync.client.connect",
        "websocket.create_connection",
        "feedparser.parse",  # fetches the URL it is given (arxiv 1.x reads its API this way)
        "botocore.client.BaseClient._make_api_call",
    }
)
_STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}
# Libraries of data classes whose own methods never send (validation, serialisation, copying):
# an SDK's response model built on one inherits only local methods from it.
_DATA_LIBRARIES = frozenset({"pydantic", "pydantic_core", "attr", "attrs", "typing_extensions", "marshmallow"})
# Methods of Python's own types: a call of one on a value of unknown type is taken to be on data
# (``headers.get(...)``, ``parts.append(...)``), read from the types themselves.
BUILTIN_METHODS = frozenset(
    name for kind in (dict, list, str, bytes, set, frozenset, tuple, int, float, object) for name in dir(kind)
)
# An unknown receiver's method is looked up by its name among the SDK's classes (name-based class
# hierarchy analysis) when so few classes define it that the name says which.
_MAX_NAMESAKES = 6
TRANSPORT_ROOTS = frozenset(name.split(".", 1)[0] for name in (*TRANSPORT_CLASSES, *TRANSPORT_FUNCTIONS)) - {
    "urllib",  # urllib.parse is imported for quoting everywhere; urlopen is a function of its own
    "botocore",
}
# The method names by which a transport sends, less those Python's own types also have (`get`).
# HTTP clients' only: a WebSocket's or hyper's `connect` / `send_json` on an object of unknown
# type says nothing (`pool.connect()`, `signal.connect()`).
_TRANSPORT_METHODS = (
    frozenset(name for names in TRANSPORT_CLASSES.values() for name in names)
    - BUILTIN_METHODS
    - {"connect", "get_response", "send_str", "send_bytes", "send_json", "send_frame"}
)

_WRAPPERS = frozenset(
    {"Optional", "Awaitable", "Coroutine", "Type", "type", "ClassVar", "Final", "Annotated", "Required", "NotRequired"}
)
_CONTAINERS = frozenset(
    {"List", "list", "Dict", "dict", "Tuple", "tuple", "Set", "set", "Sequence", "Mapping", "Iterable", "Iterator"}
)
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "functools.cached_property"})
# a host written without its scheme, where the parameter says it is one (`server`, `host`)
_BARE_HOST_NAMES = re.compile(r"^_*(?:[a-z]+_)*(?:host|hostname|server)$", re.IGNORECASE)
# Hosts an SDK names that are not its service's: mail relays, proxies, redirects, metadata servers
_NOT_SERVICE_HOST_NAMES = re.compile(
    r"(?:^|_)(?:smtp|mail|proxy|redirect|callback|metadata|statsd|db|redis|local)(?:_|$)", re.IGNORECASE
)
_BARE_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+(?!(?:json|ya?ml|txt|py|cfg|ini|xml|csv|log|pem|crt|key|toml)$)[a-z]{2,}$")
# Builtins that iterate their argument.
_ITERATING = frozenset(
    {"iter", "next", "list", "tuple", "set", "sorted", "dict", "enumerate", "zip", "sum", "any", "all"}
)
_SELF_TYPES = frozenset({"typing.Self", "typing_extensions.Self"})
_CLASS_URL_NAMES = frozenset({"url", "root_url", "api_root", "root"})
_HOST_NAMES = re.compile(r"(base_?url|api_?base|api_?url|base_?uri|endpoint|host|server)", re.IGNORECASE)


@dataclass
class Function:
    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: Module
    owner: Class | None
    is_property: bool = False
    is_static: bool = False
    returns: Any = None  # a type (see Scanner._type), resolved lazily
    callees: list[Any] = field(default_factory=list)
    unknown: int = 0  # calls on values whose type could not be read
    direct: bool = False  # calls a transport itself
    # sends only in a branch taken when an optional argument is given (`if access_token:` with
    # `access_token=None`): whether a call sends depends on its arguments, so it is not decided
    conditional: bool = False
    guarded_callees: list[Any] = field(default_factory=list)
    guarded_direct: bool = False
    sends: bool = False
    imports: dict[str, str] = field(default_factory=dict)  # imports inside the body (lazy ones)
    locals: dict[str, list[ast.expr]] = field(default_factory=dict)  # the values of each local name


@dataclass
class Class:
    qualname: str
    node: ast.ClassDef
    module: Module
    bases: list[str] = field(default_factory=list)  # resolved qualnames (SDK or external)
    methods: dict[str, Function] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)  # name -> annotation / value node
    subclasses: list[Class] = field(default_factory=list)
    # `self.request = self._requests_request` in __init__: the method the instance really calls
    aliases: dict[str, list[str]] = field(default_factory=dict)
    # `self._registry = registry` (a parameter): a subclass's __init__ may say its type
    from_parameter: dict[str, str] = field(default_factory=dict)


@dataclass
class Module:
    name: str
    tree: ast.Module
    is_package: bool
    names: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    assigns: dict[str, ast.expr] = field(default_factory=dict)
    annotations: dict[str, ast.expr] = field(default_factory=dict)  # `embeddings: Embeddings = ...`
    stars: list[str] = field(default_factory=list)  # `from .wikipedia import *`: modules re-exported


@dataclass(frozen=True)
class Inst:
    """An instance of a class (SDK qualname or an external one such as httpx.Client)."""

    cls: str


@dataclass(frozen=True)
class Items:
    """A container of instances: ``tuple[BaseRequest, BaseRequest]``, ``list[Client]``."""

    inner: Inst


@dataclass(frozen=True)
class Ref:
    """A class, function or module itself (not an instance)."""

    qualname: str


@dataclass(frozen=True)
class Bound:
    """A method of an instance: ``client.post`` (kept by ``self._post = client.post``)."""

    cls: str
    name: str


class Scanner:
    def __init__(self, folder: Path, roots: Iterable[str], pagers: Iterable[str] = ()) -> None:
        self.folder = folder
        self.roots = tuple(roots)
        # Reviewed: classes that call, as they are iterated, the command they were made with
        # (azure-core's ItemPaged): what the source says only through a callable passed along
        self.pagers = frozenset(pagers)
        self.modules: dict[str, Module] = {}
        self.classes: dict[str, Class] = {}
        self.functions: dict[str, Function] = {}
        self._computing: set[str] = set()
        self._made: dict[str, list[tuple[Function, ast.Call]]] | None = None  # class -> calls making it
        self._passing: set[str] = set()  # classes whose constructions are being read
        # (class, method name) -> what a call may run; the class graph is fixed once indexed
        self._methods_cache: dict[tuple[str, str], list[Function]] = {}
        self._mro_cache: dict[str, list[str]] = {}
        for root in self.roots:
            self._read(root)
        for module in self.modules.values():
            self._index(module)
        for _ in range(3):  # stars of stars
            for module in self.modules.values():
                for source in module.stars:
                    origin = self.modules.get(source)
                    if origin is None:
                        continue
                    exported = [*origin.names, *origin.assigns]
                    for name in exported:
                        if not name.startswith("_"):
                            module.names.setdefault(name, origin.names.get(name, f"{source}.{name}"))
        for cls in list(self.classes.values()):
            self._registered(cls)
        for cls in self.classes.values():
            for base_node in cls.node.bases:
                if isinstance(base_node, ast.Subscript):
                    base_node = base_node.value  # Generic[T], BaseAPI[Client]
                base = self._dotted_qualname(cls.module, base_node)
                if base is not None:
                    cls.bases.append(base)
        for cls in self.classes.values():
            for base in cls.bases:
                if base in self.classes:
                    self.classes[base].subclasses.append(cls)
        self._methods_cache.clear()  # anything read before the class graph was whole
        self._mro_cache.clear()
        self._by_name: dict[str, list[Function]] = {}
        for cls in self.classes.values():
            for name, method in cls.methods.items():
                self._by_name.setdefault(name, []).append(method)
        for function in self.functions.values():
            self._local_imports(function)
        for function in self.functions.values():
            self._collect_calls(function, index_only=True)
        for function in self.functions.values():
            self._collect_calls(function)
        self._fixpoint()

    # --- reading ---------------------------------------------------------------------

    def _read(self, root: str) -> None:
        base = self.folder.joinpath(*root.split("."))
        files: list[tuple[str, Path, bool]] = []
        if base.is_dir():
            for path in sorted(base.rglob("*.py")):
                rel = path.relative_to(self.folder).with_suffix("")
                parts = list(rel.parts)
                if any(part in ("tests", "test", "testing") for part in parts):
                    continue
                package = parts[-1] == "__init__"
                if package:
                    parts = parts[:-1]
                files.append((".".join(parts), path, package))
        elif base.with_suffix(".py").is_file():
            files.append((root, base.with_suffix(".py"), False))
        for name, path, package in files:
            try:
                tree = ast.parse(path.read_bytes(), str(path))
            except (SyntaxError, ValueError):
                continue
            self.modules[name] = Module(name, tree, package)

    def _in_sdk(self, qualname: str) -> bool:
        return any(qualname == root or qualname.startswith(root + ".") for root in self.roots)

    def _absolute(self, module: Module, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = module.name.split(".")
        if not module.is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
        return ".".join([*parts, node.module] if node.module else parts)

    def _index(self, module: Module) -> None:
        for node in _top_level(module.tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        module.names[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".", 1)[0]
                        module.names[head] = head
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(module, node)
                for alias in node.names:
                    if alias.name == "*":
                        module.stars.append(source)
                    else:
                        module.names[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.ClassDef):
                self._index_class(module, node, f"{module.name}.{node.name}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{module.name}.{node.name}"
                module.names[node.name] = qualname
                self.functions[qualname] = Function(qualname, node, module, None)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                module.assigns[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                module.annotations[node.target.id] = node.annotation
                if node.value is not None:
                    module.assigns[node.target.id] = node.value

    def _index_class(self, module: Module, node: ast.ClassDef, qualname: str, nested: bool = False) -> None:
        if not nested:
            module.names.setdefault(node.name, qualname)
        cls = Class(qualname, node, module)
        self.classes[qualname] = cls
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef):
                # `class _GetSecret:` in a transport's body, made as `self._GetSecret()`
                self._index_class(module, stmt, f"{qualname}.{stmt.name}", nested=True)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decorators = {_dotted(d) for d in stmt.decorator_list}
                function = Function(
                    f"{qualname}.{stmt.name}",
                    stmt,
                    module,
                    cls,
                    is_property=bool(decorators & _PROPERTY_DECORATORS),
                    is_static="staticmethod" in decorators,
                )
                if stmt.name in cls.methods and any(
                    (_dotted(d) or "").endswith((".setter", ".deleter")) or _dotted(d) == "overload"
                    for d in stmt.decorator_list
                ):
                    continue  # a setter, or the implementation after @overload stubs: keep the first
                cls.methods[stmt.name] = function
                self.functions[function.qualname] = function
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                cls.attributes.setdefault(stmt.target.id, ("annotation", stmt.annotation, module))
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                cls.attributes.setdefault(stmt.targets[0].id, ("value", stmt.value, None))
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._index_self_attributes(cls, stmt)

    def _registered(self, cls: Class) -> None:
        """Objects a client registers on itself by name from a table of classes:
        ``for manager_class in self._managers: setattr(self, manager_class(self).name, ...)``
        (postmarker's ``client.emails``): each class's ``name`` attribute names one."""
        for method in cls.node.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for loop in ast.walk(method):
                if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Name)):
                    continue
                table = cls.attributes.get((_dotted(loop.iter) or "").rsplit(".", 1)[-1])
                if table is None or not isinstance(table[1], (ast.Tuple, ast.List)):
                    continue
                if not any(
                    isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "setattr"
                    for call in ast.walk(loop)
                ):
                    continue
                for element in table[1].elts:
                    qualname = self._dotted_qualname(cls.module, element) if isinstance(element, ast.Name) else None
                    registered = self.classes.get(qualname or "")
                    entry = registered.attributes.get("name") if registered is not None else None
                    if entry is not None and isinstance(entry[1], ast.Constant) and isinstance(entry[1].value, str):
                        cls.attributes.setdefault(entry[1].value, ("annotation", element, cls.module))

    def _index_self_attributes(self, cls: Class, method: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        params = {
            arg.arg: arg.annotation for arg in (*method.args.posonlyargs, *method.args.args, *method.args.kwonlyargs)
        }
        for node in ast.walk(method):
            target: ast.expr | None = None
            value: ast.expr | None = None
            annotation: ast.expr | None = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value, annotation = node.target, node.value, node.annotation
            if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
                continue
            if target.value.id != "self":
                continue
            if target.attr in cls.methods:
                if (
                    isinstance(value, ast.Attribute)
                    and isinstance(value.value, ast.Name)
                    and value.value.id == "self"
                    and value.attr in cls.methods
                ):
                    cls.aliases.setdefault(target.attr, []).append(value.attr)
                continue
            if annotation is not None:
                cls.attributes[target.attr] = ("annotation", annotation, cls.module)
            elif target.attr not in cls.attributes or cls.attributes[target.attr][0] == "value":
                if isinstance(value, ast.Name) and value.id in params:
                    cls.from_parameter[target.attr] = value.id
                if isinstance(value, ast.Name) and value.id in params and params[value.id] is None:
                    checked = _checked_class(method, value.id)
                    if checked is not None:
                        params[value.id] = checked  # `if not isinstance(value, HttpClient): raise`
                if isinstance(value, ast.Name) and params.get(value.id) is not None:
                    cls.attributes[target.attr] = ("annotation", params[value.id], cls.module)
                elif value is not None and not _is_none(value):
                    cls.attributes.setdefault(target.attr, ("value", value, method))

    # --- types -----------------------------------------------------------------------

    def resolve_name(self, module: Module, name: str, depth: int = 0) -> str | None:
        """The qualified name a module-level name stands for, through re-exports."""
        qualname = module.names.get(name)
        if qualname is None:
            if name in module.assigns and depth < 5:
                value = module.assigns[name]
                if isinstance(value, (ast.Name, ast.Attribute)):
                    return self._dotted_qualname(module, value, depth + 1)
            return None
        return self.canonical(qualname, depth)

    def canonical(self, qualname: str, depth: int = 0) -> str:
        """``openai.OpenAI`` -> ``openai._client.OpenAI``: follow re-exports inside the SDK."""
        for _ in range(10):
            if qualname in self.modules:
                # `from .GithubIntegration import GithubIntegration` in the package's __init__:
                # the attribute is the class now, no longer the submodule of that name
                parent, _, name = qualname.rpartition(".")
                rebound = self.modules[parent].names.get(name) if parent in self.modules else None
                if (
                    rebound is not None
                    and rebound != qualname
                    and (rebound in self.classes or rebound in self.functions)
                ):
                    return rebound
                return qualname
            if qualname in self.classes or qualname in self.functions:
                return qualname
            module_name, _, name = qualname.rpartition(".")
            module = self.modules.get(module_name)
            if module is None or depth > 8:
                return qualname
            nxt = module.names.get(name)
            if nxt is None:
                value = module.assigns.get(name)
                if isinstance(value, (ast.Name, ast.Attribute)):
                    nxt = self._dotted_qualname(module, value, depth + 1)
            if nxt is None or nxt == qualname:
                return qualname
            qualname = nxt
        return qualname

    def _dotted_qualname(self, module: Module, node: ast.expr, depth: int = 0) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.resolve_name(module, head, depth + 1)
        if base is None:
            return None
        return self.canonical(f"{base}.{rest}", depth + 1) if rest else base

    def annotation_type(self, node: ast.expr | None, module: Module, depth: int = 0) -> Any:
        """The type an annotation names: an instance of one class, or None."""
        if node is None or depth > 12:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union([node.left, node.right], module, depth)
        if isinstance(node, ast.Subscript):
            head = _dotted(node.value) or ""
            last = head.rsplit(".", 1)[-1]
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if not items:
                return None  # `Optional[()]`: nothing named
            if last == "Union":
                return self._union(items, module, depth)
            if last in ("Type", "type"):
                inner = self.annotation_type(items[0], module, depth + 1)
                return Ref(inner.cls) if isinstance(inner, Inst) else None  # the class itself
            if last in _WRAPPERS:
                return self.annotation_type(items[-1] if last == "Coroutine" else items[0], module, depth + 1)
            if last in _CONTAINERS:
                element = self._first(items[-1:] if last in ("Dict", "dict", "Mapping") else items, module, depth)
                return Items(element) if isinstance(element, Inst) else None
            node = node.value  # Stream[Chunk] -> Stream
        if isinstance(node, (ast.Name, ast.Attribute)):
            qualname = self._dotted_qualname(module, node)
            if qualname is None or qualname in ("None", "typing.Any"):
                return None
            return Inst(qualname)
        return None

    def _union(self, items: list[ast.expr], module: Module, depth: int) -> Any:
        """One of several types: a transport or a class of the SDK among them (``ModuleType |
        requests.Session``: the module ``requests`` or a session, both of which send), else the
        first that is known."""
        found = [self.annotation_type(item, module, depth + 1) for item in items]
        for kind in found:
            if isinstance(kind, Inst) and (kind.cls in TRANSPORT_CLASSES or kind.cls in self.classes):
                return kind
        return next((kind for kind in found if kind is not None), None)

    def _first(self, items: list[ast.expr], module: Module, depth: int) -> Any:
        for item in items:
            found = self.annotation_type(item, module, depth + 1)
            if found is not None:
                return found
        return None

    def mro(self, qualname: str) -> Iterator[Class]:
        """The SDK's classes of ``qualname``'s method resolution order, as Python computes it
        (C3: ``class Sub(Left, Mixin)`` with ``class Left(Root)`` looks in Left, Root, then
        Mixin); breadth-first where C3 has no answer. Computed once per class."""
        order = self._mro_cache.get(qualname)
        if order is None:
            order = self._mro_cache[qualname] = self._c3(qualname, set()) or self._breadth_first(qualname)
        for name in order:
            yield self.classes[name]

    def _c3(self, qualname: str, visiting: set[str]) -> list[str] | None:
        if qualname not in self.classes or qualname in visiting:
            return None
        visiting.add(qualname)
        try:
            bases = [base for base in self.classes[qualname].bases if base in self.classes]
            sequences: list[list[str]] = []
            for base in bases:
                line = self._c3(base, visiting)
                if line is None:
                    return None
                sequences.append(list(line))
            sequences.append(list(bases))
            order = [qualname]
            while any(sequences):
                head = next(
                    (seq[0] for seq in sequences if seq and not any(seq[0] in other[1:] for other in sequences)),
                    None,
                )
                if head is None:
                    return None  # no consistent order (Python would refuse the class)
                order.append(head)
                for seq in sequences:
                    if seq and seq[0] == head:
                        del seq[0]
            return order
        finally:
            visiting.discard(qualname)

    def _breadth_first(self, qualname: str) -> list[str]:
        order: list[str] = []
        stack = [qualname]
        while stack:
            current = stack.pop(0)
            if current in order or current not in self.classes:
                continue
            order.append(current)
            stack.extend(self.classes[current].bases)
        return order

    def external_bases(self, qualname: str) -> list[str]:
        out: list[str] = []
        for cls in self.mro(qualname):
            out.extend(base for base in cls.bases if base not in self.classes)
        return out

    def attribute_type(self, cls_name: str, attr: str, depth: int = 0) -> Any:
        if depth > 12:
            return None
        injected = self._injected(cls_name, attr)
        if injected is not None:
            return injected
        for cls in self.mro(cls_name):
            method = cls.methods.get(attr)
            if method is not None:
                if method.is_property:
                    return self.returns(method, depth + 1)
                return Bound(cls_name, attr)
            if f"{cls.qualname}.{attr}" in self.classes:
                return Ref(f"{cls.qualname}.{attr}")  # a class defined in the class's body
            entry = cls.attributes.get(attr)
            if entry is None:
                getattr_ = cls.methods.get("__getattr__")
                if getattr_ is not None and not attr.startswith("_"):
                    return self.returns(getattr_, depth + 1)  # a dynamic client: `client.mail.send`
                continue
            kind, node, where = entry
            if kind == "annotation":
                return self.annotation_type(node, where or cls.module)
            if isinstance(where, ast.AST):  # a value stored in a method: read in that method
                function = self.functions.get(f"{cls.qualname}.{where.name}")  # type: ignore[attr-defined]
                if function is not None:
                    return self.expr_type(node, function, {}, depth + 1)
            return self.expr_type(node, None, {}, depth + 1, module=cls.module, owner=cls)
        return None

    def _injected(self, cls_name: str, attr: str) -> Any:
        """``self._registry = registry`` in a base whose ``registry`` is untyped (``Any``), and a
        subclass's ``__init__(self, registry: ClientRegistry)``: the most derived annotation."""
        chain = list(self.mro(cls_name))
        parameter = next((cls.from_parameter[attr] for cls in chain if attr in cls.from_parameter), None)
        if parameter is None:
            return None
        for cls in chain:
            init = cls.methods.get("__init__")
            if init is None:
                continue
            args = init.node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if arg.arg == parameter and arg.annotation is not None:
                    found = self.annotation_type(arg.annotation, cls.module)
                    if found is not None:
                        return found
        return self._passed_at_construction(cls_name, parameter)

    def _passed_at_construction(self, cls_name: str, parameter: str) -> Any:
        """``self.connection = connection``, untyped, and every call of the SDK that makes the
        class passes the same kind of object there (``Cursor(self)`` in ``Connection.cursor``)."""
        if cls_name in self._passing:
            return None
        init = self._init(cls_name)
        if init is None:
            return None
        kinds = set()
        self._passing.add(cls_name)
        # the class's constructions and those of the subclasses that keep its __init__
        # (`class Payment(Base)` made as `Payment(options, self.http_client)`)
        made = list(self._constructions().get(cls_name, ()))
        for sub in self._descendants(cls_name):
            if self._init(sub.qualname) is init:
                made.extend(self._constructions().get(sub.qualname, ()))
        try:
            for function, call in made:
                given = next((kw.value for kw in call.keywords if kw.arg == parameter), None)
                if given is None:
                    given = dict(self._by_position(init, call.args)).get(parameter)
                if given is None:
                    return None  # not passed (its default), after a *args, or through **kwargs
                kinds.add(self.expr_type(given, function, {}, 2))
        finally:
            self._passing.discard(cls_name)
        if len(kinds) != 1:
            return None
        found = kinds.pop()
        return found if isinstance(found, Inst) else None

    def _constructions(self) -> dict[str, list[tuple[Function, ast.Call]]]:
        """Every call in the SDK's functions that makes one of its classes, by class."""
        if self._made is None:
            self._made = {}
            names = {qualname.rsplit(".", 1)[-1] for qualname in self.classes}
            for function in self.functions.values():
                for node in ast.walk(function.node):
                    if not isinstance(node, ast.Call):
                        continue
                    func = node.func
                    name = (
                        func.id
                        if isinstance(func, ast.Name)
                        else func.attr
                        if isinstance(func, ast.Attribute)
                        else None
                    )
                    if name not in names:
                        continue  # the common case: no class of the SDK is called that
                    made = self._class_called(func, function)
                    if made is not None:
                        self._made.setdefault(made, []).append((function, node))
        return self._made

    def _class_called(self, func: ast.expr, function: Function) -> str | None:
        """The SDK class a call's callee names (``Cursor``, ``cursor.Cursor``), read from the
        imports alone: no type is computed here (a result computed while others are under way
        would be kept)."""
        dotted = _dotted(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = function.imports.get(head) or self.resolve_name(function.module, head)
        if base is None:
            return None
        qualname = self.canonical(f"{base}.{rest}" if rest else base)
        return qualname if qualname in self.classes else None

    def returns(self, function: Function, depth: int = 0) -> Any:
        """What a call of ``function`` gives back. Computed once, with a fresh depth budget (a
        result cut short by the caller's depth would be kept); a cycle gives None."""
        if function.returns is None:
            if function.qualname in self._computing:
                return None
            self._computing.add(function.qualname)
            try:
                found = self.annotation_type(function.node.returns, function.module)
                if self._returns_self(function):
                    # `def from_connection_string(cls, ...) -> Self`: an instance of its class
                    found = Inst(function.owner.qualname) if function.owner is not None else None
                if found is None:
                    found = self._returned(function, 1)
            finally:
                self._computing.discard(function.qualname)
            function.returns = found if found is not None else False
        return function.returns or None

    def _returns_self(self, function: Function) -> bool:
        if function.node.returns is None:
            return False
        found = self.annotation_type(function.node.returns, function.module)
        return isinstance(found, Inst) and found.cls in _SELF_TYPES

    def _returned(self, function: Function, depth: int) -> Any:
        """The type of what a function without an annotation returns, when one return says it."""
        for node in ast.walk(function.node):
            if isinstance(node, ast.Return) and node.value is not None:
                found = self.expr_type(node.value, function, {}, depth)
                if found is not None:
                    return found
        return None

    def expr_type(
        self,
        node: ast.expr,
        function: Function | None,
        local: dict[str, list[ast.expr]],
        depth: int = 0,
        module: Module | None = None,
        owner: Class | None = None,
    ) -> Any:
        if depth > 12:
            return None
        module = function.module if function is not None else module
        owner = function.owner if function is not None else owner
        if module is None:
            return None
        if isinstance(node, ast.Await):
            return self.expr_type(node.value, function, local, depth + 1, module, owner)
        if isinstance(node, ast.Name):
            if node.id in ("self", "cls") and owner is not None:
                return Inst(owner.qualname) if node.id == "self" else Ref(owner.qualname)
            if function is not None:
                if node.id in function.imports:
                    return Ref(self.canonical(function.imports[node.id]))
                local = local or function.locals
                args = function.node.args
                for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                    if arg.arg == node.id and (arg.annotation is not None or node.id not in local):
                        if arg.annotation is None and function.node.name == "__init__" and owner is not None:
                            # `def __init__(self, gateway)`: what every construction in the SDK passes
                            return self._passed_at_construction(owner.qualname, node.id)
                        return self.annotation_type(arg.annotation, module)
                if node.id in local:
                    for value in local[node.id]:  # `bucket = arg` or `bucket = Bucket(...)`: a typed one
                        found = self.expr_type(value, function, {}, depth + 1)
                        if found is not None:
                            return found
                    return None
            qualname = self.resolve_name(module, node.id)
            return Ref(qualname) if qualname is not None else None
        if isinstance(node, ast.Attribute):
            base = self.expr_type(node.value, function, local, depth + 1, module, owner)
            if isinstance(base, Inst):
                if base.cls in self.classes:
                    found = self.attribute_type(base.cls, node.attr, depth + 1)
                    if found is None and self.external_bases(base.cls):
                        return Bound(base.cls, node.attr)  # inherited from outside: `self.get` of a Session
                    return found
                return Bound(base.cls, node.attr)
            if isinstance(base, Ref):
                qualname = self.canonical(f"{base.qualname}.{node.attr}")
                if base.qualname in self.classes:
                    for cls in self.mro(base.qualname):
                        if node.attr in cls.methods:
                            return Bound(base.qualname, node.attr)
                    found = self.attribute_type(base.qualname, node.attr, depth + 1)
                    if found is not None:
                        return found  # a class attribute: `cls._instance: ClassVar[Requestor]`
                return Ref(qualname)
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__annotation__":
            return self.annotation_type(node.args[0], module)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super":
            bases = [base for base in (owner.bases if owner is not None else []) if base in self.classes]
            return Inst(bases[0]) if bases else None  # super().create(...): the base's method
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and not (isinstance(node.args[1], ast.Constant))
        ):
            # getattr(self.session, verb): whichever method of the object is chosen
            base = self.expr_type(node.args[0], function, local, depth + 1, module, owner)
            if isinstance(base, Inst) and base.cls in TRANSPORT_CLASSES:
                return Bound(base.cls, "request")
            return None
        if isinstance(node, ast.Call):
            callee = self.expr_type(node.func, function, local, depth + 1, module, owner)
            if isinstance(callee, Ref) and callee.qualname in ("typing.cast", "typing_extensions.cast") and node.args:
                return self.annotation_type(node.args[0], module)  # `cast(Transport, transport)`
            if isinstance(callee, Ref):
                if callee.qualname in self.classes or (
                    not self._in_sdk(callee.qualname) and callee.qualname.rsplit(".", 1)[-1][:1].isupper()
                ):
                    return Inst(callee.qualname)
                target = self.functions.get(callee.qualname)
                if target is not None:
                    return self.returns(target, depth + 1)
                if callee.qualname in TRANSPORT_CLASSES:
                    return Inst(callee.qualname)
                return None
            if isinstance(callee, Bound):
                for method in self._methods(callee.cls, callee.name):
                    if self._returns_self(method):
                        return Inst(callee.cls)  # `-> Self` called on a subclass: that subclass
                    found = self.returns(method, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(node, ast.Subscript):
            base = self.expr_type(node.value, function, local, depth + 1, module, owner)
            return base.inner if isinstance(base, Items) else None
        if isinstance(node, ast.BoolOp):
            # `session or requests.Session()`: the object made here first (an injected one is
            # "compatible with" it, whatever its annotation says)
            for value in reversed(node.values):
                found = self.expr_type(value, function, local, depth + 1, module, owner)
                if found is not None:
                    return found
        if isinstance(node, ast.IfExp):
            return self.expr_type(node.body, function, local, depth + 1, module, owner) or self.expr_type(
                node.orelse, function, local, depth + 1, module, owner
            )
        return None

    def _methods(self, cls_name: str, name: str) -> list[Function]:
        """The method a call on an instance of ``cls_name`` may run: the inherited one and the
        one each subclass runs. A subclass finds it in its own bases first: a mixin's ``self``
        is one of its subclasses (``class Client(Transport, ApiMixin)``: the ``self.request``
        of ``ApiMixin``, a stub there, is ``Transport``'s)."""
        key = (cls_name, name)
        cached = self._methods_cache.get(key)
        if cached is not None:
            return cached
        found: list[Function] = []
        for cls in self.mro(cls_name):
            if name in cls.methods:
                found.append(cls.methods[name])
                found.extend(cls.methods[alias] for alias in cls.aliases.get(name, ()) if alias in cls.methods)
                break
        known = {id(function) for function in found}
        for sub in self._descendants(cls_name):
            for cls in self.mro(sub.qualname):
                if name in cls.methods:
                    if id(cls.methods[name]) not in known:
                        known.add(id(cls.methods[name]))
                        found.append(cls.methods[name])
                    break
        self._methods_cache[key] = found
        return found

    def _descendants(self, cls_name: str) -> list[Class]:
        """Every class of the SDK derived from ``cls_name``, directly or not, each once."""
        found: list[Class] = []
        seen: set[str] = set()
        stack = list(self.classes[cls_name].subclasses) if cls_name in self.classes else []
        while stack:
            sub = stack.pop()
            if sub.qualname in seen:
                continue
            seen.add(sub.qualname)
            found.append(sub)
            stack.extend(sub.subclasses)
        return found

    # --- calls and the fixpoint -------------------------------------------------------

    def _local_imports(self, function: Function) -> None:
        for node in ast.walk(function.node):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".", 1)[0]
                    function.imports[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(function.module, node)
                for alias in node.names:
                    if alias.name != "*":
                        function.imports[alias.asname or alias.name] = f"{source}.{alias.name}"

    def _collect_calls(self, function: Function, index_only: bool = False) -> None:
        local = function.locals
        for node in ast.walk(function.node):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if not _is_none(node.value):
                    local.setdefault(node.targets[0].id, []).append(node.value)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple):
                # `(engine, requestor, url) = cls._prepare(...)`: each name is an item of the value
                for index, element in enumerate(node.targets[0].elts):
                    if isinstance(element, ast.Name):
                        item = ast.Subscript(node.value, ast.Constant(index), ast.Load())
                        local.setdefault(element.id, []).append(item)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                # `session: Optional[ClientSession] = None`: the annotation says what it holds
                local.setdefault(node.target.id, []).append(ast.Call(ast.Name("__annotation__"), [node.annotation], []))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for with_item in node.items:
                    if isinstance(with_item.optional_vars, ast.Name):
                        local.setdefault(with_item.optional_vars.id, []).append(with_item.context_expr)
        if index_only:
            return
        guarded = _guarded_calls(function.node)
        for node in ast.walk(function.node):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                # `for row in rows:`, `async for page in pages:` (under an optional argument's
                # guard: counted as the guarded calls are)
                is_async = isinstance(node, ast.AsyncFor) or (isinstance(node, ast.comprehension) and node.is_async)
                protocol = "async for" if is_async else "for"
                with _under_guard(function, id(node) in guarded):
                    self._iterates(node.iter, function, local, protocol)
        for node in ast.walk(function.node):
            if not isinstance(node, ast.Call):
                continue
            # a request made only when an optional argument is given: the call's own arguments
            # decide, which the model cannot say; the rest of the body still counts
            with _under_guard(function, id(node) in guarded):
                self._collect_call(node, function, local)

    def _collect_call(self, node: ast.Call, function: Function, local: dict[str, list[ast.expr]]) -> None:
        for passed in (*node.args, *(keyword.value for keyword in node.keywords)):
            # `limiter.call(self._requestor.request, ...)`: a method handed over is called
            if isinstance(passed, ast.Attribute):
                handed = self.expr_type(passed, function, local)
                if isinstance(handed, Bound):
                    if self._transport_method(handed.cls, handed.name):
                        function.direct = True
                    elif handed.cls in self.classes:
                        function.callees.extend(self._methods(handed.cls, handed.name))
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in _ITERATING
            and node.args
            and self.resolve_name(function.module, node.func.id) is None
            and node.func.id not in local
            and node.func.id not in function.imports
            and not any(arg.arg == node.func.id for arg in ast.walk(function.node.args) if isinstance(arg, ast.arg))
        ):
            # `iter(rows)`, `list(pages)`: iterating an SDK object runs its __iter__ / __next__
            # (a RowIterator that fetches pages as it is iterated)
            protocol = node.func.id if node.func.id in ("iter", "next") else "for"
            self._iterates(node.args[0], function, local, protocol)
        if isinstance(node.func, ast.Name):
            # `rpc = self._transport._wrapped_methods[self._transport.get_secret]`, then
            # `rpc(request)`: a table of callables keyed by the methods (or properties giving
            # callables) they wrap; calling what it holds calls the one its key names
            for value in local.get(node.func.id, ()):
                if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Attribute):
                    holder = self.expr_type(value.slice.value, function, local)
                    if isinstance(holder, Inst) and holder.cls in self.classes:
                        keyed = self._methods(holder.cls, value.slice.attr)
                        for target in keyed:
                            if _is_stub(target.node):
                                continue
                            function.callees.append(target)
                            made = self.returns(target) if target.is_property else None
                            if isinstance(made, Inst) and made.cls in self.classes:
                                function.callees.extend(self._methods(made.cls, "__call__"))
                        if keyed:
                            if all(_is_stub(target.node) for target in keyed):
                                function.unknown += 1  # only an interface: what runs is not known
                            return
        callee = self.expr_type(node.func, function, local)
        if isinstance(callee, Bound):
            if self._transport_method(callee.cls, callee.name):
                function.direct = True
            elif callee.cls in self.classes:
                targets = self._methods(callee.cls, callee.name) or self._methods(callee.cls, "__getattr__")
                implemented = [target for target in targets if not _is_stub(target.node)]
                if implemented:
                    function.callees.extend(implemented)
                elif targets:
                    # only an interface (a Protocol's `def send(self, request): ...`): what
                    # implements it is not in the SDK. An HTTP client's interface, in a module
                    # that uses a transport, is that transport; anything else is not known.
                    if callee.name in _TRANSPORT_METHODS and self._uses_a_transport(function):
                        function.direct = True
                    else:
                        function.unknown += 1
                elif not self._external_local(callee.cls):
                    function.unknown += 1
        elif isinstance(callee, Inst) and callee.cls in self.classes:
            # calling an object: its __call__, or what its __getattr__ made (a dynamic client's
            # `client.mail.send.post(...)`, whose closure sends)
            function.callees.extend(self._methods(callee.cls, "__call__") + self._methods(callee.cls, "__getattr__"))
        elif isinstance(callee, Ref):
            qualname = callee.qualname
            if qualname in TRANSPORT_FUNCTIONS:
                function.direct = True
            elif qualname in self.functions:
                function.callees.append(self.functions[qualname])
            elif qualname in self.classes:
                init = self._methods(qualname, "__init__")[:1]
                function.callees.extend(init)
        elif callee is None and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if (
                isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "super"
                and function.owner is not None
                and name != "__init__"
            ):
                self._super_call(function, name)
                return
            if name in BUILTIN_METHODS:
                return  # a method of a dict, list, str ...: data
            if name in _TRANSPORT_METHODS and self._uses_a_transport(function):
                # `_thread_context.session.request(...)` in a module that imports requests:
                # a session kept where its type cannot be read
                function.direct = True
                return
            receiver = node.func.value
            namesakes = self._by_name.get(name, [])
            while (
                isinstance(receiver, ast.Call)
                and isinstance(receiver.func, ast.Attribute)
                and receiver.func.attr in self._by_name
            ):
                # `self.config.http().post(...)`: what a method of the SDK's own object returned
                receiver = receiver.func.value
            if not (_from_self_or_parameter(receiver, function) or self._from_the_sdk(receiver, function)):
                return  # what an outside call returned: not the SDK's own object
            if 0 < len(namesakes) <= _MAX_NAMESAKES:
                function.callees.extend(namesakes)
            else:
                function.unknown += 1  # a method of the SDK's own object, of a type not read

    def _super_call(self, function: Function, name: str) -> None:
        """``super().name(...)`` in a class none of whose bases is the SDK's: the next class in
        the order of the class and of each SDK class derived from it (a mixin's is its
        subclasses' next base). A transport's method sends; a method of a class of the SDK is
        followed; one of another package's base is not known, unless every outside base is
        Python's own or a data-class library's."""
        assert function.owner is not None
        owner = function.owner.qualname
        classes = [owner, *(sub.qualname for sub in self._descendants(owner))]
        if any(self._transport_method(cls_name, name) for cls_name in classes):
            function.direct = True
            return
        following: list[Function] = []
        for cls_name in classes:
            order = [cls.qualname for cls in self.mro(cls_name)]
            for later in order[order.index(owner) + 1 :] if owner in order else ():
                method = self.classes[later].methods.get(name)
                if method is not None:
                    if all(method is not known for known in following):
                        following.append(method)
                    break
        implemented = [method for method in following if not _is_stub(method.node)]
        function.callees.extend(implemented)
        if not implemented and not all(self._external_local(cls_name) for cls_name in classes):
            function.unknown += 1

    def _iterates(
        self, iterable: ast.expr, function: Function, local: dict[str, list[ast.expr]], protocol: str = "for"
    ) -> None:
        """What iterating an SDK object runs, by the way it is iterated: a ``for`` (or list(),
        sorted() ...) its ``__iter__``, and its ``__next__`` when ``__iter__`` gives the object
        itself; an ``async for`` the same of ``__aiter__`` / ``__anext__``; ``iter(x)`` only its
        ``__iter__``, ``next(x)`` only its ``__next__``."""
        found = self.expr_type(iterable, function, local)
        if not (isinstance(found, Inst) and found.cls in self.classes):
            return
        first, then = {
            "for": ("__iter__", "__next__"),
            "async for": ("__aiter__", "__anext__"),
            "iter": ("__iter__", None),
            "next": ("__next__", None),
        }[protocol]
        opened = [m for m in self._methods(found.cls, first) if not _is_stub(m.node)]
        function.callees.extend(opened)
        if then is not None and any(_gives_itself(m.node) for m in opened):
            function.callees.extend(m for m in self._methods(found.cls, then) if not _is_stub(m.node))

    def _uses_a_transport(self, function: Function) -> bool:
        imported = (*function.module.names.values(), *function.imports.values())
        return any(name.split(".", 1)[0] in TRANSPORT_ROOTS for name in imported)

    def _makes(self, function: Function, cls_name: str, depth: int = 0) -> bool:
        """Whether ``function`` returns a new object of ``cls_name`` (``return Listing(...)``,
        or what a helper of the SDK that makes one returned: ``iterator =
        self._list_resource(...)``, ``return iterator``), not one it was given or holds
        (``return self``)."""
        if depth > 3:
            return False
        for node in ast.walk(function.node):
            if not (isinstance(node, ast.Return) and node.value is not None):
                continue
            if isinstance(node.value, ast.Name) and _kept(function.node, node.value.id):
                continue  # `self._cursors.add(cursor)`: one the SDK keeps, a handle it hands out
            values = function.locals.get(node.value.id, []) if isinstance(node.value, ast.Name) else [node.value]
            for value in values:
                if not isinstance(value, ast.Call):
                    continue
                made = self.expr_type(value.func, function, function.locals)
                if isinstance(made, Ref) and made.qualname == cls_name:
                    return True
                helpers: list[Function] = []
                if isinstance(made, Bound) and made.cls in self.classes:
                    helpers = self._methods(made.cls, made.name)
                elif isinstance(made, Ref) and made.qualname in self.functions:
                    helpers = [self.functions[made.qualname]]
                if any(self._makes(helper, cls_name, depth + 1) for helper in helpers):
                    return True
        return False

    def _sends_when_iterated(self, cls_name: str) -> bool:
        if cls_name not in self.classes:
            return False
        if any(cls.qualname in self.pagers for cls in self.mro(cls_name)):
            return True
        for name in ("__iter__", "__next__", "__aiter__", "__anext__"):
            if any(method.sends for method in self._methods(cls_name, name)):
                return True
        return False

    def _from_the_sdk(self, receiver: ast.expr, function: Function) -> bool:
        """A local name some value of which an SDK function or method returned (its type not
        written): ``requestor`` of ``(..., requestor, url) = cls._prepare(...)``,
        ``strategy = self.config.http_strategy()``."""
        if not isinstance(receiver, ast.Name):
            return False
        for value in function.locals.get(receiver.id, ()):
            while isinstance(value, ast.Subscript):
                value = value.value
            if isinstance(value, ast.Await):
                value = value.value
            if isinstance(value, ast.Call):
                callee = self.expr_type(value.func, function, function.locals)
                if isinstance(callee, Bound) and callee.cls in self.classes:
                    return True
                if isinstance(callee, Ref) and callee.qualname in self.functions:
                    return True
                if (
                    callee is None
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr in self._by_name
                    and _from_self_or_parameter(value.func.value, function)
                ):
                    # `strategy = self.config.http_strategy()`: a method of the SDK's own object
                    # (of a type not written), named like a method the SDK defines
                    return True
        return False

    def _transport_method(self, cls_name: str, name: str) -> bool:
        for candidate in (cls_name, *self.external_bases(cls_name)):
            if name in TRANSPORT_CLASSES.get(candidate, ()):
                return True
        return f"{cls_name}.{name}" in TRANSPORT_FUNCTIONS

    def _external_local(self, cls_name: str) -> bool:
        """A method not defined in the SDK on an SDK class, inherited from outside: local when
        every outside base is of Python's standard library (``dict.get``, ``Exception``) or of a
        data-class library (pydantic's ``model_dump``) and none is a transport; not known when a
        base lives in another package (google-cloud-core's ``JSONConnection.api_request`` sends:
        only that package's source could say)."""
        bases = self.external_bases(cls_name)
        if any(base in TRANSPORT_CLASSES for base in bases):
            return False
        return all(base.split(".", 1)[0] in _STDLIB | _DATA_LIBRARIES for base in bases)

    def _fixpoint(self) -> None:
        for function in self.functions.values():
            function.sends = function.direct
        changed = True
        while changed:
            changed = False
            for function in self.functions.values():
                if not function.sends and any(callee.sends for callee in function.callees):
                    function.sends = True
                    changed = True
        for function in self.functions.values():
            function.conditional = not function.sends and (
                function.guarded_direct or any(callee.sends for callee in function.guarded_callees)
            )

    def undecided(self, function: Function) -> bool:
        """Not shown to send, but calls something whose type is unknown (or a callee is so)."""
        seen: set[str] = set()
        stack = [function]
        while stack:
            current = stack.pop()
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            if current.unknown or current.conditional:
                return True
            stack.extend(current.callees)
            stack.extend(current.guarded_callees)  # an undecided call under a guard: undecided
        return False

    # --- the model ---------------------------------------------------------------------

    def public_names(self) -> dict[str, str]:
        """Public dotted names (``openai.OpenAI``, ``slack_sdk.web.WebClient``) -> definitions."""
        names: dict[str, str] = {}
        for module in self.modules.values():
            if any(part.startswith("_") for part in module.name.split(".")):
                continue
            for local in module.names:
                if local.startswith("_"):
                    continue
                target = self.canonical(f"{module.name}.{local}")
                if (target in self.classes or target in self.functions) and self._in_sdk(target):
                    names[f"{module.name}.{local}"] = target
        return dict(sorted(names.items()))

    def public_instances(self) -> dict[str, str]:
        """Objects a public module holds, by their annotation: ``openai.embeddings`` ->
        ``openai.resources.embeddings.Embeddings`` (a client the module makes for its users)."""
        found: dict[str, str] = {}
        for module in self.modules.values():
            if any(part.startswith("_") for part in module.name.split(".")):
                continue
            for local in (*module.names, *module.annotations):
                if local.startswith("_"):
                    continue
                target = self.canonical(f"{module.name}.{local}")
                owner_name, _, attr = target.rpartition(".")
                owner = self.modules.get(owner_name)
                if owner is None or attr not in owner.annotations:
                    continue
                kind = self.annotation_type(owner.annotations[attr], owner)
                if isinstance(kind, Inst) and kind.cls in self.classes:
                    found[f"{module.name}.{local}"] = kind.cls
        return dict(sorted(found.items()))

    def model(self) -> dict[str, Any]:
        names = self.public_names()
        instances = self.public_instances()
        classes: dict[str, Any] = {}
        functions: dict[str, Any] = {}
        queue = list(dict.fromkeys([*names.values(), *instances.values()]))
        seen: set[str] = set()
        while queue:
            qualname = queue.pop(0)
            if qualname in seen:
                continue
            seen.add(qualname)
            if qualname in self.functions and self.functions[qualname].owner is None:
                function = self.functions[qualname]
                entry = self._verdict(function)
                functions[qualname] = entry
                queue.extend(_types_of(entry))
            elif qualname in self.classes:
                entry = self._class_entry(qualname)
                classes[qualname] = entry
                queue.extend(_types_of(entry))
        return {
            "names": names,
            "instances": instances,
            "classes": dict(sorted(classes.items())),
            "functions": dict(sorted(functions.items())),
        }

    def _verdict(self, function: Function) -> dict[str, Any]:
        sends: bool | None = True if function.sends else (None if self.undecided(function) else False)
        entry: dict[str, Any] = {"sends": sends}
        if not sends and _only_raises(function.node):
            # `def modify(cls, sid): raise NotImplementedError(...)` in a subclass: never a
            # call that completes, so no vote on what the method does for a value of a base type
            entry["raises"] = True
        returned = self.returns(function)
        if (
            not sends
            and isinstance(returned, Inst)
            and self._sends_when_iterated(returned.cls)
            and self._makes(function, returned.cls)
        ):
            entry["sends"] = True  # praw's subreddit.search(q), a paginator: requests as it is iterated
        if isinstance(returned, Inst) and self._in_sdk(returned.cls) and returned.cls in self.classes:
            entry["returns"] = returned.cls
        item = self._item_type(function)
        if item is not None:
            entry["items"] = item  # `-> PaginatedList[Repository]`, `-> List[Blob]`: what iterating it gives
        return entry

    def _item_type(self, function: Function) -> str | None:
        """The SDK class of the items a function's return annotation declares: a container of
        them (``List[Blob]``, ``Iterator[Blob]``) or an iterable class of the SDK subscripted with
        one (``PaginatedList[Repository]``)."""
        node = function.node.returns
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if not isinstance(node, ast.Subscript):
            return None
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        head = self.annotation_type(node.value, function.module)
        last = (_dotted(node.value) or "").rsplit(".", 1)[-1]
        iterable = (
            last in _CONTAINERS
            and last not in ("Dict", "dict", "Mapping")
            or (isinstance(head, Inst) and head.cls in self.classes and self._iterable(head.cls))
        )
        if not iterable or len(args) != 1:
            return None
        item = self.annotation_type(args[0], function.module)
        if isinstance(item, Inst) and self._in_sdk(item.cls) and item.cls in self.classes:
            return item.cls
        return None

    def _iterable(self, cls_name: str) -> bool:
        return any(name in cls.methods for cls in self.mro(cls_name) for name in ("__iter__", "__aiter__"))

    def _class_entry(self, qualname: str) -> dict[str, Any]:
        methods: dict[str, Any] = {}
        attributes: dict[str, str] = {}
        for cls in reversed(list(self.mro(qualname))):
            for name, method in cls.methods.items():
                if name.startswith("_") and name not in ("_", "__call__", "__iter__", "__aiter__", "__next__"):
                    continue  # private; `_` is a public name (python-http-client's `client._(segment)`)
                if method.is_property:
                    returned = self.returns(method)
                    if isinstance(returned, Inst) and returned.cls in self.classes and self._in_sdk(returned.cls):
                        attributes[name] = returned.cls
                    methods.pop(name, None)
                    continue
                runs = self._methods(qualname, name)
                verdicts = [self._verdict(m) for m in runs]
                merged = dict(verdicts[0])
                if "returns" in merged and self._returns_self(runs[0]):
                    merged["returns"] = qualname  # `-> Self` on a base: this class
                if not all(v.get("raises") for v in verdicts):
                    merged.pop("raises", None)
                if any(v["sends"] for v in verdicts):
                    merged["sends"] = True
                elif any(v["sends"] is None for v in verdicts):
                    merged["sends"] = None
                methods[name] = merged
                attributes.pop(name, None)
            for name in cls.attributes:
                if name.startswith("_"):
                    continue
                found = self.attribute_type(qualname, name)
                if isinstance(found, Inst) and found.cls in self.classes and self._in_sdk(found.cls):
                    attributes[name] = found.cls
        dynamic, given, other = self._dynamic_attributes(qualname)
        for name, verdict in dynamic.items():
            methods.setdefault(name, verdict)
        for name, cls_name in given.items():
            if name not in methods:
                attributes.setdefault(name, cls_name)
        plain: list[str] = []
        if other is not None:
            attributes["*"] = other
            # the names an instance finds without __getattr__ (its own attributes, set in its
            # methods or its class): plain values, never what __getattr__ gives
            plain = sorted(
                {
                    name
                    for cls in self.mro(qualname)
                    for name in (*cls.attributes, *cls.methods)
                    if not name.startswith("__") and name not in attributes and name not in methods
                }
            )
        sends_any = any(entry["sends"] is not False for entry in methods.values())
        entry: dict[str, Any] = {"kind": "client" if sends_any or attributes else "data"}
        if any(base in TRANSPORT_CLASSES for base in self.external_bases(qualname)):
            entry["kind"] = "client"
        if attributes:
            entry["attributes"] = dict(sorted(attributes.items()))
        if methods:
            entry["methods"] = dict(sorted(methods.items()))
        if plain:
            entry["plain"] = plain
        ancestors = [cls.qualname for cls in self.mro(qualname)][1:]
        if ancestors:
            # what a value typed by a base (`type[APIResource]`) may be: judged by its subclasses
            entry["bases"] = ancestors
        return entry

    def _dynamic_attributes(self, qualname: str) -> tuple[dict[str, dict[str, Any]], dict[str, str], str | None]:
        """What the ``__getattr__`` of a dynamic client gives (python-http-client's
        ``client.mail.send.post(...)``, simple-salesforce's ``sf.Contact.create(...)``): the
        names it tests for (``if name in self.methods:``, ``if name == "bulk":``) as methods, each
        sending when the function it returns does, or as attributes of the SDK class it returns;
        and the class of what it gives for any other name (``return self._(name)``, a client for
        the next segment), kept as the attribute ``*``. Returns (methods, attributes, other)."""
        getattr_ = next(
            (cls.methods["__getattr__"] for cls in self.mro(qualname) if "__getattr__" in cls.methods), None
        )
        if getattr_ is None or len(getattr_.node.args.args) < 2:
            return {}, {}, None
        param = getattr_.node.args.args[1].arg
        methods: dict[str, dict[str, Any]] = {}
        given: dict[str, str] = {}
        other: str | None = None
        body = list(getattr_.node.body)
        while body:
            stmt = body.pop(0)
            if isinstance(stmt, ast.If):
                names = self._tested_names(stmt.test, param, getattr_)
                if names:
                    verdict = self._returned_function(stmt.body, getattr_)
                    returned = next((s.value for s in stmt.body if isinstance(s, ast.Return) and s.value), None)
                    made = self.expr_type(returned, getattr_, {}) if verdict is None and returned is not None else None
                    for name in names:
                        if verdict is not None:
                            methods[name] = verdict
                        elif isinstance(made, Inst) and made.cls in self.classes and self._in_sdk(made.cls):
                            given[name] = made.cls
                    body[:0] = stmt.orelse  # `else:` holds what any other name gives
                    continue
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                found = self.expr_type(stmt.value, getattr_, {})
                if isinstance(found, Inst) and found.cls in self.classes and self._in_sdk(found.cls):
                    other = found.cls
                break
        return methods, given, other

    def _tested_names(self, test: ast.expr, param: str, function: Function) -> list[str]:
        """The constant names ``if name in COLLECTION`` or ``if name == "x"`` tests ``param``
        for (a collection of the class or the module, written as a set, list or tuple)."""
        if not (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == param
            and len(test.ops) == 1
        ):
            return []
        target = test.comparators[0]
        if isinstance(test.ops[0], ast.Eq):
            return [target.value] if isinstance(target, ast.Constant) and isinstance(target.value, str) else []
        if not isinstance(test.ops[0], ast.In):
            return []
        value: ast.expr | None = target
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and function.owner is not None:
            if target.value.id in ("self", "cls"):
                for cls in self.mro(function.owner.qualname):
                    for stmt in cls.node.body:
                        if (
                            isinstance(stmt, ast.Assign)
                            and len(stmt.targets) == 1
                            and isinstance(stmt.targets[0], ast.Name)
                            and stmt.targets[0].id == target.attr
                        ):
                            value = stmt.value
                            break
                    else:
                        continue
                    break
        elif isinstance(target, ast.Name):
            value = function.module.assigns.get(target.id)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "frozenset":
            value = value.args[0] if value.args else None
        if not isinstance(value, (ast.Set, ast.List, ast.Tuple)):
            return []
        names = [item.value for item in value.elts if isinstance(item, ast.Constant) and isinstance(item.value, str)]
        return names if len(names) == len(value.elts) else []

    def _returned_function(self, body: list[ast.stmt], function: Function) -> dict[str, Any] | None:
        """The verdict on calling the function a branch of ``__getattr__`` defines and returns."""
        defined = {stmt.name: stmt for stmt in body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))}
        returned = next((stmt.value for stmt in body if isinstance(stmt, ast.Return)), None)
        if not isinstance(returned, ast.Name) or returned.id not in defined:
            return None
        nested = Function(f"{function.qualname}.<{returned.id}>", defined[returned.id], function.module, function.owner)
        nested.imports = dict(function.imports)
        self._local_imports(nested)
        self._collect_calls(nested)
        if nested.direct or any(callee.sends for callee in nested.callees):
            return {"sends": True}
        return {"sends": None if nested.unknown or self.undecided(nested) else False}

    def _init(self, qualname: str, inherited: bool = False) -> Function | None:
        """The ``__init__`` that makes an instance of a class (``inherited``: the one its own
        ``super().__init__`` calls)."""
        classes = list(self.mro(qualname))[1:] if inherited else self.mro(qualname)
        return next((cls.methods["__init__"] for cls in classes if "__init__" in cls.methods), None)

    @staticmethod
    def _by_position(init: Function, args: list[ast.expr]) -> list[tuple[str, ast.expr]]:
        """The parameters of ``init`` (after ``self``) that ``args`` fill by position."""
        params = [arg.arg for arg in (*init.node.args.posonlyargs, *init.node.args.args)][1:]
        pairs: list[tuple[str, ast.expr]] = []
        for param, value in zip(params, args, strict=False):
            if isinstance(value, ast.Starred):
                break  # `Environment(*args, "host")`: the positions after it are not known
            pairs.append((param, value))
        return pairs

    def _positional_pairs(self, module: Module, call: ast.Call) -> list[tuple[str, ast.expr]]:
        qualname = self.resolve_name(module, call.func.id) if isinstance(call.func, ast.Name) else None
        if qualname is None or qualname not in self.classes:
            return []
        init = self._init(qualname)
        return self._by_position(init, call.args) if init is not None else []

    def _super_pairs(self) -> Iterator[tuple[Module, list[tuple[str, ast.expr]]]]:
        """``super().__init__(twilio, "https://api.twilio.com")`` in a class's ``__init__``: the
        values passed by position to the parameters of the base's ``__init__`` (``base_url``)."""
        for qualname, cls in self.classes.items():
            init = cls.methods.get("__init__")
            if init is None:
                continue
            for node in ast.walk(init.node):
                func = node.func if isinstance(node, ast.Call) else None
                if not (
                    isinstance(func, ast.Attribute)
                    and func.attr == "__init__"
                    and isinstance(func.value, ast.Call)
                    and isinstance(func.value.func, ast.Name)
                    and func.value.func.id == "super"
                ):
                    continue
                assert isinstance(node, ast.Call)
                base = self._init(qualname, inherited=True)
                if base is not None:
                    yield cls.module, self._by_position(base, node.args)

    def hosts(self, roots: Iterable[str] | None = None) -> list[str]:
        """Hosts the SDK talks to by default: https URL literals bound to base_url-like names
        (assignments, parameter defaults, keyword arguments, values passed by position to such
        a parameter of an SDK class or of the base class's ``__init__``). Read in the modules
        under ``roots`` only (the SDK's own, not the libraries it is built on), all by default."""
        prefixes = tuple(roots) if roots is not None else self.roots

        def own(module: Module) -> bool:
            return any(module.name == root or module.name.startswith(root + ".") for root in prefixes)

        found: set[str] = set()
        for module, pairs in self._super_pairs():
            if own(module):
                self._add_hosts(module, pairs, found)
        for module in self.modules.values():
            if not own(module):
                continue
            for node in ast.walk(module.tree):
                pairs = []  # list[tuple[str, ast.expr]], as _super_pairs gives
                if isinstance(node, ast.Assign):
                    pairs = [(_dotted(t) or "", node.value) for t in node.targets]
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    pairs = [(_dotted(node.target) or "", node.value)]
                elif isinstance(node, ast.keyword) and node.arg:
                    pairs = [(node.arg, node.value)]
                elif isinstance(node, ast.ClassDef):
                    # `class EventsAPISession: url = "https://events.pagerduty.com"`: the origin
                    # a client class prefixes its requests with (`self.url`)
                    pairs = [
                        ("base_url", stmt.value)
                        for stmt in node.body
                        if isinstance(stmt, (ast.Assign, ast.AnnAssign))
                        and stmt.value is not None
                        and any(
                            isinstance(t, ast.Name) and t.id.lower().lstrip("_") in _CLASS_URL_NAMES
                            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                        )
                    ]
                elif isinstance(node, ast.arguments):
                    positional = [*node.posonlyargs, *node.args]
                    pairs = list(
                        zip(
                            [a.arg for a in positional[len(positional) - len(node.defaults) :]],
                            node.defaults,
                            strict=False,
                        )
                    )
                    pairs += [
                        (a.arg, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=False) if d is not None
                    ]
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
                    # `Environment("production", "api.braintreegateway.com", "443")`: a value
                    # passed by position to an SDK class's parameter named like a host
                    pairs = pairs + self._positional_pairs(module, node)
                self._add_hosts(module, pairs, found)
        return sorted(found)

    @staticmethod
    def _add_hosts(module: Module, pairs: list[tuple[str, ast.expr]], found: set[str]) -> None:
        for name, value in pairs:
            last = name.rsplit(".", 1)[-1]
            if not _HOST_NAMES.search(last) or _NOT_SERVICE_HOST_NAMES.search(last):
                continue
            for text, whole in _texts(value, module):  # also `base_url=BASE_URL`
                if not whole and "/" not in text.partition("://")[2]:
                    continue  # `f"https://api-{region}..."`: the host itself is not written whole
                host = _host(text)
                if host is None and _BARE_HOST_NAMES.search(last) and _BARE_HOST.match(text):
                    host = _host(f"https://{text}")  # `server="api.braintreegateway.com"`
                if host:
                    found.add(host)


def scan(folder: Path, roots: Iterable[str]) -> dict[str, Any]:
    """The model of the SDK whose top-level packages ``roots`` lie in ``folder``."""
    scanner = Scanner(folder, roots)
    model = scanner.model()
    model["hosts"] = scanner.hosts()
    return model


# --- small helpers ---------------------------------------------------------------------


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _top_level(stmt.body)
            for handler in stmt.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(stmt.orelse)
        else:
            yield stmt


def _only_raises(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _guarded_calls(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """The ids of the calls (and loops) made only in a branch taken when an optional argument is given:
    under ``if token:``, ``if token is not None:`` or ``if token and email:``, where ``token``
    is a parameter whose default is None (``def sign(..., access_token=None)``)."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    optional = {
        arg.arg
        for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        if _is_none(default)
    }
    optional |= {
        arg.arg
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is not None and _is_none(default)
    }
    if not optional:
        return set()
    # `token = token or os.environ["TOKEN"]`, `if session is None: session = self.session`:
    # given a value in the body before the test, the parameter no longer says whether the
    # caller passed one (a value given inside the guarded branch itself does not count)
    stores = [
        (inner.id, inner.lineno)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store) and inner.id in optional
    ]

    def requires(test: ast.expr) -> bool:
        if isinstance(test, ast.Name):
            return test.id in optional and not any(name == test.id and line < test.lineno for name, line in stores)
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot):
            return isinstance(test.left, ast.Name) and requires(test.left) and _is_none(test.comparators[0])
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return any(requires(value) for value in test.values)
        return False

    def raises(block: list[ast.stmt]) -> bool:
        return bool(block) and isinstance(block[-1], ast.Raise)

    found: set[int] = set()

    def visit(block: list[ast.stmt]) -> None:
        for index, statement in enumerate(block):
            if isinstance(statement, ast.If) and requires(statement.test):
                # Follow `elif other_optional:` branches to where the chain ends. A chain that
                # ends in `raise` (`else: raise ValueError("title or pageid")`) is a choice
                # among required ways to call: one of them is always taken, and sends.
                chain, last = [statement], statement
                while len(last.orelse) == 1 and isinstance(last.orelse[0], ast.If) and requires(last.orelse[0].test):
                    last = last.orelse[0]
                    chain.append(last)
                after = last.orelse or block[index + 1 :]
                if not raises(after):
                    for branch in chain:
                        for inner in branch.body:
                            found.update(
                                id(sub)
                                for sub in ast.walk(inner)
                                if isinstance(sub, (ast.Call, ast.For, ast.AsyncFor, ast.comprehension))
                            )
            for field_name in ("body", "orelse", "finalbody", "handlers"):
                inner_block = getattr(statement, field_name, None)
                if isinstance(inner_block, list) and inner_block and isinstance(inner_block[0], ast.stmt):
                    visit(inner_block)
                elif field_name == "handlers" and inner_block:
                    for handler in inner_block:
                        visit(handler.body)

    visit(node.body)
    return found


def _dotted(node: ast.AST | None) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return None


def _from_self_or_parameter(node: ast.expr, function: Function) -> bool:
    """``self._client``, ``cls._requestor``, ``client`` (a parameter): where the SDK keeps and
    passes its own objects."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    args = function.node.args
    return node.id in ("self", "cls") or any(
        arg.arg == node.id for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)
    )


@contextmanager
def _under_guard(function: Function, guarded: bool) -> Iterator[None]:
    """Collect, when ``guarded``, what is found inside into the function's guarded callees (its
    sends there are decided by the call's own arguments) instead of its callees."""
    if not guarded:
        yield
        return
    callees, direct = function.callees, function.direct
    function.callees, function.direct = [], False
    try:
        yield
    finally:
        function.guarded_callees.extend(function.callees)
        function.guarded_direct = function.guarded_direct or function.direct
        function.callees, function.direct = callees, direct


def _kept(node: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    """Whether a function hands a local to another call or stores it in an object
    (``self._cursors.add(cursor)``, ``self._last = cursor``)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and any(
            isinstance(arg, ast.Name) and arg.id == name for arg in (*inner.args, *(k.value for k in inner.keywords))
        ):
            return True
        if (
            isinstance(inner, ast.Assign)
            and isinstance(inner.value, ast.Name)
            and inner.value.id == name
            and any(isinstance(target, (ast.Attribute, ast.Subscript)) for target in inner.targets)
        ):
            return True
    return False


def _gives_itself(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``def __iter__(self): return self``: the object is its own iterator."""
    return any(
        isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Name) and stmt.value.id == "self"
        for stmt in ast.walk(node)
    )


def _checked_class(method: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str) -> ast.expr | None:
    """The class a parameter is checked to be, where the method raises otherwise: ``if value is
    not None and not isinstance(value, HttpClient): raise ValueError(...)``."""
    for node in ast.walk(method):
        if not (isinstance(node, ast.If) and node.body and isinstance(node.body[0], ast.Raise)):
            continue
        for test in ast.walk(node.test):
            if (
                isinstance(test, ast.UnaryOp)
                and isinstance(test.op, ast.Not)
                and isinstance(test.operand, ast.Call)
                and isinstance(test.operand.func, ast.Name)
                and test.operand.func.id == "isinstance"
                and len(test.operand.args) == 2
                and isinstance(test.operand.args[0], ast.Name)
                and test.operand.args[0].id == parameter
                and isinstance(test.operand.args[1], (ast.Name, ast.Attribute))
            ):
                return test.operand.args[1]
    return None


def _is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of only a docstring, ``...``, ``pass`` or ``raise NotImplementedError``."""
    for statement in node.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or `...`
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Raise) and "NotImplementedError" in (_dotted(statement.exc) or ""):
            continue
        return False
    return True


def _rooted_at_self(node: ast.expr) -> bool:
    """``self.x.y`` with something unknown on the way (the call may reach the SDK's client)."""
    depth = 0
    while isinstance(node, ast.Attribute):
        node = node.value
        depth += 1
    return depth >= 2 and isinstance(node, ast.Name) and node.id == "self"


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _types_of(entry: dict[str, Any]) -> list[str]:
    out = []
    if "returns" in entry:
        out.append(entry["returns"])
    out.extend(entry.get("attributes", {}).values())
    for method in entry.get("methods", {}).values():
        if "returns" in method:
            out.append(method["returns"])
    return out


def _texts(node: ast.expr, module: Module | None = None, depth: int = 0) -> Iterator[tuple[str, bool]]:
    """(text, whole) for each text a value may be: a literal (whole), the known start of an
    f-string (not whole), each choice of ``or`` and ``if``; with ``module``, also its constants,
    texts joined with ``+`` (whole only when every part is) and the default of an environment
    read (``os.environ.get("X_HOST", "api" + DOMAIN)``: the SDK's host unless the environment
    says otherwise)."""
    if depth > 6:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value, True
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        whole = all(isinstance(value, ast.Constant) for value in node.values)
        texts = (str(value.value) for value in node.values if isinstance(value, ast.Constant))  # all, when whole
        yield "".join(texts) if whole else str(node.values[0].value), whole
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _texts(value, module, depth + 1)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body, module, depth + 1)
        yield from _texts(node.orelse, module, depth + 1)
    elif module is None:
        return
    elif isinstance(node, ast.Name) and node.id in module.assigns:
        yield from _texts(module.assigns[node.id], module, depth + 1)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for left, whole in _texts(node.left, module, depth + 1):
            if not whole:
                yield left, False  # only its start is known: nothing can be joined after it
                continue
            for right, right_whole in _texts(node.right, module, depth + 1):
                yield left + right, right_whole
    elif isinstance(node, ast.Call) and _dotted(node.func) in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
        default: ast.expr | None
        if len(node.args) > 1:
            default = node.args[1]
        else:
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
        if default is not None:
            yield from _texts(default, module, depth + 1)


def _host(text: str) -> str | None:
    if not text.lower().startswith(("https://", "wss://")):
        return None
    host = (urlsplit(text).hostname or "").lower()
    if "." not in host or host.startswith(".") or host.endswith("."):
        return None  # `f"https://bedrock-runtime.{region}.amazonaws.com"`: only a piece of the host
    if "{" in host or host.endswith((".local", ".localhost", ".internal", ".example.com")) or "example" in host:
        return None
    return host
