"""CANON201 unregistered-vendor-call: a call to a vendor SDK, or an HTTP request to an
external host, that no tool of the canon registers and ``allowed_hosts`` does not cover."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lint_canon.analysis.vendor_tables import BUILTIN_VENDOR_MODULES, shared_models
from lint_canon.output.codes import rule_info
from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import http_groups, module_needles, stub_needles
from lint_canon_guard.config import Canon

if TYPE_CHECKING:
    import libcst as cst

    from lint_canon.analysis.vendors import VendorCall


class UnregisteredVendorCall(Rule):
    info = rule_info("CANON201")

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        modules = set(canon.vendor_modules) | {wrapper.module for wrapper in canon.wrappers}
        modules |= {root for model in canon._index.get("sdk_models", ()) for root in model.roots}
        if canon.builtin_vendors:
            modules |= set(BUILTIN_VENDOR_MODULES) | set(shared_models().roots())
        groups = {module_needles(module.split(".", 1)[0]) for module in modules}
        # An HTTP call is only a finding when its URL (or a pool's host) is known from the file.
        return groups | http_groups() | stub_needles()

    def visit_Call(self, node: cst.Call) -> None:
        for call in self.ctx.vendors.calls(node):
            if call.tool is None and call.ban is None:
                self._report(node, call)

    def _report(self, node: cst.Call, call: VendorCall) -> None:
        if len(call.hosts) > 1:
            self.report(
                node,
                f"request to external hosts {call.host_text} (whichever is chosen) that no tool registers; add the "
                "tool to the canon (tools[].hosts), or the hosts to allowed_hosts if they are our own service",
            )
        elif call.hosts:
            self.report(
                node,
                f"request to external host {call.host_text} that no tool registers; add the tool to the "
                "canon (tools[].hosts), or the host to allowed_hosts if it is our own service",
            )
        else:
            self.report(
                node,
                f"call to vendor SDK '{call.module}' ({call.vendor}) that no tool registers; add the tool "
                "to the canon (tools[].modules) or remove the call",
            )
