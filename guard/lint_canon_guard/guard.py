"""The Tool Canon Guard: refuses, at run time, a vendor call that breaks the canon.

It reads the same ``canon.yaml`` as the linter (``LINT_CANON_CONFIG`` names it, else it is
found walking up from the working folder: ``lint_canon_guard.locate``, which reads
``[tool.lint-canon] config`` and none of the linter's settings), once per process. Each check gives one of the
user's violation codes with its severity and disposition (document section 7):

    V-TOOL-001  CRITICAL  PARK   tool not in the registry
    V-TOOL-002  CRITICAL  PARK   tool of a banned vendor (its modules or hosts are banned)
    V-TOOL-003  HIGH      RETRY  the tool's API key variable is unset (its value is never shown)
    V-TYPE-001  HIGH      PARK   interaction type not allowed for the tool
    V-SCOPE-001 CRITICAL  PARK   hub not in the tool's scope
    V-GATE-001  CRITICAL  RETRY  a gate of the tool missing or false in gate_state
    V-GATE-002  CRITICAL  PARK   human approval required and not given

Dispositions, as the document defines them: PARK holds the record for manual review, RETRY
queues it again (a key may be provisioned, a gate may turn true after upstream enrichment).

Every violation goes to the guard's sinks (lint_canon_guard.sinks): Python logging by default, a
PostgreSQL table where it blocks promotion, or any callable; ``set_default_sinks`` chooses them
for the process. The call is refused exactly as without them.

Inputs are taken strictly: a gate is open only when its value is ``True`` (not "false", not
1); an API key of only whitespace is unset; a ``gate_state`` that is not a mapping, or a tool or
hub id that is not a string, is a ``TypeError`` saying so.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from lint_canon_guard.config import Canon, InteractionType, Tool, ToolTier, load_canon
from lint_canon_guard.errors import ConfigError
from lint_canon_guard.hosts import hosts_overlap
from lint_canon_guard.locate import find_canon
from lint_canon_guard.severity import ViolationSeverity
from lint_canon_guard.sinks import LoggingSink, PostgresSink, ViolationRecord, deliver

__all__ = [
    "InteractionType",
    "LoggingSink",
    "PostgresSink",
    "ToolCanonGuard",
    "ToolCanonViolationError",
    "ToolTier",
    "ToolViolation",
    "ValidationResult",
    "ViolationDisposition",
    "ViolationRecord",
    "ViolationSeverity",
    "enforce_tool_canon",
    "set_default_sinks",
]

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_ENV = "LINT_CANON_CONFIG"


class ViolationDisposition(StrEnum):
    PARK = "PARK"  # hold for manual review, blocks promotion
    RETRY = "RETRY"  # queue for reprocessing, blocks promotion
    ARCHIVE = "ARCHIVE"  # move to archive, no block
    IGNORE = "IGNORE"  # log only, no action


_POLICY: dict[str, tuple[ViolationSeverity, ViolationDisposition]] = {
    "V-TOOL-001": (ViolationSeverity.CRITICAL, ViolationDisposition.PARK),
    "V-TOOL-002": (ViolationSeverity.CRITICAL, ViolationDisposition.PARK),
    "V-TOOL-003": (ViolationSeverity.HIGH, ViolationDisposition.RETRY),
    "V-TYPE-001": (ViolationSeverity.HIGH, ViolationDisposition.PARK),
    "V-SCOPE-001": (ViolationSeverity.CRITICAL, ViolationDisposition.PARK),
    "V-GATE-001": (ViolationSeverity.CRITICAL, ViolationDisposition.RETRY),
    "V-GATE-002": (ViolationSeverity.CRITICAL, ViolationDisposition.PARK),
}


@dataclass(frozen=True)
class ToolViolation:
    """One broken rule of the canon, with what to do about the record that caused it."""

    code: str
    message: str
    tool_id: str
    hub_id: str
    interaction_type: str
    severity: ViolationSeverity
    disposition: ViolationDisposition
    details: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} [{self.severity.value}, {self.disposition.value}] {self.message}"


@dataclass(frozen=True)
class ValidationResult:
    """The verdict on one intended call: valid, or the violations (the first is the worst)."""

    is_valid: bool
    violations: tuple[ToolViolation, ...] = ()
    tool: Tool | None = None

    @property
    def violation(self) -> ToolViolation | None:
        return self.violations[0] if self.violations else None


class ToolCanonViolationError(Exception):
    """Raised by the decorator (and by callers) when a call breaks the canon."""

    def __init__(self, violation: ToolViolation | None) -> None:
        self.violation = violation
        super().__init__(str(violation) if violation is not None else "tool canon violation")


_CANONS: dict[Path, Canon] = {}
_LOCK = threading.Lock()
_DEFAULT_SINKS: tuple[Callable[[ViolationRecord], None], ...] = (LoggingSink(),)


def set_default_sinks(*sinks: Callable[[ViolationRecord], None]) -> None:
    """The sinks of every guard made without ``sinks=`` (default: one ``LoggingSink``), e.g.
    ``set_default_sinks(LoggingSink(), PostgresSink(os.environ["DATABASE_URL"]))``."""
    global _DEFAULT_SINKS
    _DEFAULT_SINKS = tuple(sinks)


def _text(name: str, value: Any, example: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string such as {example!r}, got {type(value).__name__} {value!r}")
    return value


def check_mapping(gate_state: Any) -> Mapping[str, Any] | None:
    """gate_state is a mapping (or None); anything else is the caller's mistake, said clearly."""
    if gate_state is None or isinstance(gate_state, Mapping):
        return gate_state
    raise TypeError(
        f"gate_state must be a mapping of gate name to True/False (a dict), got {type(gate_state).__name__}"
    )


