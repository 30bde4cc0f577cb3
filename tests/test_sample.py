"""The sample repository of the README's first command gives exactly these findings, through
the lint-canon command and, for its Python files, through the real flake8."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, cli_env

SAMPLE = REPO / "fixtures" / "outreach_repo"

EXPECTED = [
    "DONE_STATE_DEFINITIONS.md:13:1: CANON402 BIT: criterion 'signal_count > 0' is in the DONE doc but not in the SQL "
    "(doc: score IS NOT NULL, signal_count > 0; SQL shq.fn_check_bit_done: score IS NOT NULL)",
    "outreach/blog/summarise.py:23:12: CANON305 the guard names TOOL-008 but this calls TOOL-030 ('anthropic'), the only tool 'summarise_and_find' calls; make the guard name TOOL-030",
    "outreach/company_target/hunter_enrich.py:24:55: CANON304 interaction type 'WRITE' is not allowed for TOOL-008; its interactions: ENRICH",
    "outreach/company_target/legacy_clearbit.py:7:8: CANON101 'clearbit.enrichment' (under 'clearbit') is banned: Clearbit contract ended; use TOOL-012",
    "outreach/company_target/legacy_clearbit.py:13:14: CANON101 'clearbit' is banned: Clearbit contract ended; use TOOL-012",
    "outreach/company_target/legacy_clearbit.py:18:12: CANON202 request to banned host 'logo.clearbit.com': Clearbit contract ended; use TOOL-012",
    "outreach/dol/filings.py:17:21: CANON302 guard names unknown tool 'TOOL-002'; registered tools: TOOL-008, TOOL-012, TOOL-020, TOOL-030",
    "outreach/people/apollo_search.py:27:16: CANON301 call to TOOL-012 (host 'api.apollo.io') in 'enrich_person', which lacks the guard; decorate it with @enforce_tool_canon(\"TOOL-012\", HUB, InteractionType...) (HUB: one of HUB-PEOPLE, HUB-COMPANY-TARGET; InteractionType: one of READ, ENRICH)",
    "outreach/people/apollo_search.py:29:24: CANON303 hub 'HUB-DOL' is out of TOOL-012's scope; its hubs: HUB-PEOPLE, HUB-COMPANY-TARGET",
    "outreach/people/email_verify.py:9:21: CANON203 secret 'ZEROBOUNCE_API_KEY' is read from the environment but no tool owns it; register the tool that uses it with api_key_env",
    "outreach/people/email_verify.py:13:16: CANON201 call to vendor SDK 'zerobounce' (ZeroBounce) that no tool registers; add the tool to the canon (tools[].modules) or remove the call",
    "outreach/people/slots.py:13:5: CANON101 'subprocess.Popen' is banned: spawn processes through ops/shell.py only",
    "pyproject.toml:12:6: CANON102 banned package 'clearbit': Clearbit contract ended; use TOOL-012",
    "requirements/base.txt:2:1: CANON102 banned package 'Clearbit' (clearbit): Clearbit contract ended; use TOOL-012",
    "sql/done_checkers.sql:39:1: CANON403 shq.fn_check_crm_done is a DONE checker the DONE doc does not list; "
    "add its row (function, hub, criteria) to the doc",
]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *argv], cwd=SAMPLE, env=cli_env(), capture_output=True, text=True)


def test_sample_findings(tmp_path):
    # the README's command, with a cache of this test's own (never one another run left here)
    result = run("lint_canon", "check", "--cache-dir", str(tmp_path / "cache"), ".")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == EXPECTED


def test_sample_through_flake8():
    result = run("flake8", "--select", "CANON", "outreach", "ops")
    assert result.returncode == 1, result.stderr
    assert sorted(result.stdout.splitlines()) == sorted(line for line in EXPECTED if ".py:" in line)
