"""Recognising vendor calls and the guard, statically.

A call is a *vendor call* when it goes into a vendor SDK (a tool's ``modules``, a
``vendor_modules`` entry or the built-in list below) or sends an HTTP request, through requests,
httpx, aiohttp, urllib.request or urllib3, to a host that is known from the source. Creating a
client (``OpenAI()``, ``httpx.Client(...)``) is not a call; calling a method on it is, and
``client.get(...)`` is followed back to the client through the import tracker.

The guard is a decorator whose qualified name is in the canon's ``guard.decorators``; its tool
id, hub and interaction type are read positionally or by keyword, as string literals, constants
or ``InteractionType.ENRICH``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field, replace

import libcst as cst

from lint_canon.analysis.names import ImportTracker
from lint_canon.analysis.syntax.imports import dotted_name
from lint_canon.analysis.values import Known, keyword, known_text
from lint_canon.analysis.vendor_tables import (
    BARE_HOST_CLIENTS,
    HTTP_CLIENTS,
    HTTP_FUNCTIONS,
    HTTP_LIBRARIES,
    default_host_covered,
)

# Known from here too (the engine, adoption); the tables live where libcst is not imported.
from lint_canon.analysis.vendor_tables import BUILTIN_VENDOR_MODULES as BUILTIN_VENDOR_MODULES
from lint_canon.analysis.vendor_tables import http_qualnames as http_qualnames
from lint_canon.sdks.model import models_for
from lint_canon_guard.config import Ban, Canon, Tool
from lint_canon_guard.hosts import host_matches

# Second-level names under which a country's registry hands out domains (example.co.uk).
_REGISTRY_LEVELS = frozenset({"ac", "co", "com", "edu", "go", "gov", "ne", "net", "or", "org"})


def _site(host: str) -> str:
    """The domain a host was registered under: api.twilio.com -> twilio.com, api.x.co.uk -> x.co.uk."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _REGISTRY_LEVELS else 2
    return ".".join(labels[-keep:])


_HOSTS_SHOWN = 3  # hosts named in a message; the rest are counted

_INTERNAL_HOSTS = ("localhost", "*.localhost", "*.local", "*.internal")

_AUTHORITY = re.compile(r"^(?:https?|wss?)://([^/?#]*)", re.IGNORECASE)


@dataclass(frozen=True)
class VendorCall:
    """A call that reaches a vendor: through an SDK (``module``) or over HTTP (``host``)."""

    node: cst.Call = field(repr=False)
    module: str | None = None
    hosts: tuple[str, ...] = ()  # the host, or the hosts it may go to under one verdict
    tool: Tool | None = None  # the registered tool it belongs to
    ban: Ban | None = None  # a ban of its host
    vendor: str = ""  # what to call it in a message

    @property
    def host(self) -> str | None:
        return self.hosts[0] if self.hosts else None

    @property
    def host_text(self) -> str:
        """``'api.mailgun.net'``, or ``'api.mailgun.net' or 'api.eu.mailgun.net'``; past three,
        the first three and how many more (an SDK's default hosts: Twilio has one per product)."""
        shown = " or ".join(f"'{host}'" for host in self.hosts[:_HOSTS_SHOWN])
        more = len(self.hosts) - _HOSTS_SHOWN
        return f"{shown} or {more} more" if more > 0 else shown

    @property
    def target(self) -> str:
        if self.hosts:
            return f"host {self.host_text}" if len(self.hosts) == 1 else f"hosts {self.host_text}"
        return f"'{self.module}'"


@dataclass(frozen=True)
class Guard:
    """The guard decorator of a function, with the arguments that could be read."""

    decorator: cst.Decorator
    tool_id: str | None
    hub_id: str | None
    interaction: str | None
    tool_arg: cst.BaseExpression | None
    hub_arg: cst.BaseExpression | None
    interaction_arg: cst.BaseExpression | None


