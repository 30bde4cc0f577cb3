"""The table of codes (lint_canon.output.codes, ruff's codes.rs) and the rule classes say the same,
and what needs only the table or the rules' needles imports neither the rules nor libcst: a
formatter, and a run whose prefilter says that no file can hold a finding."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from lint_canon.output.codes import ENGINE_CODES, FileKind, catalogue, codes_reading, info_for, rule_info
from lint_canon.rules.registry import rule_classes
from tests.conftest import REPO


def _run(script: str, *args: str) -> dict:
    """Run ``script`` in a fresh interpreter (nothing imported yet); it prints one JSON value."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_each_rule_class_carries_its_codes_entry_of_the_table():
    for rule in rule_classes():
        assert rule.info is catalogue()[rule.info.code], rule.__name__
        assert rule.codes == (rule.info.code,)


def test_each_code_of_the_table_is_one_rule_class_or_the_engines():
    by_code = Counter(rule.info.code for rule in rule_classes())
    assert set(by_code) == set(catalogue()) - set(ENGINE_CODES)
    assert all(count == 1 for count in by_code.values()), by_code
    assert set(ENGINE_CODES) <= set(catalogue())


def test_another_tools_code_gets_a_plain_entry():
    assert info_for("CANON301") == rule_info("CANON301")
    assert info_for("E501").name == "E501" and info_for("E501").violation is None
    assert "E501" not in catalogue()


FORMAT_FINDINGS = """
    import json, sys
    from lint_canon.output.findings import Finding
    from lint_canon.output.formats import formatter
    from lint_canon.output.report import build_report

    findings = [Finding("a.py", 1, 1, 1, 2, "CANON301", "m"), Finding("a.py", 2, 1, 2, 2, "CANON902", "n")]
    out = {name: formatter(name)(findings) for name in ("sarif", "github", "json")}
    out["report"] = build_report(findings, "canon.yaml", ["."])["checks"]["check_tool_registry_coverage"]["codes"]
    out["modules"] = sorted(m for m in sys.modules if m.split(".")[0] == "libcst" or m.startswith("lint_canon.rules"))
    print(json.dumps(out))
"""


def test_formatting_findings_imports_no_rule_and_no_libcst():
    out = _run(FORMAT_FINDINGS)
    assert out["modules"] == []
    # ... and the formats still know each code's name, severity and page from the table
    rules = json.loads(out["sarif"])["runs"][0]["tool"]["driver"]["rules"]
    assert [(rule["id"], rule["name"], rule["defaultConfiguration"]["level"]) for rule in rules] == [
        ("CANON301", "missing-guard", "error"),
        ("CANON902", "unreadable-file", "error"),
    ]
    assert "title=CANON301 missing-guard" in out["github"]
    assert [f["name"] for f in json.loads(out["json"])["findings"]] == ["missing-guard", "unreadable-file"]
    assert "CANON301" in out["report"]


CANON = """\
version: 1
hubs: [HUB-PEOPLE]
guard:
  decorators: [lint_canon_guard.enforce_tool_canon]
tools:
  - id: TOOL-012
    name: Apollo people search
    vendor: apollo
    tier: TIER_1
    hubs: [HUB-PEOPLE]
    interactions: [READ]
    modules: [apollo]
    hosts: [api.apollo.io]
    api_key_env: APOLLO_API_KEY
banned:
  - reason: "Clearbit contract ended; use TOOL-012"
    modules: [clearbit]
    hosts: [logo.clearbit.com]
"""

PREFILTER_THEN_PARSE = """
    import json, sys
    from pathlib import Path
    from lint_canon.engine.checker import Checker
    from lint_canon_guard.config import load_canon

    root = Path(sys.argv[1])
    checker = Checker(load_canon(root / "canon.yaml"))
    out = {"rules": sorted(code for rule in checker.python_rules for code in rule.codes)}
    out["plain may hold a finding"] = checker.may_hold_finding((root / "plain.py").read_bytes())
    out["libcst before parsing"] = "libcst" in sys.modules
    out["findings"] = [(f.line, f.code) for f in checker.check_python_file(root / "banned.py")]
    out["libcst after parsing"] = "libcst" in sys.modules
    print(json.dumps(out))
"""


def test_a_file_the_prefilter_lets_go_costs_no_parser(tmp_path: Path):
    (tmp_path / "canon.yaml").write_text(CANON)
    (tmp_path / "plain.py").write_text("import os\n\n\ndef total(xs):\n    return sum(xs) + len(os.sep)\n")
    (tmp_path / "banned.py").write_text("import json\nimport clearbit\n")
    out = _run(PREFILTER_THEN_PARSE, str(tmp_path))
    # every Python rule is active, and their needles made the prefilter ...
    assert out["rules"] == sorted(set(codes_reading(FileKind.PYTHON)) - set(ENGINE_CODES))
    assert out["plain may hold a finding"] is False
    # ... without libcst; a file that is parsed still gets its finding
    assert out["libcst before parsing"] is False
    assert out["findings"] == [[2, "CANON101"]]
    assert out["libcst after parsing"] is True
