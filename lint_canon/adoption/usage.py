"""What one Python file uses of vendors: SDK imports and calls, requests to external hosts,
secret-looking environment variables read, each at its line and column.

Nothing is detected here that the rules do not detect: calls are classified by the same
``Vendors`` analysis as CANON201/202/301, and secret reads by CANON203's own visitor (its
subclass below records every read instead of only the unowned ones). The file is parsed and
walked once, with the import tracker, as the checker does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import libcst as cst

from lint_canon.analysis.names import ImportTracker
from lint_canon.analysis.syntax.imports import dotted_name, identifier
from lint_canon.analysis.syntax.positions import node_positions
from lint_canon.analysis.syntax.walker import Walker
from lint_canon.analysis.values import known_text
from lint_canon.analysis.vendors import BUILTIN_VENDOR_MODULES, VendorCall
from lint_canon.rules.base import FileContext
from lint_canon.rules.unregistered_api_key import SECRET_NAME, UnregisteredApiKey
from lint_canon.sdks.model import models_for
from lint_canon_guard.config import Canon

_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "builtins.__import__"})

# What a use is: an SDK module imported or called, a request to a host, a secret read.
IMPORT, CALL, REQUEST, READ = "import", "call", "request", "read"


@dataclass(frozen=True, order=True)
class Use:
    """One use in one file. ``name`` is the SDK module (the entry of the vendor table that
    matched), the host, or the variable; ``label`` is what the analysis calls the vendor
    (a tool id when a tool registers it, else the SDK's vendor or the host)."""

    line: int
    col: int  # 1-based, as findings count
    use: str
    name: str
    label: str = ""
    tool: str = ""  # the registered tool's id
    vendor: str = ""  # the registered tool's vendor
    banned: bool = False
    guard_tool: str = ""  # what the guard of the enclosing function names, if any
    guard_hub: str = ""
    guard_interaction: str = ""


def vendor_tables(canon: Canon) -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """(tool modules -> (tool id, vendor, name), SDK modules -> vendor name): the tables
    ``Vendors`` classifies calls with, built as it builds them (the built-in SDKs, the import
    roots of the SDK models with their vendors, ``vendor_modules``, the SDKs that wrappers wrap),
    for imports, which it does not classify. tests/test_inventory.py holds them equal."""
    tools = {module: (tool.id, tool.vendor, tool.name) for tool in canon.tools for module in tool.modules}
    sdks = dict(BUILTIN_VENDOR_MODULES) if canon.builtin_vendors else {}
    if canon.builtin_vendors:
        sdks.update(models_for(canon).roots())
    sdks.update({module: module for module in canon.vendor_modules})
    for wrapper in canon.wrappers:
        sdks.setdefault(wrapper.sdk, wrapper.sdk)
    return tools, sdks


class _UsageCollector(UnregisteredApiKey):
    """CANON203's visitor (reads, not writes, of ``os.environ``), recording every secret read;
    and every vendor call the shared analysis sees, and every import of a vendor SDK."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.found: list[tuple[cst.CSTNode, Use]] = []
        self._tools, self._sdks = vendor_tables(ctx.canon)

    # --- secrets: the rule's own visitor calls this for every read it sees -------------------

    def _check(self, node: cst.CSTNode, name_expr: cst.BaseExpression | None) -> None:
        known = known_text(name_expr, self.names)
        if known is None or not known.whole or not SECRET_NAME.search(known.text):
            return
        self.found.append((node, Use(0, 0, READ, known.text)))

    # --- calls --------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        for call in self.ctx.vendors.calls(node):
            self._call(node, call)
        if self.names.qualname(node.func) in _DYNAMIC_IMPORTS and node.args:
            target = node.args[0].value
            if isinstance(target, cst.SimpleString):
                module = target.evaluated_value
                if isinstance(module, str) and module and not module.startswith("."):
                    self._import(node, module)

    def _call(self, node: cst.Call, call: VendorCall) -> None:
        _, guard = self.ctx.vendors.enclosing_guard()
        # what the call's uses share; each gets its kind and name
        shared = Use(
            0,
            0,
            CALL,
            "",
            label=call.vendor,
            tool=call.tool.id if call.tool else "",
            vendor=call.tool.vendor if call.tool else "",
            banned=call.ban is not None,
            guard_tool=(guard.tool_id or "") if guard else "",
            guard_hub=(guard.hub_id or "") if guard else "",
            guard_interaction=(guard.interaction or "") if guard else "",
        )
        if call.module is not None:
            self.found.append((node, replace(shared, name=call.module)))
        for host in call.hosts:
            self.found.append((node, replace(shared, use=REQUEST, name=host)))

    # --- imports ------------------------------------------------------------------------------

    def _skip_type_checking(self) -> bool:
        # As CANON101: an import under `if TYPE_CHECKING:` never runs.
        return self.names.in_type_checking and self.canon.type_checking_imports != "flag"

    def _import(self, node: cst.CSTNode, *qualnames: str) -> None:
        for qualname in qualnames:
            banned = self.canon.banned_module(qualname) is not None
            parts = qualname.split(".")
            for i in range(len(parts), 0, -1):
                prefix = ".".join(parts[:i])
                tool = self._tools.get(prefix)
                if tool is not None:
                    use = Use(0, 0, IMPORT, prefix, label=tool[0], tool=tool[0], vendor=tool[1], banned=banned)
                    self.found.append((node, use))
                    return
                sdk = self._sdks.get(prefix)
                if sdk is not None:
                    self.found.append((node, Use(0, 0, IMPORT, prefix, label=sdk, banned=banned)))
                    return

    def visit_Import(self, node: cst.Import | cst.LazyImport) -> None:
        if self._skip_type_checking():
            return
        for alias in node.names:
            qualname = dotted_name(alias.name)
            if qualname is not None:
                self._import(alias.name, qualname)

    def visit_ImportFrom(self, node: cst.ImportFrom | cst.LazyImportFrom) -> None:
        if self._skip_type_checking():
            return
        module = self.names.from_module(node)
        if module is None:
            return
        where = node.module if node.module is not None else node
        names = [] if isinstance(node.names, cst.ImportStar) else node.names
        # `from huggingface_hub import InferenceClient`: the table may name the API itself.
        named = [f"{module}.{identifier(a.name.value)}" for a in names if isinstance(a.name, cst.Name)]
        self._import(where, *named, module)

    visit_LazyImport = visit_Import
    visit_LazyImportFrom = visit_ImportFrom


def file_uses(
    text: str,
    canon: Canon,
    relpath: str,
    package: str | None,
    star_names: Callable[[str], Iterable[str]] | None,
) -> list[Use]:
    """Every use in a file's source, sorted by position; ``star_names`` is the checker's (what
    ``from M import *`` binds). A file libcst cannot parse raises its exception."""
    module = cst.parse_module(text)
    tracker = ImportTracker(module, star_names, package)
    ctx = FileContext(relpath, relpath, canon, tracker, star_imports="*" in text and "import" in text)
    collector = _UsageCollector(ctx)
    Walker([tracker, collector]).walk(module)
    if not collector.found:
        return []
    positions = node_positions(module, text, [node for node, _ in collector.found])
    uses = set()
    for node, use in collector.found:
        line, col, _, _ = positions[id(node)]
        uses.add(replace(use, line=line, col=col + 1))
    return sorted(uses)