def host_of(known: Known) -> str | None:
    """The host a URL names, if the known part reaches past it; None otherwise."""
    match = _AUTHORITY.match(known.text)
    if match is None:
        return None
    authority = match.group(1)
    complete = known.whole or match.end() < len(known.text)
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return None
        return authority[1:end].lower() if complete or end < len(authority) else None
    host, colon, _ = authority.partition(":")
    if not (complete or colon):
        return None  # f"https://{region}.api.example.com" and the like: not known
    if any(char.isspace() or not char.isprintable() for char in host):
        return None  # no host holds a space or a line break: not a URL a request can go to
    return normalise_host(host) or None


def normalise_host(host: str) -> str:
    """A host as the request reaches it: in lower case, without the root's trailing dot, and
    (as IDNA maps it) a non-ASCII name NFKC-normalised: ``API.Hunter.IO.`` and
    ``api.\uff48unter.io`` are api.hunter.io."""
    if not host.isascii():
        host = unicodedata.normalize("NFKC", host)
        host = host.replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".")
    return host.lower().rstrip(".")


def is_internal(host: str, canon: Canon) -> bool:
    """Our own services: the canon's allowed_hosts, loopback and private addresses, and
    single-label names (a container or cluster service)."""
    if any(host_matches(host, p) for p in (*canon.allowed_hosts, *_INTERNAL_HOSTS)):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return address.is_private or address.is_loopback or address.is_link_local


def _on_a_result(qualname: str) -> bool:
    """``pkg.Client().get_item().save``: a call on what a method call returned."""
    parts = qualname.split(".")
    made = next((i for i, part in enumerate(parts) if part.endswith("()")), len(parts))
    return any(part.endswith("()") for part in parts[made + 1 : -1])


