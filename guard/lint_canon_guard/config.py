"""The canon: ``canon.yaml`` version 1, found, loaded and validated.

Validation happens once, on load, and every problem is a ``ConfigError`` naming the file, the
line and the key path (``tools[1].hubs[0]``), so no rule ever meets a malformed canon.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lint_canon_guard.errors import ConfigError
from lint_canon_guard.files import DEFAULT_MAX_FILE_SIZE, FileTooLarge, NotRegularFile, read_bytes
from lint_canon_guard.lines import split_lines

CANON_FILE = "canon.yaml"


def canonicalize_name(name: str) -> str:
    """PEP 503 normalisation (the spec's own one-line rule; packaging is not imported for it)."""
    return re.sub(r"[-_.]+", "-", name).lower()


TIERS = ("TIER_0", "TIER_1", "TIER_2")
INTERACTIONS = ("READ", "WRITE", "ENRICH", "VALIDATE")
TYPE_CHECKING_MODES = ("ignore", "flag")
DEFAULT_GUARD = "lint_canon.guard.enforce_tool_canon"
# The same decorator imported from the guard's own distribution (lint-canon-guard).
DEFAULT_GUARDS = (DEFAULT_GUARD, "lint_canon_guard.guard.enforce_tool_canon")

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = re.compile(rf"^{_IDENT}(\.{_IDENT})*$")
_ENV_NAME = re.compile(rf"^{_IDENT}$")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*$")


@dataclass(frozen=True)
class Tool:
    """One approved tool of the registry."""

    id: str
    vendor: str
    name: str = ""
    tier: str = "TIER_0"
    hubs: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    api_key_env: str | None = None
    gates: tuple[str, ...] = ()
    human_approval: bool = False
    line: int = 0


@dataclass(frozen=True)
class Ban:
    """A banned vendor or library: modules (or APIs), distribution names, hosts."""

    reason: str
    modules: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()  # PEP 503 normalised
    hosts: tuple[str, ...] = ()
    allow_in: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Canon:
    """The validated canon; ``root`` is the folder paths in the canon are relative to."""

    path: Path
    root: Path
    digest: str
    version: int = 1
    hubs: tuple[str, ...] = ()
    tools: tuple[Tool, ...] = ()
    banned: tuple[Ban, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    vendor_modules: tuple[str, ...] = ()
    builtin_vendors: bool = True
    guard_decorators: tuple[str, ...] = DEFAULT_GUARDS
    done_doc: str | None = None
    done_sql: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    type_checking_imports: str = "ignore"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def banned_module(self, qualname: str) -> tuple[str, Ban] | None:
        """The ban covering ``qualname`` (a module, or an API inside one), with the entry hit."""
        table: dict[str, Ban] = self._index["modules"]
        parts = qualname.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            ban = table.get(prefix)
            if ban is not None:
                return prefix, ban
        return None

    def banned_package(self, name: str) -> Ban | None:
        """The ban listing distribution ``name`` (any spelling PEP 503 treats as equal)."""
        return self._index["packages"].get(canonicalize_name(name))

    def tool(self, tool_id: str) -> Tool | None:
        return self._index["tools"].get(tool_id)


# --- reading YAML with line numbers -------------------------------------------------------

# A canon is a few kilobytes; these bounds only stop hostile input: a megabyte of YAML, aliases
# that expand to billions of values ("billion laughs"), nesting that exhausts the stack.
MAX_CANON_SIZE = 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# Scalars the canon can hold; any other tag (!!python/object, !!binary, !custom) is refused.
_SCALAR_TAGS = {"tag:yaml.org,2002:" + name: name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_BREAK = re.compile(r"\r\n|\r|\n")


class _Doc:
    """Plain values of a YAML document plus the line of every key path."""

    def __init__(self, path: Path, text: str = "") -> None:
        self.path = path
        self.lines: dict[tuple[Any, ...], int] = {}
        self.values = 0
        # YAML also breaks lines at U+0085, U+2028 and U+2029; lines are counted as every other
        # reader counts them (lint_canon.engine.lines), from the character index of each mark.
        self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def line_at(self, mark: Any) -> int:
        return bisect.bisect_right(self._starts, mark.index)

    def line(self, keypath: tuple[Any, ...]) -> int | None:
        while keypath:
            if keypath in self.lines:
                return self.lines[keypath]
            keypath = keypath[:-1]
        return self.lines.get(())

    def error(self, keypath: tuple[Any, ...], problem: str) -> ConfigError:
        return ConfigError(_display(self.path), self.line(keypath), _cut(_keystr(keypath), 100), _printable(problem))


def _keystr(keypath: tuple[Any, ...]) -> str:
    out = ""
    for part in keypath:
        part = part if isinstance(part, int) else _printable(_cut(str(part), 60))
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


def _short(value: Any) -> str:
    """``repr`` of a value quoted in a message, cut to a readable length."""
    return _cut(repr(value), 80)


def _printable(text: str) -> str:
    """One printable line: control characters and line or paragraph separators escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(_cut(n, 40) for n in names[:10])
    return (shown + f", ... ({len(names)} in all)" if len(names) > 10 else shown) or "(none)"


def _display(path: Path) -> str:
    try:
        return _printable(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return _printable(str(path))


def _short_tag(tag: str) -> str:
    return _cut(tag.replace("tag:yaml.org,2002:", "!!"), 60)


def _plain(
    doc: _Doc,
    node: yaml.Node,
    keypath: tuple[Any, ...],
    constructor: Any,
    depth: int = 0,
    open_: set[int] | None = None,
) -> Any:
    """The plain value of ``node``, counting values as aliases expand them; ``open_`` holds the
    collections being converted, so an alias to one of them (a recursive anchor) is caught."""
    open_ = set() if open_ is None else open_
    doc.lines.setdefault(keypath, doc.line_at(node.start_mark))
    doc.values += 1
    if doc.values > MAX_VALUES:
        raise doc.error(
            keypath[:1],
            f"more than {MAX_VALUES:,} values once aliases are expanded (an alias bomb?); "
            "write the values out, a canon needs far fewer",
        )
    if depth > MAX_DEPTH:
        raise doc.error(keypath, f"nested more than {MAX_DEPTH} levels deep; a canon needs four at most")
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        expected = _MAP_TAG if isinstance(node, yaml.MappingNode) else _SEQ_TAG
        if node.tag != expected:
            raise doc.error(keypath, f"the tag {_short_tag(node.tag)} is not allowed in the canon; remove it")
        if id(node) in open_:
            raise doc.error(keypath, "an alias refers to a value that contains it (a recursive anchor); remove it")
        open_.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    _plain(doc, item, keypath + (i,), constructor, depth + 1, open_)
                    for i, item in enumerate(node.value)
                ]
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                kline = doc.line_at(knode.start_mark)
                if not isinstance(knode, yaml.ScalarNode):
                    doc.lines[keypath + ("?",)] = kline
                    raise doc.error(keypath + ("?",), "keys must be strings")
                if knode.tag == "tag:yaml.org,2002:merge":
                    doc.lines[keypath + ("<<",)] = kline
                    raise doc.error(keypath + ("<<",), "merge keys ('<<') are not supported; write the keys out")
                key = _scalar(doc, knode, keypath + (knode.value,), constructor)
                if not isinstance(key, str):
                    doc.lines[keypath + (str(key),)] = kline
                    raise doc.error(keypath + (str(key),), "keys must be strings")
                if key in out:
                    doc.lines[keypath + (key,)] = kline
                    raise doc.error(keypath + (key,), "duplicate key")
                doc.lines[keypath + (key,)] = kline
                out[key] = _plain(doc, vnode, keypath + (key,), constructor, depth + 1, open_)
            return out
        finally:
            open_.discard(id(node))
    return _scalar(doc, node, keypath, constructor)


def _scalar(doc: _Doc, node: yaml.Node, keypath: tuple[Any, ...], constructor: Any) -> Any:
    """A scalar, constructed as the safe loader would; what its constructor raises (a number
    longer than Python converts, a date that does not exist) is an error at its line."""
    doc.lines.setdefault(keypath, doc.line_at(node.start_mark))
    kind = _SCALAR_TAGS.get(node.tag)
    if kind is None:
        raise doc.error(keypath, f"the tag {_short_tag(node.tag)} is not allowed in the canon; remove it")
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError:
        raise
    except Exception as exc:  # ValueError, OverflowError, ...: PyYAML lets them through unmarked
        reason = str(exc).split("\n", 1)[0]
        if "Exceeds the limit" in reason:
            reason = f"a number of more than {sys.get_int_max_str_digits():,} digits"
        what = {"int": "a number", "float": "a number", "timestamp": "a date"}.get(kind, kind)
        raise doc.error(
            keypath, f"cannot read {_short(node.value)} as {what}: {_cut(reason, 120)}; quote it to make it a string"
        ) from None


# libyaml's parser when PyYAML was built with it: much faster on a large canon.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        if _LOADER is yaml.SafeLoader or "nesting depth" in str(getattr(exc, "problem", "")):
            raise  # PyYAML would only recurse until the stack runs out on what libyaml refused
        fast = exc
    try:
        # PyYAML's own parser words its errors better: let it say what is wrong...
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        # ...unless it recurses past the stack where libyaml stopped at its nesting limit.
        raise fast from None


def _read_yaml(path: Path, text: str) -> tuple[Any, _Doc]:
    doc = _Doc(path, text)
    shown = _display(path)
    try:
        node = _compose(text)
        if node is None:
            raise ConfigError(shown, 1, "", "the canon is empty; start from the example in the README")
        return _plain(doc, node, (), yaml.SafeLoader("")), doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = doc.line_at(mark) if mark else None
        problem = _printable((exc.problem or exc.context or "invalid YAML").strip())
        raise ConfigError(shown, line, "", f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        position = exc.position if isinstance(exc.position, int) and 0 <= exc.position < len(text) else 0
        character = ord(text[position]) if text else 0
        line = bisect.bisect_right(doc._starts, position)
        raise ConfigError(
            shown, line, "", f"invalid YAML: character U+{character:04X} is not allowed ({_printable(exc.reason)})"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(shown, None, "", f"invalid YAML: {_printable(str(exc).splitlines()[0])}") from None
    except RecursionError:  # PyYAML without libyaml, composing thousands of nested collections
        raise ConfigError(shown, None, "", "invalid YAML: collections nested too deeply") from None


# --- validation ----------------------------------------------------------------------------

_TOP_KEYS = {
    "version",
    "hubs",
    "tools",
    "banned",
    "allowed_hosts",
    "vendor_modules",
    "builtin_vendors",
    "guard",
    "done_states",
    "exclude",
    "type_checking_imports",
    "max_file_size",
}
_TOOL_KEYS = {
    "id",
    "name",
    "vendor",
    "tier",
    "hubs",
    "interactions",
    "modules",
    "hosts",
    "api_key_env",
    "gates",
    "human_approval",
}
_BAN_KEYS = {"reason", "modules", "packages", "hosts", "allow_in"}


class _Validator:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc

    def fail(self, keypath: tuple[Any, ...], problem: str) -> ConfigError:
        return self.doc.error(keypath, problem)

    def keys(self, value: dict[str, Any], allowed: set[str], keypath: tuple[Any, ...]) -> None:
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                tip = f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(sorted(allowed))}"
                raise self.fail(keypath + (key,), f"unknown key{tip}")

    def mapping(self, value: Any, keypath: tuple[Any, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(keypath, f"expected a mapping, got {_kind(value)}")
        return value

    def string(
        self, value: Any, keypath: tuple[Any, ...], pattern: re.Pattern[str] | None = None, what: str = ""
    ) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(keypath, f"expected a non-empty string, got {_kind(value)}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(keypath, f"{_short(value)} is not {what}")
        return value

    def boolean(self, value: Any, keypath: tuple[Any, ...]) -> bool:
        if not isinstance(value, bool):
            raise self.fail(keypath, f"expected true or false, got {_kind(value)}")
        return value

    def choice(self, value: Any, keypath: tuple[Any, ...], choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.fail(keypath, f"{_short(value)} is not one of {', '.join(choices)}")
        return value

    def strings(
        self,
        value: Any,
        keypath: tuple[Any, ...],
        pattern: re.Pattern[str] | None = None,
        what: str = "",
        unique: bool = True,
    ) -> tuple[str, ...]:
        if isinstance(value, str):
            raise self.fail(keypath, f"expected a list of strings, got a string; write [{value}]")
        if not isinstance(value, list):
            raise self.fail(keypath, f"expected a list of strings, got {_kind(value)}")
        seen: set[str] = set()
        for i, item in enumerate(value):
            self.string(item, keypath + (i,), pattern, what)
            if unique and item in seen:
                raise self.fail(keypath + (i,), f"{_short(item)} is listed twice")
            seen.add(item)
        return tuple(value)

    def hosts(self, value: Any, keypath: tuple[Any, ...]) -> tuple[str, ...]:
        hosts = self.strings(value, keypath)
        for i, host in enumerate(hosts):
            if not _HOST.match(host.lower()):
                raise self.fail(
                    keypath + (i,),
                    f"{_short(host)} is not a host pattern; write a host name such as api.example.com "
                    "or *.example.com (no scheme, path or port)",
                )
        return tuple(h.lower() for h in hosts)


_SIZE = re.compile(r"^\s*(\d{1,12})\s*(B|KB|KIB|MB|MIB|GB|GIB)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 1000, "KIB": 1024, "MB": 1000**2, "MIB": 1024**2, "GB": 1000**3, "GIB": 1024**3}


def _size(v: _Validator, value: Any, keypath: tuple[Any, ...]) -> int:
    """A size in bytes: a whole number, or a string such as "5MB", "512KiB"."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise v.fail(keypath, f"expected a size such as 5MB or 1048576, got {_kind(value)}")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.match(value)
        if match is None:
            raise v.fail(keypath, f"{_short(value)} is not a size; write a number of bytes or 512KB, 5MB, 2MiB")
        size = int(match.group(1)) * _UNITS[(match.group(2) or "B").upper()]
    if not 1024 <= size <= 1024**3:
        raise v.fail(keypath, f"{_short(value)} is out of range; give between 1KiB and 1GiB")
    return size


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _validate(raw: Any, doc: _Doc, path: Path, text: str) -> Canon:
    v = _Validator(doc)
    top = v.mapping(raw, ())
    v.keys(top, _TOP_KEYS, ())
    if "version" not in top:
        raise v.fail((), "missing key 'version'; the canon format is 'version: 1'")
    if top["version"] != 1 or isinstance(top["version"], bool):
        raise v.fail(("version",), f"unsupported version {_short(top['version'])}; this lint-canon reads version 1")

    hubs = v.strings(top.get("hubs", []), ("hubs",))
    hub_set = set(hubs)

    tools: list[Tool] = []
    tool_ids: dict[str, int] = {}
    raw_tools = top.get("tools", [])
    if not isinstance(raw_tools, list):
        raise v.fail(("tools",), f"expected a list of tools, got {_kind(raw_tools)}")
    for i, item in enumerate(raw_tools):
        kp: tuple[Any, ...] = ("tools", i)
        t = v.mapping(item, kp)
        v.keys(t, _TOOL_KEYS, kp)
        for required in ("id", "vendor"):
            if required not in t:
                raise v.fail(kp, f"missing key '{required}'")
        tool_id = v.string(t["id"], kp + ("id",))
        if tool_id in tool_ids:
            raise v.fail(kp + ("id",), f"duplicate tool id {_short(tool_id)} (first at tools[{tool_ids[tool_id]}])")
        tool_ids[tool_id] = i
        tool_hubs = v.strings(t.get("hubs", []), kp + ("hubs",))
        for j, hub in enumerate(tool_hubs):
            if hub not in hub_set:
                raise v.fail(
                    kp + ("hubs", j),
                    f"unknown hub {_short(hub)}; add it to 'hubs' or use one of: {_listed(hubs)}",
                )
        interactions = v.strings(t.get("interactions", []), kp + ("interactions",))
        for j, kind in enumerate(interactions):
            v.choice(kind, kp + ("interactions", j), INTERACTIONS)
        api_key = t.get("api_key_env")
        tools.append(
            Tool(
                id=tool_id,
                vendor=v.string(t["vendor"], kp + ("vendor",)),
                name=v.string(t["name"], kp + ("name",)) if "name" in t else "",
                tier=v.choice(t.get("tier", "TIER_0"), kp + ("tier",), TIERS),
                hubs=tool_hubs,
                interactions=interactions,
                modules=v.strings(t.get("modules", []), kp + ("modules",), _DOTTED, "a dotted module name"),
                hosts=v.hosts(t.get("hosts", []), kp + ("hosts",)),
                api_key_env=None
                if api_key is None
                else v.string(api_key, kp + ("api_key_env",), _ENV_NAME, "an environment variable name"),
                gates=v.strings(t.get("gates", []), kp + ("gates",)),
                human_approval=v.boolean(t.get("human_approval", False), kp + ("human_approval",)),
                line=doc.line(kp) or 0,
            )
        )

    bans: list[Ban] = []
    raw_bans = top.get("banned", [])
    if not isinstance(raw_bans, list):
        raise v.fail(("banned",), f"expected a list of bans, got {_kind(raw_bans)}")
    for i, item in enumerate(raw_bans):
        kp = ("banned", i)
        b = v.mapping(item, kp)
        v.keys(b, _BAN_KEYS, kp)
        if "reason" not in b:
            raise v.fail(kp, "missing key 'reason'; say why it is banned and what to use instead")
        if not any(k in b for k in ("modules", "packages", "hosts")):
            raise v.fail(kp, "a ban needs at least one of 'modules', 'packages', 'hosts'")
        packages = v.strings(b.get("packages", []), kp + ("packages",))
        for j, name in enumerate(packages):
            if not re.match(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$", name):
                raise v.fail(kp + ("packages", j), f"{_short(name)} is not a distribution name")
        bans.append(
            Ban(
                reason=v.string(b["reason"], kp + ("reason",)),
                modules=v.strings(b.get("modules", []), kp + ("modules",), _DOTTED, "a dotted module or API name"),
                packages=tuple(canonicalize_name(p) for p in packages),
                hosts=v.hosts(b.get("hosts", []), kp + ("hosts",)),
                allow_in=v.strings(b.get("allow_in", []), kp + ("allow_in",)),
                line=doc.line(kp) or 0,
            )
        )

    guard = v.mapping(top.get("guard", {}), ("guard",))
    v.keys(guard, {"decorators"}, ("guard",))
    decorators = v.strings(
        guard.get("decorators", list(DEFAULT_GUARDS)), ("guard", "decorators"), _DOTTED, "a qualified name"
    )

    done = v.mapping(top.get("done_states", {}), ("done_states",))
    v.keys(done, {"doc", "sql"}, ("done_states",))
    done_doc = v.string(done["doc"], ("done_states", "doc")) if "doc" in done else None
    done_sql = v.strings(done.get("sql", []), ("done_states", "sql"))

    index_modules: dict[str, Ban] = {}
    index_packages: dict[str, Ban] = {}
    for ban in bans:
        for module in ban.modules:
            index_modules.setdefault(module, ban)
        for package in ban.packages:
            index_packages.setdefault(package, ban)

    return Canon(
        path=path,
        root=path.parent,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        version=1,
        hubs=hubs,
        tools=tuple(tools),
        banned=tuple(bans),
        allowed_hosts=v.hosts(top.get("allowed_hosts", []), ("allowed_hosts",)),
        vendor_modules=v.strings(top.get("vendor_modules", []), ("vendor_modules",), _DOTTED, "a dotted module name"),
        builtin_vendors=v.boolean(top.get("builtin_vendors", True), ("builtin_vendors",)),
        guard_decorators=decorators,
        done_doc=done_doc,
        done_sql=done_sql,
        exclude=v.strings(top.get("exclude", []), ("exclude",)),
        type_checking_imports=v.choice(
            top.get("type_checking_imports", "ignore"), ("type_checking_imports",), TYPE_CHECKING_MODES
        ),
        max_file_size=_size(v, top["max_file_size"], ("max_file_size",))
        if "max_file_size" in top
        else DEFAULT_MAX_FILE_SIZE,
        _index={"modules": index_modules, "packages": index_packages, "tools": {t.id: t for t in tools}},
    )


# --- finding and loading -------------------------------------------------------------------


def load_canon(path: Path | str) -> Canon:
    """Read and validate one canon file; every problem is a ``ConfigError``."""
    path = Path(path).absolute()
    shown = _display(path)
    try:
        data = read_bytes(path, MAX_CANON_SIZE)
    except FileNotFoundError:
        raise ConfigError(shown, None, "", "no such file; check --config or [tool.lint-canon] config") from None
    except NotRegularFile as exc:
        raise ConfigError(
            shown, None, "", f"the canon is {_not_regular(exc.kind)}; name a canon.yaml file instead"
        ) from None
    except FileTooLarge as exc:
        raise ConfigError(
            shown,
            None,
            "",
            f"the canon is too large ({exc.size:,} bytes, at most {MAX_CANON_SIZE:,}); a canon needs a few kilobytes",
        ) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(shown, None, "", f"cannot read the canon: {_printable(reason)}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace") + "x"))
        raise ConfigError(
            shown, line, "", f"the canon is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None
    raw, doc = _read_yaml(path, text)
    return _validate(raw, doc, path, text)


def _not_regular(kind: str) -> str:
    return kind if kind.startswith("not ") else f"{kind}, not a regular file"


class TomlProblem(ValueError):
    """TOML that tomllib refuses or cannot read (nested too deeply, a number too long)."""

    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def load_toml(source: str) -> dict[str, Any]:
    """``tomllib.loads``, with every failure a ``TomlProblem`` at its line (where known)."""
    import tomllib

    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        line, problem = toml_error(exc, source)
        raise TomlProblem(line, _printable(problem)) from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table.
        raise TomlProblem(_deepest_line(source), "arrays or inline tables nested too deeply") from None
    except ValueError as exc:
        # int() refuses more digits than sys.get_int_max_str_digits(); tomllib lets it through.
        limit = sys.get_int_max_str_digits()
        match = re.search(rf"[0-9_]{{{limit + 1},}}", source) if limit else None
        line = _line_at(source, match.start()) if match else None
        if match:
            raise TomlProblem(line, f"a number of more than {limit:,} digits") from None
        raise TomlProblem(None, _printable(_cut(str(exc).split("\n", 1)[0], 200))) from None


_NESTING = re.compile(r"""[\[\]{}]|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*""")


def _deepest_line(source: str, enough: int = 200) -> int | None:
    """The line where brackets first nest ``enough`` deep (strings and comments skipped)."""
    depth = 0
    for match in _NESTING.finditer(source):
        char = match.group()
        if char in ("[", "{"):
            depth += 1
            if depth >= enough:
                return _line_at(source, match.start())
        elif char in ("]", "}"):
            depth -= 1
    return None


def _line_at(text: str, index: int) -> int:
    return len(split_lines(text[:index] + "x"))


def toml_error(exc: Exception, source: str) -> tuple[int | None, str]:
    """Line and text of a TOML error (3.11's tomllib keeps the line only in the message)."""
    text = str(exc)
    match = re.search(r"\s*\(at line (\d+), column \d+\)$", text)
    if match:
        return int(match.group(1)), text[: match.start()]
    if text.endswith("(at end of document)"):
        return max(1, len(split_lines(source))), text[: -len("(at end of document)")].strip()
    return getattr(exc, "lineno", None), text


def _line_matching(source: str, pattern: str, after: int = 0) -> int | None:
    """The first line (after line ``after``) that ``pattern`` matches."""
    compiled = re.compile(pattern)
    for number, line in enumerate(split_lines(source), 1):
        if number > after and compiled.match(line):
            return number
    return None


def _pyproject_canon(pyproject: Path) -> Path | None:
    """The canon named by ``[tool.lint-canon] config`` in ``pyproject``, if it names one."""
    shown = _display(pyproject)
    try:
        data = read_bytes(pyproject, DEFAULT_MAX_FILE_SIZE)
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace") + "x"))
        raise ConfigError(shown, line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x}); TOML is UTF-8") from None
    except NotRegularFile as exc:
        raise ConfigError(shown, None, "", f"cannot read: {_not_regular(exc.kind)}") from None
    except FileTooLarge as exc:
        raise ConfigError(
            shown, None, "", f"cannot read: too large ({exc.size:,} bytes, at most {DEFAULT_MAX_FILE_SIZE:,})"
        ) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(shown, None, "", f"cannot read: {_printable(reason)}") from None
    try:
        table = load_toml(source)
    except TomlProblem as exc:
        raise ConfigError(shown, exc.line, "", f"invalid TOML: {exc.problem}") from None
    tool = table.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(
            shown,
            _line_matching(source, r"\s*[\"']?tool[\"']?\s*="),
            "tool",
            f"expected a table, got {_kind(tool)}; write it as a [tool] table",
        )
    section = tool.get("lint-canon")
    if section is None:
        return None
    header = _line_matching(source, r"\s*\[\s*[\"']?tool[\"']?\s*\.\s*[\"']?lint-canon[\"']?\s*\]")
    if not isinstance(section, dict):
        line = _line_matching(source, r"\s*(?:[\"']?tool[\"']?\s*\.\s*)?[\"']?lint-canon[\"']?\s*=")
        raise ConfigError(
            shown, line, "tool.lint-canon", f"expected a table, got {_kind(section)}; write [tool.lint-canon]"
        )
    unknown = sorted(set(section) - {"config"})
    if unknown:
        key = unknown[0]
        line = _line_matching(source, rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", header or 0) or header
        raise ConfigError(
            shown, line, f"tool.lint-canon.{_printable(_cut(key, 60))}", "unknown key; known keys: config"
        )
    config = section.get("config")
    if config is None:
        return None
    if not isinstance(config, str) or not config:
        raise ConfigError(shown, None, "tool.lint-canon.config", "expected the path of a canon.yaml")
    return pyproject.parent / config


def _canon_present(candidate: Path) -> bool:
    """A canon.yaml is there: a FIFO, a device or a folder of that name is refused when loaded,
    never passed over (a canon swapped for a FIFO must not hand its files to a parent's)."""
    return os.path.exists(candidate)


def find_canon_file(start: Path | str, looked: list[Path] | None = None) -> Path | None:
    """Walk up from ``start``: ``[tool.lint-canon] config`` in a pyproject.toml, or a canon.yaml.
    ``looked`` gathers the folders looked in (a canon put in one of them would be found)."""
    here = Path(start).absolute()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if looked is not None:
            looked.append(folder)
        named = canon_file_in(folder)
        if named is not None:
            return named
    return None


def resolve_canon(config: Path | str | None, start: Path | str, looked: list[Path] | None = None) -> Canon:
    """The canon for a run: ``--config`` if given, else the one found from ``start`` (the
    folders looked in are added to ``looked``)."""
    if config is not None:
        return load_canon(config)
    found = find_canon_file(start, looked)
    if found is None:
        raise ConfigError(
            _display(Path(start).absolute()),
            None,
            "",
            f"no {CANON_FILE} here or in any parent folder; create one (see the README) or pass --config FILE",
        )
    return load_canon(found)


def canon_file_in(folder: Path) -> Path | None:
    """The canon a folder names itself: ``[tool.lint-canon] config`` in its pyproject.toml, else
    its canon.yaml; None when it names none (look in its parent then)."""
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        named = _pyproject_canon(pyproject)
        if named is not None:
            return named
    candidate = folder / CANON_FILE
    if _canon_present(candidate):
        return candidate
    return None
