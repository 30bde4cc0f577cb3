"""The Tool Canon Guard: refuses, at run time, a vendor call that breaks the canon.

It reads the same ``canon.yaml`` as the linter (``LINT_CANON_CONFIG`` names it, else it is
found walking up from the working folder), once per process. Each check gives one of the
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
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from lint_canon.canon.config import Canon, Tool, find_canon_file, load_canon
from lint_canon.canon.hosts import host_matches
from lint_canon.errors import ConfigError

__all__ = [
    "InteractionType",
    "ToolCanonGuard",
    "ToolCanonViolationError",
    "ToolTier",
    "ToolViolation",
    "ValidationResult",
    "ViolationDisposition",
    "ViolationSeverity",
    "enforce_tool_canon",
]

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_ENV = "LINT_CANON_CONFIG"


class ToolTier(StrEnum):
    TIER_0 = "TIER_0"  # free
    TIER_1 = "TIER_1"  # cheap
    TIER_2 = "TIER_2"  # surgical


class InteractionType(StrEnum):
    READ = "READ"
    WRITE = "WRITE"
    ENRICH = "ENRICH"
    VALIDATE = "VALIDATE"


class ViolationSeverity(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


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


def _default_canon_path() -> Path:
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).absolute()
    found = find_canon_file(Path.cwd())
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

    def __init__(self, canon: Canon | str | os.PathLike[str] | None = None) -> None:
        if isinstance(canon, Canon):
            self.canon = canon
        else:
            self.canon = _load(Path(canon).absolute() if canon is not None else _default_canon_path())
        self._banned = {tool.id for tool in self.canon.tools if self._is_banned(tool)}

    def _is_banned(self, tool: Tool) -> bool:
        if any(self.canon.banned_module(module) for module in tool.modules):
            return True
        patterns = [pattern for ban in self.canon.banned for pattern in ban.hosts]
        return any(host_matches(host.removeprefix("*."), pattern) for host in tool.hosts for pattern in patterns)

    def validate(
        self,
        tool_id: str,
        hub_id: str,
        interaction_type: InteractionType | str,
        gate_state: Mapping[str, Any] | None = None,
        human_approved: bool = False,
    ) -> ValidationResult:
        """Check one intended call. Cheap: dictionary look-ups, no I/O."""
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
        gates = gate_state or {}
        unmet = [gate for gate in tool.gates if not gates.get(gate)]
        if unmet:
            fail("V-GATE-001", f"gates not met for {tool_id}: {', '.join(unmet)}", gates=tuple(unmet))
        if tool.human_approval and not (human_approved or gates.get("human_approved")):
            fail("V-GATE-002", f"{tool_id} requires human approval and none was given")
        if tool.api_key_env and not os.environ.get(tool.api_key_env):
            # The name of the variable only: its value is never part of a message.
            fail(
                "V-TOOL-003", f"API key variable {tool.api_key_env} for {tool_id} is not set", variable=tool.api_key_env
            )
        if not violations:
            return ValidationResult(True, (), tool)
        violations.sort(key=_worst_first)
        return ValidationResult(False, tuple(violations), tool)


def enforce_tool_canon(
    tool_id: str,
    hub_id: str,
    interaction_type: InteractionType | str,
    *,
    gate_state_arg: str = "gate_state",
    canon: Canon | str | os.PathLike[str] | None = None,
) -> Callable[[F], F]:
    """Decorator: validate before every call of the function; raise ``ToolCanonViolationError``.

    ``gate_state`` is taken from the call's arguments (keyword or positional, by the wrapped
    function's signature). Works on plain and ``async`` functions and keeps their name,
    docstring and signature.
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        parameters = list(signature.parameters.values())
        # Where gate_state sits when given positionally (None: it cannot be).
        position = next(
            (
                i
                for i, p in enumerate(parameters)
                if p.name == gate_state_arg and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ),
            None,
        )
        guard: ToolCanonGuard | None = None

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            nonlocal guard
            if guard is None:
                guard = ToolCanonGuard(canon)
            gate_state = kwargs.get(gate_state_arg)
            if gate_state is None and position is not None and position < len(args):
                gate_state = args[position]
            result = guard.validate(tool_id, hub_id, interaction_type, gate_state)
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