class Vendors:
    """Per-file answers about calls and guards, computed once and shared by every rule."""

    def __init__(self, canon: Canon, names: ImportTracker) -> None:
        self.canon = canon
        self.names = names
        self._calls: dict[int, tuple[VendorCall, ...]] = {}
        self._guards: dict[int, Guard | None] = {}
        self._tool_modules: dict[str, list[Tool]] = {}
        for tool in canon.tools:
            for module in tool.modules:
                self._tool_modules.setdefault(module, []).append(tool)
        self._wrappers = {wrapper.module: wrapper.sdk for wrapper in canon.wrappers}
        self._public_modules = {module for api in canon.public_apis for module in api.modules}
        self._public_hosts = tuple(host for api in canon.public_apis for host in api.hosts)
        self._banned_hosts = any(ban.hosts for ban in canon.banned)
        self.models = models_for(canon)
        self._vendor_modules = dict(BUILTIN_VENDOR_MODULES) if canon.builtin_vendors else {}
        if canon.builtin_vendors:
            self._vendor_modules.update(self.models.roots())
        self._vendor_modules.update({module: module for module in canon.vendor_modules})
        for wrapper in canon.wrappers:
            self._vendor_modules.setdefault(wrapper.sdk, wrapper.sdk)

    # --- calls ---------------------------------------------------------------------------

    def calls(self, node: cst.Call) -> tuple[VendorCall, ...]:
        """The verdicts on a call: none, one, or one per distinct verdict when its URL is one
        of several (``API_LOOKUP[region]``) that fall under different ones."""
        key = id(node)
        if key not in self._calls:
            self._calls[key] = self._classify(node)
        return self._calls[key]

    def _qualname(self, func: cst.BaseExpression) -> tuple[str | None, cst.Call | None]:
        """Qualified name of a called expression, and the call that made its client, if any.
        ``Client(...).get`` and ``client.get`` both give ``pkg.Client().get``."""
        attrs: list[str] = []
        inner = func
        while isinstance(inner, cst.Attribute):
            attrs.append(inner.attr.value)
            inner = inner.value
        if isinstance(inner, cst.Call) and attrs:
            maker = self.names.qualname(inner.func)
            if maker is None:
                # `self._session().post(...)`: a helper that returns a new client
                returned = self.names.returned_client(inner.func, inner)
                if (
                    returned is None
                    and isinstance(inner.func, cst.Attribute)
                    and isinstance(inner.func.value, cst.Call)
                ):
                    # `s3.Bucket(name).Object(key).get()`: what a method of what a call made returns
                    returned = self.names.made_by(inner)
                    if returned is not None and "()" not in (returned.qualname or ""):
                        returned = None
                if returned is None or returned.qualname is None:
                    return None, None
                made = returned.node if isinstance(returned.node, cst.Call) else None
                return f"{returned.qualname}." + ".".join(reversed(attrs)), made
            return f"{maker}()." + ".".join(reversed(attrs)), inner
        qualname = self.names.qualname(func)
        if qualname is None or "()" not in qualname:
            return qualname, None
        binding = self.names.head_binding(func)
        if binding is None or not isinstance(binding.node, cst.Call):
            # self.client: the binding lives among the class's members
            if isinstance(func, cst.Attribute):
                members = self.names.enclosing_class_members() or {}
                inner = func.value
                while isinstance(inner, cst.Attribute) and not (
                    isinstance(inner.value, cst.Name) and inner.value.value in ("self", "cls")
                ):
                    inner = inner.value
                if isinstance(inner, cst.Attribute):
                    member = members.get(inner.attr.value)
                    if member is not None and isinstance(member.node, cst.Call):
                        return qualname, member.node
            return qualname, None
        return qualname, binding.node

    def _classify(self, node: cst.Call) -> tuple[VendorCall, ...]:
        found = self._classify_call(node)
        return found if found else self._passed(node)

    def _passed(self, node: cst.Call) -> tuple[VendorCall, ...]:
        """A function or method that sends, passed to be called by another
        (``asyncio.to_thread(requests.post, URL)``, ``run_with_timeout(self.exa.search, q)``,
        ``retry(fn=client.get_log_events, logGroupName=group)``):
        a call to the vendor at this place, with the arguments that follow it as its own."""
        for index, arg in enumerate(node.args):
            if arg.star or not isinstance(arg.value, (cst.Name, cst.Attribute)):
                continue
            if arg.keyword is not None and not isinstance(arg.value, cst.Attribute):
                continue  # `fn=client.get_log_events`: a method by keyword; a bare name is a value
            if index == len(node.args) - 1 and not isinstance(arg.value, cst.Attribute):
                # a name passed last: a function handed over with nothing after it would be
                # called without its URL; only an SDK method (an attribute) can still send
                continue
            head: cst.BaseExpression = arg.value
            while isinstance(head, cst.Attribute):
                head = head.value
            if not isinstance(head, cst.Name):
                continue
            if head.value not in ("self", "cls"):
                bound = self.names.lookup(head.value)
                if bound is None or bound.qualname is None:
                    continue  # a local value, not an import or a client: the common case, cheaply
                plain = self.models.through_stubs(bound.qualname)  # `client: S3Client` (boto3's stubs)
                root = plain.split(".", 1)[0]
                if root not in HTTP_LIBRARIES and not self.models.for_module(plain):
                    continue  # neither an HTTP library nor an SDK a model describes
            qualname, _ = self._qualname(arg.value)
            if qualname is not None:
                qualname = self.models.through_stubs(qualname)
            if qualname is None or qualname.endswith("()") or qualname.rsplit(".", 1)[-1][:1].isupper():
                continue  # an object or a class handed over, not a function to call
            if qualname.split(".", 1)[0] not in HTTP_LIBRARIES:
                verdict = self.models.judge(qualname)
                if verdict is None or verdict.sends is not True:
                    continue  # only what the SDK's model shows to send: an attribute may be data
            inner = cst.Call(func=arg.value, args=node.args[index + 1 :])
            found = self._classify_call(inner)
            if found:
                return tuple(replace(call, node=node) for call in found)
        return ()

    def _classify_call(self, node: cst.Call) -> tuple[VendorCall, ...]:
        qualname, maker = self._qualname(node.func)
        if qualname is None:
            qualname = self._chosen_function(node.func)
        if qualname is None:
            return ()
        qualname = self.models.through_stubs(qualname)
        root = qualname.split(".", 1)[0]
        if root in HTTP_LIBRARIES:
            return self._http(node, qualname, maker)
        call = self._sdk(node, qualname, maker)
        if call is None and self.names.has_others:
            # the attribute holds another client in another branch: the call is the one whose
            # client has the method and sends (`self.client.generate` of OpenAI().images, not of
            # openai.Image), when no client it may be says it is local
            others = self.names.other_qualnames(node.func, qualname)
            if others:
                verdicts = [self.models.judge(q) for q in (qualname, *others)]
                if not any(v is not None and v.sends is False for v in verdicts):
                    for other, verdict in zip(others, verdicts[1:], strict=True):
                        if verdict is not None and verdict.sends is True:
                            call = self._sdk(node, other, None)
                            break
        outer = self.names.receivers.get(id(node))
        while call is not None and outer is not None:
            # `client.actor(id).call()`, `client.get_bucket(b).blob(k).upload(...)`: one call to
            # the vendor, reported at the outermost call of the chain that reaches it
            if any(found.module for found in self.calls(outer)):
                return ()
            outer = self.names.receivers.get(id(outer))
        if call is not None and maker is not None:
            base = self.names.base_urls.get(id(maker))
            if base is None:
                base = keyword(maker, "base_url")
            if base is not None:
                return self._redirected(node, base)
        return () if call is None else (call,)

    def _chosen_function(self, func: cst.BaseExpression) -> str | None:
        """``fn = requests.post if m == "POST" else requests.get`` then ``fn(url)``: either
        function sends to the URL it is given at the same place."""
        binding = self.names.lookup(func.value) if isinstance(func, cst.Name) else None
        value = binding.value if binding is not None and binding.qualname is None else None
        if not isinstance(value, cst.IfExp):
            return None
        chosen = [self.names.qualname(value.body), self.names.qualname(value.orelse)]
        if not all(name in HTTP_FUNCTIONS for name in chosen):
            return None
        first, second = (name for name in chosen if name is not None)
        return first if HTTP_FUNCTIONS[first] == HTTP_FUNCTIONS[second] else None

    def _redirected(self, node: cst.Call, base: cst.BaseExpression) -> tuple[VendorCall, ...]:
        """An SDK client made with a base_url (OpenAI's SDK pointed at DeepSeek ...): its
        requests go to that host, judged as an HTTP call is; silent when the host is not known.
        ``cfg or env or "https://api.openai.com/v1"`` is judged by the choices that are known."""
        if isinstance(base, cst.BooleanOperation) and isinstance(base.operator, cst.Or):
            operands: list[cst.BaseExpression] = []
            stack: list[cst.BaseExpression] = [base]
            while stack:
                current = stack.pop()
                if isinstance(current, cst.BooleanOperation) and isinstance(current.operator, cst.Or):
                    stack.extend((current.right, current.left))
                else:
                    operands.append(current)
            known = [k for k in (known_text(operand, self.names) for operand in operands) if k is not None]
            return self._to(node, Known.one_of(known)) if known else ()
        return self._to(node, known_text(base, self.names))

    def _to(self, node: cst.Call, url: Known | None) -> tuple[VendorCall, ...]:
        """The verdicts on a request to ``url``: a banned host, a tool's host, or an unregistered
        vendor; none when its host is not known or is one of ours. A URL that is one of several
        gets one verdict per distinct ban, tool or "unregistered", naming its hosts."""
        if url is None:
            return ()
        verdicts: dict[tuple[int, int], VendorCall] = {}
        for choice in url.choices or (url,):
            call = self._verdict(node, choice)
            if call is None:
                continue
            key = (id(call.ban), id(call.tool))
            seen = verdicts.get(key)
            if seen is None:
                verdicts[key] = call
            elif call.host not in seen.hosts:
                verdicts[key] = replace(seen, hosts=(*seen.hosts, *call.hosts))
        return tuple(verdicts.values())

    def _verdict(self, node: cst.Call, url: Known) -> VendorCall | None:
        host = host_of(url)
        if host is None or is_internal(host, self.canon):
            return None
        for ban in self.canon.banned:
            if any(host_matches(host, pattern) for pattern in ban.hosts):
                return VendorCall(node, hosts=(host,), ban=ban, vendor=host)
        if any(host_matches(host, pattern) for pattern in self._public_hosts):
            return None  # a free public API the team does not treat as a vendor
        for tool in self.canon.tools:
            if any(host_matches(host, pattern) for pattern in tool.hosts):
                return VendorCall(node, hosts=(host,), tool=tool, vendor=tool.id)
        return VendorCall(node, hosts=(host,), vendor=host)

    def _sdk(self, node: cst.Call, qualname: str, maker: cst.Call | None = None) -> VendorCall | None:
        last = qualname.rsplit(".", 1)[-1]
        if "()" not in qualname and last[:1].isupper():
            return None  # making a client or a message is not a call to the vendor
        verdict = self.models.judge(qualname)
        if verdict is not None and verdict.sends is not True:
            # The SDK's model: local (data, builders, client state), or not known (a receiver
            # whose type the model cannot follow, a method its generator could not decide)
            return None
        if verdict is None and "()" not in qualname and any(part[:1].isupper() for part in qualname.split(".")[1:-1]):
            # No model describes this SDK, and the call is on a class (`BlobServiceClient.
            # from_connection_string(...)`, `Permissions.from_string(...)`): mostly constructors,
            # so not judged; a method of a client made here and a function of the SDK still are
            return None
        if verdict is None and qualname.count("()") > 1 and _on_a_result(qualname):
            # No model describes this SDK (the older reading: any call into it, or on a client
            # made here), and what one of its calls returned is of a type not known here
            return None
        plain = qualname.replace("()", "")
        parts = plain.split(".")
        package = self.names.package
        if package and package.split(".", 1)[0] == parts[0] and "()" not in qualname:
            # The SDK's own code (a file of its package) calling its helpers; a method of one of
            # its clients (TavilyClient().search in its hybrid_rag module) still calls the vendor.
            return None
        prefixes = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
        wrapped = next((self._wrappers[p] for p in prefixes if p in self._wrappers), None)
        if wrapped is not None:
            prefixes = [wrapped]  # `wrappers:` a package calling this SDK for us
        if any(prefix in self._public_modules for prefix in prefixes):
            return None  # a free public API the team does not treat as a vendor
        banned = self._banned_default_host(prefixes, maker)
        if banned is not None:
            # a request to a banned host, also through a banned SDK (whose import is CANON101):
            # the call is where the banned vendor is reached, as ruff's banned-api reports uses
            return replace(banned, node=node)
        if self.canon.banned_module(plain) is not None:
            return None  # a banned SDK's other calls: its import is CANON101 already
        for prefix in prefixes:
            tools = self._tool_modules.get(prefix)
            if tools:
                tool, unsure = self._claiming(tools, prefix, maker)
                if tool is not None:
                    return VendorCall(node, module=prefix, tool=tool, vendor=tool.id)
                if unsure:
                    return None  # the service is not known here: which tool (if any) is not known
                break  # the tools claiming the SDK claim other hosts or services: another vendor
        by_host = self._tool_of_default_hosts(prefixes, maker)
        if by_host is not None:
            return VendorCall(node, module=by_host[0], tool=by_host[1], vendor=by_host[1].id)
        for prefix in prefixes:
            name = self._vendor_modules.get(prefix)
            if name is not None:
                return VendorCall(node, module=prefix, vendor=name)
        return None

    def _banned_default_host(self, prefixes: list[str], maker: cst.Call | None) -> VendorCall | None:
        """An SDK call that goes to the SDK's default host (no base_url), which a ban covers:
        a request to a banned host (CANON202), whatever module the ban names."""
        if not self._banned_hosts or self._pointed_elsewhere(maker):
            return None  # pointed elsewhere: judged by that host
        for prefix in prefixes:
            for ban in self.canon.banned:
                hosts = tuple(
                    host.removeprefix("*.")
                    for model in self.models.for_module(prefix)
                    for host in model.hosts
                    if any(default_host_covered(host, pattern) for pattern in ban.hosts)
                )
                if hosts:
                    # the SDK's default hosts the ban covers (which of them a call uses is the SDK's)
                    unique = tuple(dict.fromkeys(hosts))
                    return VendorCall(cst.Call(cst.Name("_")), hosts=unique, ban=ban, vendor=unique[0])
        return None

    def _pointed_elsewhere(self, maker: cst.Call | None) -> bool:
        """Whether the client was made with a ``base_url``: its requests go there, not to the
        SDK's default host."""
        return maker is not None and (
            self.names.base_urls.get(id(maker)) is not None or keyword(maker, "base_url") is not None
        )

    def _tool_of_default_hosts(self, prefixes: list[str], maker: cst.Call | None) -> tuple[str, Tool] | None:
        """An SDK no tool names, whose default host (its model's) a tool registers: a request to
        that tool's host, as the same request through an HTTP library is (aiobotocore's clients
        under a tool of ``*.amazonaws.com``). One tool only, claiming no services; none when
        the client is pointed elsewhere (then judged by that host)."""
        if self._pointed_elsewhere(maker):
            return None
        models = self.models.for_module(prefixes[0])
        hosts = [host for model in models for host in model.hosts]
        tools = [
            tool
            for tool in self.canon.tools
            if any(default_host_covered(host, pattern) for host in hosts for pattern in tool.hosts)
        ]
        if len(tools) != 1 or tools[0].services:
            return None
        roots = {root for model in models for root in model.roots}
        return next((prefix for prefix in prefixes if prefix in roots), prefixes[-1]), tools[0]

    def _claiming(self, tools: list[Tool], module: str, maker: cst.Call | None) -> tuple[Tool | None, bool]:
        """The tool of those claiming ``module`` that this call is: one that claims the SDK
        whole, or the service its client was made for (boto3's ``services``), or the SDK's
        default host (``modules`` with ``hosts``: the SDK pointed elsewhere is another vendor).
        Also whether a tool was passed over only because the service is not known here."""
        unsure = False
        for tool in tools:
            if tool.services:
                service = self._service(maker)
                if service is None:
                    unsure = True
                    continue
                if service not in tool.services:
                    continue
            if tool.hosts:
                defaults = [host for model in self.models.for_module(module) for host in model.hosts]
                if defaults and not any(
                    default_host_covered(host, pattern) for host in defaults for pattern in tool.hosts
                ):
                    # A model may not name every host of its vendor (Twilio has one per product):
                    # a tool host of the same site as a default one (api.twilio.com beside
                    # event-bridge.twilio.com) is the SDK's own vendor, never another one.
                    sites = {_site(host.removeprefix("*.")) for host in defaults}
                    if not any(_site(pattern.removeprefix("*.")) in sites for pattern in tool.hosts):
                        continue
            return tool, False
        return None, unsure

    def _service(self, maker: cst.Call | None) -> str | None:
        """The service a generic SDK's client was made for: ``boto3.client("bedrock-runtime")``."""
        if maker is None:
            return None
        made_by = self.names.qualname(maker.func) or ""
        if not made_by.endswith((".client", ".resource", ".create_client")):
            return None
        known = known_text(keyword(maker, "service_name", 0), self.names)
        return known.text if known is not None and known.whole else None

    def _http(self, node: cst.Call, qualname: str, maker: cst.Call | None) -> tuple[VendorCall, ...]:
        url_arg: cst.BaseExpression | None
        base: Known | None = None
        if qualname in HTTP_FUNCTIONS:
            url_arg = keyword(node, "url", HTTP_FUNCTIONS[qualname])
        else:
            owner, _, method = qualname.rpartition(".")
            if not owner.endswith("()"):
                return ()
            client = owner[:-2]
            methods = HTTP_CLIENTS.get(client)
            if methods is None:
                return ()
            url_first, method_first = methods
            if method in url_first:
                url_arg = keyword(node, "url", 0)
            elif method in method_first:
                url_arg = keyword(node, "url", 1)
            else:
                return ()
            if maker is not None:
                base = self._client_base(client, maker)
        url = self._url(url_arg)
        if url is not None and base is not None:
            url = url.each(lambda part: part if _AUTHORITY.match(part.text) else base + part)
        elif url is None and base is not None and url_arg is not None:
            url = base
        return self._to(node, url)

    def _client_base(self, client: str, maker: cst.Call) -> Known | None:
        """What a client's requests start with: its base_url, or its pool's host."""
        if client in BARE_HOST_CLIENTS:
            host = known_text(keyword(maker, "host", 0), self.names)
            if host is None or not host.whole:
                return None
            scheme = "https" if client.endswith("HTTPSConnectionPool") else "http"
            return Known(f"{scheme}://{host.text}/", False)
        if client == "urllib3.connection_from_url":
            arg = keyword(maker, "url", 0)
        elif client == "aiohttp.ClientSession":
            arg = keyword(maker, "base_url", 0)
        elif client.startswith(("httpx.", "httpx2.")):
            arg = keyword(maker, "base_url")
        else:
            return None
        return known_text(arg, self.names)

    def _url(self, arg: cst.BaseExpression | None) -> Known | None:
        if arg is None:
            return None
        # urlopen(Request(url)) and urlopen(request) with request = Request(url)
        request: cst.Call | None = None
        if isinstance(arg, cst.Call) and self.names.qualname(arg.func) == "urllib.request.Request":
            request = arg
        elif isinstance(arg, cst.Name):
            binding = self.names.lookup(arg.value)
            if binding is not None and binding.qualname == "urllib.request.Request()":
                request = binding.node if isinstance(binding.node, cst.Call) else None
        if request is not None:
            return known_text(keyword(request, "url", 0), self.names)
        return known_text(arg, self.names)

    # --- guards --------------------------------------------------------------------------

    def guard(self, function: cst.FunctionDef) -> Guard | None:
        key = id(function)
        if key not in self._guards:
            self._guards[key] = self._read_guard(function)
        return self._guards[key]

    def _read_guard(self, function: cst.FunctionDef) -> Guard | None:
        accepted = self.canon.guard_decorators
        for decorator in function.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            qualname = self.names.qualname(call.func if call is not None else expr)
            if qualname not in accepted:
                continue
            if call is None:
                return Guard(decorator, None, None, None, None, None, None)
            tool_arg = keyword(call, "tool_id", 0)
            hub_arg = keyword(call, "hub_id", 1)
            interaction_arg = keyword(call, "interaction_type", 2)
            return Guard(
                decorator,
                self._literal(tool_arg),
                self._literal(hub_arg),
                self._literal(interaction_arg, enum=True),
                tool_arg,
                hub_arg,
                interaction_arg,
            )
        return None

    def _literal(self, arg: cst.BaseExpression | None, enum: bool = False) -> str | None:
        if arg is None:
            return None
        if enum and isinstance(arg, cst.Attribute):
            dotted = dotted_name(arg)
            if dotted is not None and dotted.split(".")[-2:-1] == ["InteractionType"]:
                return arg.attr.value
        known = known_text(arg, self.names)
        return known.text if known is not None and known.whole else None

    def enclosing_guard(self) -> tuple[cst.FunctionDef | None, Guard | None]:
        """The nearest enclosing function of the node being visited, and its guard."""
        stack = self.names.function_stack
        if not stack:
            return None, None
        return stack[-1], self.guard(stack[-1])