def _bad_ids(tool_id: Any, hub_id: Any, interaction_type: Any) -> None:
    _text("tool_id", tool_id, "TOOL-001")
    _text("hub_id", hub_id, "HUB-DOL")
    raise TypeError(f"interaction_type must be an InteractionType or its name, got {type(interaction_type).__name__}")


def _default_canon_path() -> Path:
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).absolute()
    found = find_canon(Path.cwd())
    if found is None:
        raise ConfigError(
            Path.cwd(), None, "", f"no canon.yaml here or in any parent folder; set {CONFIG_ENV} or pass canon="
        )
    return found.absolute()


def _load(path: Path) -> Canon:
    with _LOCK:
        canon = _CANONS.get(path)
        if canon is None:
            canon = _CANONS[path] = load_canon(path)
        return canon


_ORDER = {code: i for i, code in enumerate(_POLICY)}


def _worst_first(violation: ToolViolation) -> tuple[bool, int]:
    return violation.severity != ViolationSeverity.CRITICAL, _ORDER[violation.code]


def _interaction_name(value: InteractionType | str) -> str:
    return value.value if isinstance(value, InteractionType) else str(value).upper()


class ToolCanonGuard:
    """Pre-invocation validation against the registry of the canon.

    ``ToolCanonGuard()`` uses the process-wide canon (loaded once); pass ``canon=`` (a
    ``Canon`` or a path) to use another. A broken canon raises ``ConfigError`` with its
    one-line message.
    """

    def __init__(
        self,
        canon: Canon | str | os.PathLike[str] | None = None,
        sinks: tuple[Callable[[ViolationRecord], None], ...] | list[Callable[[ViolationRecord], None]] | None = None,
    ) -> None:
        self._sinks = None if sinks is None else tuple(sinks)
        if isinstance(canon, Canon):
            self.canon = canon
        else:
            self.canon = _load(Path(canon).absolute() if canon is not None else _default_canon_path())
        self._banned = {tool.id for tool in self.canon.tools if self._is_banned(tool)}

    def _is_banned(self, tool: Tool) -> bool:
        if any(self.canon.banned_module(module) for module in tool.modules):
            return True
        patterns = [pattern for ban in self.canon.banned for pattern in ban.hosts]
        return any(hosts_overlap(host, pattern) for host in tool.hosts for pattern in patterns)

    def validate(
        self,
        tool_id: str,
        hub_id: str,
        interaction_type: InteractionType | str,
        gate_state: Mapping[str, Any] | None = None,
        human_approved: bool = False,
        *,
        function: str | None = None,
        outreach_id: Any = None,
        _outreach_of: Callable[[], Any] | None = None,
    ) -> ValidationResult:
        """Check one intended call. Cheap: dictionary look-ups, no I/O. Each violation found goes
        to the sinks, with ``function`` (the guarded function's qualified name) and
        ``outreach_id`` (else ``gate_state["outreach_id"]``) when known."""
        if not (isinstance(tool_id, str) and isinstance(hub_id, str) and isinstance(interaction_type, str)):
            _bad_ids(tool_id, hub_id, interaction_type)  # raises; off the path of a good call
        if gate_state is None:
            gates: Mapping[str, Any] = {}
        elif type(gate_state) is dict:
            gates = gate_state
        else:
            gates = check_mapping(gate_state) or {}
        interaction = _interaction_name(interaction_type)
        violations: list[ToolViolation] = []

        def fail(code: str, message: str, **details: Any) -> None:
            severity, disposition = _POLICY[code]
            violations.append(
                ToolViolation(code, message, tool_id, hub_id, interaction, severity, disposition, details)
            )

        tool = self.canon.tool(tool_id)
        if tool is None:
            fail("V-TOOL-001", f"tool {tool_id} is not in the registry")
            self._record(violations, function, outreach_id, gates, _outreach_of)
            return ValidationResult(False, tuple(violations))
        if tool_id in self._banned:
            fail("V-TOOL-002", f"tool {tool_id} ({tool.vendor}) is a banned vendor")
        if hub_id not in tool.hubs:
            fail("V-SCOPE-001", f"hub {hub_id} is out of {tool_id}'s scope ({', '.join(tool.hubs) or 'none'})")
        if interaction not in tool.interactions:
            fail(
                "V-TYPE-001",
                f"interaction {interaction} is not allowed for {tool_id} ({', '.join(tool.interactions) or 'none'})",
            )
        unmet = [gate for gate in tool.gates if gates.get(gate) is not True]  # "false" is no True
        if unmet:
            fail("V-GATE-001", f"gates not met for {tool_id}: {', '.join(unmet)}", gates=tuple(unmet))
        if tool.human_approval and not (human_approved is True or gates.get("human_approved") is True):
            fail("V-GATE-002", f"{tool_id} requires human approval and none was given")
        names = tool.api_key_envs or ((tool.api_key_env,) if tool.api_key_env else ())
        if names and not any(os.environ.get(name, "").strip() for name in names):
            # The names of the variables only: a value is never part of a message.
            fail(
                "V-TOOL-003",
                f"API key variable {' or '.join(names)} for {tool_id} is not set",
                variable=tool.api_key_env,
            )
        if not violations:
            return ValidationResult(True, (), tool)
        violations.sort(key=_worst_first)
        self._record(violations, function, outreach_id, gates, _outreach_of)
        return ValidationResult(False, tuple(violations), tool)

    def _record(
        self,
        violations: list[ToolViolation],
        function: str | None,
        outreach_id: Any,
        gates: Mapping[str, Any],
        outreach_of: Callable[[], Any] | None,
    ) -> None:
        sinks = _DEFAULT_SINKS if self._sinks is None else self._sinks
        if not sinks:
            return
        if outreach_id is None and outreach_of is not None:
            outreach_id = outreach_of()  # the decorator looks it up only when there is a violation
        if outreach_id is None:
            outreach_id = gates.get("outreach_id")
        when = datetime.now(UTC)
        records = [
            ViolationRecord(
                v.code,
                v.severity.value,
                v.disposition.value,
                v.tool_id,
                v.hub_id,
                v.interaction_type,
                v.message,
                function,
                None if outreach_id is None else str(outreach_id),
                when,
            )
            for v in violations
        ]
        deliver(sinks, records)


