"""The runtime Tool Canon Guard: every violation code, the decorator (sync and async), the
document's two usage examples as written, and a broken canon."""

from __future__ import annotations

import asyncio
import inspect
import textwrap
from pathlib import Path

import pytest

from lint_canon.guard import (
    InteractionType,
    ToolCanonGuard,
    ToolCanonViolationError,
    ViolationDisposition,
    ViolationSeverity,
    enforce_tool_canon,
)
from lint_canon_guard.errors import ConfigError

CANON = """\
version: 1
hubs: [HUB-COMPANY-TARGET, HUB-PEOPLE, HUB-DOL]
tools:
  - id: TOOL-008
    name: Hunter.io domain search
    vendor: hunter
    tier: TIER_2
    hubs: [HUB-COMPANY-TARGET]
    interactions: [ENRICH]
    modules: [pyhunter]
    hosts: [api.hunter.io]
    api_key_env: HUNTER_API_KEY
    gates: [domain_verified, mx_present]
  - id: TOOL-015
    vendor: apollo
    hubs: [HUB-PEOPLE]
    interactions: [READ]
    hosts: [api.apollo.io]
    human_approval: true
  - id: TOOL-016
    vendor: clearbit
    hubs: [HUB-PEOPLE]
    interactions: [ENRICH]
    hosts: [person.clearbit.com]
banned:
  - reason: "Clearbit contract ended"
    hosts: ["*.clearbit.com"]
"""

GOOD_GATES = {"domain_verified": True, "mx_present": True}


@pytest.fixture
def canon_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "canon.yaml"
    path.write_text(CANON)
    monkeypatch.setenv("LINT_CANON_CONFIG", str(path))
    monkeypatch.setenv("HUNTER_API_KEY", "hk-secret-value-123")
    return path


def codes(result) -> list[str]:
    return [v.code for v in result.violations]


