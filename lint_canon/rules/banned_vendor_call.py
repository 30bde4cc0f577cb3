"""CANON202 banned-vendor-call: an HTTP request to a host the canon bans."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lint_canon.analysis.vendor_tables import shared_models
from lint_canon.output.codes import rule_info
from lint_canon.rules.base import Needle, Rule
from lint_canon.rules.needles import http_groups, module_needles
from lint_canon_guard.config import Canon
from lint_canon_guard.hosts import host_matches

if TYPE_CHECKING:
    import libcst as cst


class BannedVendorCall(Rule):
    info = rule_info("CANON202")

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        return any(ban.hosts for ban in canon.banned)

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]]:
        # Not the banned host itself: it may be put together from constants and f-strings,
        # in any case, and the resolver still reads it. An SDK whose default host is banned
        # (its model says where it goes) is looked for by its import.
        groups = set(http_groups())
        for root, hosts in shared_models().default_hosts().items():
            plain = [host.removeprefix("*.") for host in hosts]
            if any(
                host == pattern or host_matches(host, pattern)
                for ban in canon.banned
                for pattern in ban.hosts
                for host in plain
            ):
                groups.add(module_needles(root.split(".", 1)[0]))
        return groups

    def visit_Call(self, node: cst.Call) -> None:
        for call in self.ctx.vendors.calls(node):
            if call.ban is not None and not self.ctx.exempt(call.ban):
                what = "banned host" if len(call.hosts) == 1 else "banned hosts"
                self.report(node, f"request to {what} {call.host_text}: {call.ban.reason}")