def enforce_tool_canon(
    tool_id: str,
    hub_id: str,
    interaction_type: InteractionType | str,
    *,
    gate_state_arg: str = "gate_state",
    outreach_id_arg: str = "outreach_id",
    canon: Canon | str | os.PathLike[str] | None = None,
    sinks: tuple[Callable[[ViolationRecord], None], ...] | list[Callable[[ViolationRecord], None]] | None = None,
) -> Callable[[F], F]:
    """Decorator: validate before every call of the function; raise ``ToolCanonViolationError``.

    ``gate_state`` is taken from the call's arguments (keyword or positional, by the wrapped
    function's signature), else the function's own default for it. The violation is recorded
    with the function's qualified name and the outreach id of the call (the ``outreach_id_arg``
    argument, else ``gate_state["outreach_id"]``). Works on plain and ``async`` functions and
    keeps their name, docstring and signature.
    """
    _text("tool_id", tool_id, "TOOL-001")
    _text("hub_id", hub_id, "HUB-DOL")

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        parameters = list(signature.parameters.values())

        def place(name: str) -> tuple[int | None, Any]:
            """Where the argument ``name`` sits when given positionally, and its default."""
            for i, p in enumerate(parameters):
                if p.name == name:
                    positional = p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                    return (i if positional else None), (None if p.default is p.empty else p.default)
            return None, None

        gate_position, gate_default = place(gate_state_arg)
        outreach_position, _ = place(outreach_id_arg)
        qualname = f"{func.__module__}.{func.__qualname__}"
        guard: ToolCanonGuard | None = None

        def argument(args: tuple[Any, ...], kwargs: dict[str, Any], name: str, position: int | None) -> Any:
            if name in kwargs:
                return kwargs[name]
            if position is not None and position < len(args):
                return args[position]
            return None

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            nonlocal guard
            if guard is None:
                guard = ToolCanonGuard(canon, sinks)
            gate_state = argument(args, kwargs, gate_state_arg, gate_position)
            if gate_state is None:
                gate_state = gate_default
            result = guard.validate(
                tool_id,
                hub_id,
                interaction_type,
                gate_state,
                function=qualname,
                _outreach_of=lambda: argument(args, kwargs, outreach_id_arg, outreach_position),
            )
            if not result.is_valid:
                raise ToolCanonViolationError(result.violation)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                check(args, kwargs)
                return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