def test_valid_call(canon_file):
    result = ToolCanonGuard().validate("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH, GOOD_GATES)
    assert result.is_valid and result.violation is None and result.tool.id == "TOOL-008"


@pytest.mark.parametrize(
    ("args", "code", "severity", "disposition", "message"),
    [
        (
            ("TOOL-099", "HUB-DOL", "READ", {}),
            "V-TOOL-001",
            ViolationSeverity.CRITICAL,
            ViolationDisposition.PARK,
            "tool TOOL-099 is not in the registry",
        ),
        (
            ("TOOL-016", "HUB-PEOPLE", "ENRICH", {}),
            "V-TOOL-002",
            ViolationSeverity.CRITICAL,
            ViolationDisposition.PARK,
            "tool TOOL-016 (clearbit) is a banned vendor",
        ),
        (
            ("TOOL-008", "HUB-DOL", InteractionType.ENRICH, GOOD_GATES),
            "V-SCOPE-001",
            ViolationSeverity.CRITICAL,
            ViolationDisposition.PARK,
            "hub HUB-DOL is out of TOOL-008's scope (HUB-COMPANY-TARGET)",
        ),
        (
            ("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.WRITE, GOOD_GATES),
            "V-TYPE-001",
            ViolationSeverity.HIGH,
            ViolationDisposition.PARK,
            "interaction WRITE is not allowed for TOOL-008 (ENRICH)",
        ),
        (
            ("TOOL-008", "HUB-COMPANY-TARGET", "enrich", {"domain_verified": True, "mx_present": False}),
            "V-GATE-001",
            ViolationSeverity.CRITICAL,
            ViolationDisposition.RETRY,
            "gates not met for TOOL-008: mx_present",
        ),
        (
            ("TOOL-015", "HUB-PEOPLE", InteractionType.READ, {}),
            "V-GATE-002",
            ViolationSeverity.CRITICAL,
            ViolationDisposition.PARK,
            "TOOL-015 requires human approval and none was given",
        ),
    ],
)
def test_each_violation(canon_file, args, code, severity, disposition, message):
    result = ToolCanonGuard().validate(*args)
    assert not result.is_valid
    assert codes(result) == [code]
    violation = result.violation
    assert (violation.severity, violation.disposition, violation.message) == (severity, disposition, message)


def test_missing_api_key_names_the_variable_never_a_value(canon_file, monkeypatch):
    monkeypatch.delenv("HUNTER_API_KEY")
    result = ToolCanonGuard().validate("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH, GOOD_GATES)
    assert codes(result) == ["V-TOOL-003"]
    assert result.violation.severity == ViolationSeverity.HIGH
    assert result.violation.disposition == ViolationDisposition.RETRY
    assert result.violation.message == "API key variable HUNTER_API_KEY for TOOL-008 is not set"
    monkeypatch.setenv("HUNTER_API_KEY", "")
    assert codes(ToolCanonGuard().validate("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", GOOD_GATES)) == ["V-TOOL-003"]


def test_human_approval_given(canon_file):
    guard = ToolCanonGuard()
    assert guard.validate("TOOL-015", "HUB-PEOPLE", "READ", human_approved=True).is_valid
    assert guard.validate("TOOL-015", "HUB-PEOPLE", "READ", {"human_approved": True}).is_valid


def test_several_violations_worst_first(canon_file):
    result = ToolCanonGuard().validate("TOOL-008", "HUB-DOL", InteractionType.READ, {})
    assert codes(result) == ["V-SCOPE-001", "V-GATE-001", "V-TYPE-001"]
    assert str(result.violation) == (
        "V-SCOPE-001 [CRITICAL, PARK] hub HUB-DOL is out of TOOL-008's scope (HUB-COMPANY-TARGET)"
    )


def test_document_example_validate_runs_as_written(canon_file):
    # ENFORCEMENT_IMPLEMENTATION_SUMMARY.md section 2.1, with lint_canon.guard as the path.
    example = textwrap.dedent(
        """
        from lint_canon.guard import ToolCanonGuard, InteractionType

        guard = ToolCanonGuard()
        result = guard.validate(
            tool_id="TOOL-008",
            hub_id="HUB-COMPANY-TARGET",
            interaction_type=InteractionType.ENRICH,
            gate_state={"domain_verified": True, "mx_present": True}
        )
        if not result.is_valid:
            raise ToolCanonViolationError(result.violation)
        """
    )
    namespace: dict = {}
    exec(compile(example, "example_1", "exec"), namespace)
    assert namespace["result"].is_valid


def test_document_example_decorator_runs_as_written(canon_file):
    example = textwrap.dedent(
        """
        from lint_canon.guard import enforce_tool_canon, InteractionType

        @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
        def call_hunter_api(domain: str, gate_state: dict):
            ...
        """
    )
    namespace: dict = {}
    exec(compile(example, "example_2", "exec"), namespace)
    call_hunter_api = namespace["call_hunter_api"]
    assert call_hunter_api("example.com", {"domain_verified": True, "mx_present": True}) is None
    with pytest.raises(ToolCanonViolationError) as info:
        call_hunter_api("example.com", gate_state={"domain_verified": True})
    assert info.value.violation.code == "V-GATE-001"


def test_decorator_finds_gate_state_positional_or_keyword_and_keeps_signature(canon_file):
    calls = []

    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
    def find_emails(domain: str, limit: int = 10, *, gate_state: dict | None = None) -> list[str]:
        """Find e-mails of a domain."""
        calls.append(domain)
        return [f"a@{domain}"]

    assert find_emails("x.io", gate_state=GOOD_GATES) == ["a@x.io"]
    with pytest.raises(ToolCanonViolationError):
        find_emails("y.io")
    assert calls == ["x.io"]  # the refused call never ran
    assert find_emails.__name__ == "find_emails"
    assert find_emails.__doc__ == "Find e-mails of a domain."
    # (annotations are strings here: this module uses `from __future__ import annotations`)
    assert str(inspect.signature(find_emails)) == (
        "(domain: 'str', limit: 'int' = 10, *, gate_state: 'dict | None' = None) -> 'list[str]'"
    )

    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH")
    def positional(domain, gate_state):
        return domain

    assert positional("z.io", GOOD_GATES) == "z.io"
    with pytest.raises(ToolCanonViolationError):
        positional("z.io", {})


def test_decorator_on_async_functions(canon_file):
    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
    async def enrich(domain: str, gate_state: dict) -> str:
        await asyncio.sleep(0)
        return domain.upper()

    assert inspect.iscoroutinefunction(enrich)
    assert asyncio.run(enrich("x.io", GOOD_GATES)) == "X.IO"
    with pytest.raises(ToolCanonViolationError) as info:
        asyncio.run(enrich("x.io", {}))
    assert info.value.violation.code == "V-GATE-001"

    @enforce_tool_canon("TOOL-008", "HUB-DOL", InteractionType.ENRICH)
    async def out_of_scope(gate_state: dict) -> None: ...

    with pytest.raises(ToolCanonViolationError) as info:
        asyncio.run(out_of_scope(GOOD_GATES))
    assert info.value.violation.code == "V-SCOPE-001"


def test_error_message_never_holds_the_key(canon_file):
    @enforce_tool_canon("TOOL-008", "HUB-DOL", InteractionType.ENRICH)
    def f(gate_state): ...

    with pytest.raises(ToolCanonViolationError) as info:
        f(GOOD_GATES)
    assert "hk-secret-value-123" not in str(info.value)


def test_broken_canon_is_a_one_line_config_error(tmp_path, monkeypatch):
    broken = tmp_path / "canon.yaml"
    broken.write_text("version: 1\ntools:\n  - id: T\n    vendor: v\n    hubs: [NOPE]\n")
    monkeypatch.setenv("LINT_CANON_CONFIG", str(broken))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        ToolCanonGuard()
    assert (
        str(info.value) == "canon.yaml:5: tools[0].hubs[0]: unknown hub 'NOPE'; add it to 'hubs' or use one of: (none)"
    )

    @enforce_tool_canon("T", "NOPE", "READ")
    def call(gate_state=None): ...

    with pytest.raises(ConfigError):
        call()


def test_canon_found_from_working_folder_and_loaded_once(tmp_path, monkeypatch):
    (tmp_path / "canon.yaml").write_text(CANON)
    monkeypatch.delenv("LINT_CANON_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    first, second = ToolCanonGuard(), ToolCanonGuard()
    assert first.canon is second.canon
    assert ToolCanonGuard(tmp_path / "canon.yaml").canon is first.canon


def test_the_guard_under_each_of_its_names_is_one_guard():
    # lint_canon.guard (lint-canon's name, in its wheel) and lint_canon_guard (the only one a
    # service with lint-canon-guard alone has) are the guard's own objects, not copies.
    import subprocess
    import sys

    import lint_canon.guard
    import lint_canon_guard
    import lint_canon_guard.guard

    assert lint_canon.guard.__all__ == lint_canon_guard.guard.__all__
    assert set(lint_canon_guard.__all__) == {*lint_canon_guard.guard.__all__, "__version__"}
    for name in lint_canon_guard.guard.__all__:
        assert getattr(lint_canon.guard, name) is getattr(lint_canon_guard.guard, name)
        assert getattr(lint_canon_guard, name) is getattr(lint_canon_guard.guard, name)
    # ...and the linter, importing lint_canon_guard's other modules, does not load the guard.
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, lint_canon.engine.runner; print('lint_canon_guard.guard' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout == "False\n"


DECORATED_CASES = [
    ("TOOL-099", "HUB-DOL", "READ", {}, "V-TOOL-001"),
    ("TOOL-016", "HUB-PEOPLE", "ENRICH", {}, "V-TOOL-002"),
    ("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", GOOD_GATES, "V-TOOL-003"),
    ("TOOL-008", "HUB-COMPANY-TARGET", "VALIDATE", GOOD_GATES, "V-TYPE-001"),
    ("TOOL-008", "HUB-PEOPLE", "ENRICH", GOOD_GATES, "V-SCOPE-001"),
    ("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", {"mx_present": True}, "V-GATE-001"),
    ("TOOL-015", "HUB-PEOPLE", "READ", {}, "V-GATE-002"),
]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("tool", "hub", "interaction", "gates", "code"), DECORATED_CASES, ids=lambda v: str(v))
def test_decorator_raises_every_code(canon_file, monkeypatch, is_async, tool, hub, interaction, gates, code):
    if code == "V-TOOL-003":
        monkeypatch.delenv("HUNTER_API_KEY")
    ran = []

    if is_async:

        @enforce_tool_canon(tool, hub, interaction)
        async def target(record_id: int, gate_state: dict) -> int:
            ran.append(record_id)
            return record_id

        call = lambda: asyncio.run(target(7, gates))  # noqa: E731
    else:

        @enforce_tool_canon(tool, hub, interaction)
        def target(record_id: int, gate_state: dict) -> int:
            ran.append(record_id)
            return record_id

        call = lambda: target(7, gate_state=gates)  # noqa: E731

    with pytest.raises(ToolCanonViolationError) as info:
        call()
    assert info.value.violation.code == code
    assert ran == []
