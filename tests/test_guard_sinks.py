"""The guard's violations recorded: the logging sink (default), callables, a sink that fails,
the outreach id and function name of a guarded call, and strict inputs. (The PostgreSQL sink,
on a real server: tests/test_guard_postgres_sink.py.)"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lint_canon.guard import (
    InteractionType,
    LoggingSink,
    ToolCanonGuard,
    ToolCanonViolationError,
    ViolationRecord,
    enforce_tool_canon,
    set_default_sinks,
)
from tests.test_guard import CANON, GOOD_GATES

OUTREACH = uuid.UUID("6f1c2a51-9a47-4c0e-8d43-3b0b9d1f0a11")


@pytest.fixture
def canon_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "canon.yaml"
    path.write_text(CANON)
    monkeypatch.setenv("LINT_CANON_CONFIG", str(path))
    return path


@pytest.fixture(autouse=True)
def default_sinks():
    yield
    set_default_sinks(LoggingSink())


def test_the_default_sink_logs_one_structured_record_per_violation(canon_file, caplog, monkeypatch):
    monkeypatch.setenv("HUNTER_API_KEY", "hk_live_secret_value")

    @enforce_tool_canon("TOOL-008", "HUB-PEOPLE", InteractionType.ENRICH)
    def find_email(domain: str, gate_state: dict | None = None, outreach_id: uuid.UUID | None = None) -> str:
        return "found"

    with caplog.at_level(logging.WARNING, logger="lint_canon.guard"):
        with pytest.raises(ToolCanonViolationError):
            find_email("acme.com", gate_state={"domain_verified": True}, outreach_id=OUTREACH)
    function = f"{__name__}.test_the_default_sink_logs_one_structured_record_per_violation.<locals>.find_email"
    assert [r.getMessage() for r in caplog.records] == [
        "V-SCOPE-001 [CRITICAL, PARK] hub HUB-PEOPLE is out of TOOL-008's scope (HUB-COMPANY-TARGET) in "
        f"{function} for outreach {OUTREACH}",
        f"V-GATE-001 [CRITICAL, RETRY] gates not met for TOOL-008: mx_present in {function} for outreach {OUTREACH}",
    ]
    first = caplog.records[0].violation
    assert {k: v for k, v in first.items() if k != "occurred_at"} == {
        "code": "V-SCOPE-001",
        "severity": "CRITICAL",
        "disposition": "PARK",
        "tool_id": "TOOL-008",
        "hub_id": "HUB-PEOPLE",
        "interaction": "ENRICH",
        "message": "hub HUB-PEOPLE is out of TOOL-008's scope (HUB-COMPANY-TARGET)",
        "function": function,
        "outreach_id": str(OUTREACH),
    }
    assert abs((datetime.fromisoformat(first["occurred_at"]) - datetime.now(UTC)).total_seconds()) < 5
    assert "hk_live_secret_value" not in caplog.text


def test_a_missing_key_is_logged_by_its_name_never_a_value(canon_file, caplog, monkeypatch):
    monkeypatch.setenv("HUNTER_API_KEY", "   ")  # only whitespace: unset
    with caplog.at_level(logging.WARNING, logger="lint_canon.guard"):
        result = ToolCanonGuard().validate("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", GOOD_GATES)
    assert [v.code for v in result.violations] == ["V-TOOL-003"]
    assert caplog.records[0].getMessage() == (
        "V-TOOL-003 [HIGH, RETRY] API key variable HUNTER_API_KEY for TOOL-008 is not set"
    )


def test_callable_sinks_get_every_violation_with_the_outreach_id_of_gate_state(canon_file):
    seen: list[ViolationRecord] = []
    guard = ToolCanonGuard(sinks=[seen.append])
    gates = {"domain_verified": True, "outreach_id": OUTREACH}
    result = guard.validate("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", gates)
    assert [v.code for v in result.violations] == [r.code for r in seen] == ["V-GATE-001", "V-TOOL-003"]
    assert {r.outreach_id for r in seen} == {str(OUTREACH)} and {r.function for r in seen} == {None}
    assert guard.validate("NOPE", "HUB-DOL", "READ").violation.code == "V-TOOL-001"
    assert seen[-1].code == "V-TOOL-001"


def test_a_failing_sink_changes_nothing_for_the_caller(canon_file, caplog, monkeypatch):
    monkeypatch.setenv("HUNTER_API_KEY", "k")

    def broken(record: ViolationRecord) -> None:
        raise RuntimeError("disk full")

    got: list[str] = []
    set_default_sinks(broken, lambda record: got.append(record.code))

    @enforce_tool_canon("TOOL-015", "HUB-PEOPLE", "READ")
    def lookup(name: str) -> str:
        return name

    with caplog.at_level(logging.ERROR, logger="lint_canon.guard"):
        for _ in range(3):
            with pytest.raises(ToolCanonViolationError) as info:
                lookup("ada")
            assert info.value.violation.code == "V-GATE-002"
    assert got == ["V-GATE-002"] * 3  # the sinks after it still ran
    assert len(caplog.records) == 1  # reported once, not once a call
    assert caplog.records[0].getMessage().startswith("guard sink <function ")
    assert "failed (RuntimeError: disk full); its later failures are not logged" in caplog.records[0].getMessage()


@pytest.mark.parametrize("value", ["false", "False", 1, "yes", [True], None])
def test_a_gate_is_open_only_when_it_is_true(canon_file, monkeypatch, value):
    monkeypatch.setenv("HUNTER_API_KEY", "k")
    gates = {"domain_verified": value, "mx_present": True}
    result = ToolCanonGuard(sinks=[]).validate("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", gates)
    assert [(v.code, v.message) for v in result.violations] == [
        ("V-GATE-001", "gates not met for TOOL-008: domain_verified")
    ]


def test_human_approval_must_be_true(canon_file):
    guard = ToolCanonGuard(sinks=[])
    assert guard.validate("TOOL-015", "HUB-PEOPLE", "READ", {"human_approved": "true"}).violation.code == "V-GATE-002"
    assert guard.validate("TOOL-015", "HUB-PEOPLE", "READ", human_approved=1).violation.code == "V-GATE-002"
    assert guard.validate("TOOL-015", "HUB-PEOPLE", "READ", human_approved=True).is_valid


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda g: g.validate("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", ["domain_verified"]),
            "gate_state must be a mapping of gate name to True/False (a dict), got list",
        ),
        (
            lambda g: g.validate("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", "domain_verified"),
            "gate_state must be a mapping of gate name to True/False (a dict), got str",
        ),
        (
            lambda g: g.validate(8, "HUB-COMPANY-TARGET", "ENRICH"),
            "tool_id must be a string such as 'TOOL-001', got int 8",
        ),
        (
            lambda g: g.validate("TOOL-008", None, "ENRICH"),
            "hub_id must be a string such as 'HUB-DOL', got NoneType None",
        ),
        (
            lambda g: g.validate("TOOL-008", "HUB-COMPANY-TARGET", 3),
            "interaction_type must be an InteractionType or its name, got int",
        ),
    ],
)
def test_bad_inputs_are_type_errors_that_say_what_is_wrong(canon_file, call, message):
    with pytest.raises(TypeError) as info:
        call(ToolCanonGuard(sinks=[]))
    assert str(info.value) == message


def test_a_bad_decorator_argument_is_refused_when_decorating(canon_file):
    with pytest.raises(TypeError, match="tool_id must be a string such as 'TOOL-001', got int 8"):
        enforce_tool_canon(8, "HUB-DOL", "READ")


def test_the_functions_own_default_gate_state_is_used(canon_file, monkeypatch):
    monkeypatch.setenv("HUNTER_API_KEY", "k")
    seen: list[ViolationRecord] = []

    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", sinks=[seen.append])
    def verified(domain: str, gate_state: dict = GOOD_GATES) -> str:  # noqa: B006 - read only
        return domain

    @enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", "ENRICH", sinks=[seen.append])
    def unverified(domain: str, gate_state: dict = {"domain_verified": True}) -> str:  # noqa: B006
        return domain

    assert verified("acme.com") == "acme.com"
    with pytest.raises(ToolCanonViolationError):
        unverified("acme.com")
    assert [r.code for r in seen] == ["V-GATE-001"]
    assert unverified("acme.com", GOOD_GATES) == "acme.com"  # given by the call: the call's


def test_the_outreach_id_can_be_positional_or_named_otherwise(canon_file, monkeypatch):
    monkeypatch.setenv("HUNTER_API_KEY", "k")
    seen: list[ViolationRecord] = []

    @enforce_tool_canon("TOOL-008", "HUB-DOL", "ENRICH", outreach_id_arg="company", sinks=[seen.append])
    def enrich(company: str, gate_state: dict | None = None) -> str:
        return company

    with pytest.raises(ToolCanonViolationError):
        enrich("c-42", GOOD_GATES)
    assert [(r.code, r.outreach_id) for r in seen] == [("V-SCOPE-001", "c-42")]
