"""What a canon can say about SDKs, found missing on real code: a tool that claims an SDK for
some hosts only, several key variables, part of a generic SDK, free public APIs apart from our own
services, wrapper packages mapped to the SDKs behind them, and a team's own SDK models."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lint_canon.guard import InteractionType, ToolCanonGuard
from lint_canon_guard.config import load_canon
from lint_canon_guard.errors import ConfigError
from tests.conftest import brief, run_check

BASE = """\
version: 1
hubs: [HUB-A]
"""


def codes(root, select=("CANON2", "CANON3")) -> list[tuple[int, str]]:
    return [(line, code) for _, line, _, code in brief(run_check(root, select=select))]


def test_a_tool_may_claim_an_sdk_for_some_hosts_only(project):
    canon = BASE + (
        "tools:\n"
        "  - id: TOOL-AZ\n    vendor: azure\n    hubs: [HUB-A]\n    interactions: [READ]\n"
        "    modules: [openai]\n    hosts: ['*.openai.azure.com']\n"
    )
    source = """\
        from openai import OpenAI

        def public(q):
            return OpenAI().chat.completions.create(model="m", messages=[q])

        def ours(q):
            client = OpenAI(base_url="https://acme.openai.azure.com/openai/v1")
            return client.chat.completions.create(model="m", messages=[q])
        """
    root = project({"a.py": source}, canon=canon)
    # the SDK's default host (api.openai.com, from its model) is not the tool's: another vendor
    assert codes(root) == [(4, "CANON201"), (8, "CANON301")]


def test_a_tool_claiming_an_sdk_and_its_default_host_covers_plain_calls(project):
    canon = BASE + (
        "tools:\n"
        "  - id: TOOL-OAI\n    vendor: openai\n    hubs: [HUB-A]\n    interactions: [READ]\n"
        "    modules: [openai]\n    hosts: [api.openai.com]\n"
    )
    source = """\
        from openai import OpenAI

        def public(q):
            return OpenAI().chat.completions.create(model="m", messages=[q])

        def elsewhere(q):
            client = OpenAI(base_url="https://api.deepseek.com/v1")
            return client.chat.completions.create(model="m", messages=[q])
        """
    root = project({"a.py": source}, canon=canon)
    assert codes(root) == [(4, "CANON301"), (8, "CANON201")]


def test_api_key_env_takes_several_names(project, monkeypatch):
    canon = BASE + (
        "tools:\n"
        "  - id: TOOL-H\n    vendor: hunter\n    hubs: [HUB-A]\n    interactions: [ENRICH]\n"
        "    api_key_env: [HUNTER_API_KEY, HUNTER_TOKEN]\n"
    )
    source = """\
        import os

        a = os.environ["HUNTER_API_KEY"]
        b = os.getenv("HUNTER_TOKEN")
        c = os.getenv("OTHER_API_KEY")
        """
    root = project({"a.py": source}, canon=canon)
    assert codes(root, select=("CANON203",)) == [(5, "CANON203")]
    loaded = load_canon(root / "canon.yaml")
    tool = loaded.tool("TOOL-H")
    assert tool.api_key_env == "HUNTER_API_KEY"  # the first, as before
    assert tool.api_key_envs == ("HUNTER_API_KEY", "HUNTER_TOKEN")
    guard = ToolCanonGuard(loaded)
    monkeypatch.delenv("HUNTER_API_KEY", raising=False)
    monkeypatch.delenv("HUNTER_TOKEN", raising=False)
    refused = guard.validate("TOOL-H", "HUB-A", InteractionType.ENRICH, {})
    assert not refused.is_valid and refused.violation.code == "V-TOOL-003"
    assert "HUNTER_API_KEY or HUNTER_TOKEN" in refused.violation.message
    monkeypatch.setenv("HUNTER_TOKEN", "t")
    assert guard.validate("TOOL-H", "HUB-A", InteractionType.ENRICH, {}).is_valid


def test_a_tool_may_claim_part_of_a_generic_sdk(project):
    canon = BASE + (
        "tools:\n"
        "  - id: TOOL-BR\n    vendor: aws\n    hubs: [HUB-A]\n    interactions: [READ]\n"
        "    modules: [boto3]\n    services: [bedrock-runtime]\n"
    )
    source = """\
        import boto3

        def ask(q):
            return boto3.client("bedrock-runtime").converse(modelId="m", messages=[q])

        def store(body):
            s3 = boto3.client("s3")
            return s3.put_object(Bucket="b", Key="k", Body=body)

        def either(name, body):
            return boto3.client(name).put_object(Bucket="b", Key="k", Body=body)
        """
    root = project({"a.py": source}, canon=canon)
    # bedrock-runtime is the tool's; s3 is AWS, unregistered; a service not known here: silent
    assert codes(root) == [(4, "CANON301"), (8, "CANON201")]


def test_free_public_apis_are_not_vendors(project):
    canon = BASE + ("public_apis:\n  - name: Wikipedia\n    hosts: ['*.wikipedia.org']\n    modules: [wikipedia]\n")
    source = """\
        import requests
        import wikipedia

        def look_up(term):
            wikipedia.summary(term)
            return requests.get("https://en.wikipedia.org/w/api.php", params={"q": term})

        def paid(term):
            return requests.get("https://api.paid-search.example.net/v1", params={"q": term})
        """
    root = project({"a.py": source}, canon=canon + "vendor_modules: [wikipedia]\n")
    assert codes(root) == [(9, "CANON201")]
    loaded = load_canon(root / "canon.yaml")
    assert [(api.name, api.hosts, api.modules) for api in loaded.public_apis] == [
        ("Wikipedia", ("*.wikipedia.org",), ("wikipedia",))
    ]
    assert loaded.allowed_hosts == ()  # our own services stay apart


def test_a_wrapper_package_counts_as_the_sdk_behind_it(project):
    canon = BASE + (
        "tools:\n"
        "  - id: TOOL-OAI\n    vendor: openai\n    hubs: [HUB-A]\n    interactions: [READ]\n"
        "    modules: [openai]\n"
        "wrappers:\n"
        "  - module: acme_llm.openai_chat\n    sdk: openai\n"
    )
    source = """\
        from acme_llm.openai_chat import complete

        def answer(q):
            return complete(q)
        """
    root = project({"a.py": source}, canon=canon)
    assert codes(root) == [(4, "CANON301")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "tools:\n  - id: T\n    vendor: v\n    services: bedrock-runtime\n",
            "tools[0].services: expected a list of strings, got a string; write [bedrock-runtime]",
        ),
        ("wrappers:\n  - module: acme_llm\n", "wrappers[0]: missing key 'sdk'"),
        ("public_apis:\n  - name: Wiki\n", "public_apis[0]: a public API needs at least one of 'hosts', 'modules'"),
        (
            "tools:\n  - id: T\n    vendor: v\n    api_key_env: [A_KEY, bad-name]\n",
            "tools[0].api_key_env[1]: 'bad-name' is not an environment variable name",
        ),
    ],
)
def test_bad_claims_are_one_line_errors(tmp_path, extra, message):
    path = tmp_path / "canon.yaml"
    path.write_text(BASE + extra)
    with pytest.raises(ConfigError) as caught:
        load_canon(path)
    assert message in str(caught.value)


def scan_sdk(tmp_path, name: str, source: str):
    """An SDK package ``name`` of one ``__init__.py`` outside the project, scanned by the real
    command into ``project/<name>.json``: the project folder."""
    site = tmp_path / "site" / name
    site.mkdir(parents=True)
    (site / "__init__.py").write_text(source)
    project = tmp_path / "project"
    project.mkdir()
    scan = subprocess.run(
        [sys.executable, "-m", "lint_canon", "sdk", "scan", name, "--path", str(tmp_path / "site")]
        + ["-o", str(project / f"{name}.json")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert scan.returncode == 0, scan.stderr
    return project


def test_a_teams_own_sdk_model_from_sdk_scan(tmp_path):
    project = scan_sdk(
        tmp_path,
        "teamsdk",
        "import requests\n\n"
        "class Client:\n"
        "    def fetch(self, q):\n        return requests.get('https://api.teamsdk.test/x', params=q)\n\n"
        "    def label(self, q):\n        return str(q)\n",
    )
    model = json.loads((project / "teamsdk.json").read_text())
    assert (model["roots"], model["hosts"]) == (["teamsdk"], [])  # a URL in a request is not a base_url
    assert model["classes"]["teamsdk.Client"]["methods"] == {
        "fetch": {"sends": True},
        "label": {"sends": False},
    }
    (project / "canon.yaml").write_text(BASE + "vendor_modules: [teamsdk]\nsdk_models: [teamsdk.json]\n")
    (project / "a.py").write_text("import teamsdk\n\nclient = teamsdk.Client()\nclient.label(1)\nclient.fetch({})\n")
    check = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert check.stdout.splitlines() == [
        "a.py:5:1: CANON201 call to vendor SDK 'teamsdk' (teamsdk) that no tool registers; add the tool to the "
        "canon (tools[].modules) or remove the call"
    ], check.stderr
    (project / "canon.yaml").write_text(BASE + "sdk_models: [missing.json]\n")
    check = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert check.returncode == 2
    assert check.stderr.startswith("lint-canon: canon.yaml:")
    assert "sdk_models[0]" in check.stderr and "missing.json" in check.stderr
    assert "Traceback" not in check.stderr


def test_an_sdk_call_to_its_default_host_under_a_ban_is_a_banned_call(project):
    canon = BASE + 'banned:\n  - reason: "Stripe is not approved here"\n    hosts: [api.stripe.com]\n'
    source = """\
        import stripe

        def charge(amount):
            stripe.Charge.create(amount=amount, currency="eur")
            return stripe.Charge.construct_from({"id": "ch_1"}, "key")
        """
    root = project({"a.py": source}, canon=canon)
    # the SDK's default host (from its model) is banned; constructing an object locally is not a call
    assert codes(root) == [(4, "CANON202")]


def test_selecting_only_canon202_still_reads_an_sdk_bound_for_a_banned_host(project):
    canon = BASE + 'banned:\n  - reason: "Stripe is not approved here"\n    hosts: [api.stripe.com]\n'
    root = project({"a.py": "import stripe\n\nstripe.Charge.create(amount=1)\n"}, canon=canon)
    assert codes(root, select=("CANON202",)) == [(3, "CANON202")]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '{"roots": ["acme"], "classes": []}',
        '{"roots": ["acme"], "sdk": "a", "version": "1", "vendor": "a", "classes": {"acme.C": {"methods": {"x": 3}}}}',
        '{"roots": [], "sdk": "a", "version": "1", "vendor": "a"}',
        '{"roots": ["acme"], "sdk": "a", "version": "1", "vendor": "a", "classes": {"acme.C": {"bases": [{}]}}}',
        '{"roots": ["acme"], "sdk": "a", "version": "1", "vendor": "a", "classes": {"acme.C": {"bases": "acme.B"}}}',
    ],
)
def test_a_file_that_is_not_a_model_is_a_one_line_error(tmp_path, body):
    (tmp_path / "canon.yaml").write_text(BASE + "sdk_models: [m.json]\n")
    (tmp_path / "m.json").write_text(body)
    (tmp_path / "a.py").write_text("import acme\n")
    check = subprocess.run(
        [sys.executable, "-m", "lint_canon", "check", "--no-cache", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 2
    assert check.stderr == (
        "lint-canon: canon.yaml:3: sdk_models[0]: m.json is not a model written by 'lint-canon sdk scan'; "
        "write it again with that command\n"
    )


def test_a_tool_host_of_the_sites_sdk_claims_it_where_the_model_names_another_host(tmp_path):
    # the model knows one host of the vendor (its events endpoint); the team names the API's
    project = scan_sdk(
        tmp_path,
        "smskit",
        "import requests\n\n"
        "class Client:\n"
        "    url = 'https://events.smskit.io'\n\n"
        "    def send(self, to, body):\n        return requests.post(self.url + '/v1', json={'to': to})\n",
    )
    assert json.loads((project / "smskit.json").read_text())["hosts"] == ["events.smskit.io"]
    tool = (
        "tools:\n  - id: TOOL-SMS\n    vendor: smskit\n    hubs: [HUB-A]\n    interactions: [WRITE]\n"
        "    modules: [smskit]\n    hosts: [{}]\n"
    )
    (project / "a.py").write_text("import smskit\n\n\ndef notify(to):\n    smskit.Client().send(to, 'hi')\n")
    found = {}
    for host in ("api.smskit.io", "'*.smskit.io'", "api.smskit-eu.io"):
        (project / "canon.yaml").write_text(BASE + "sdk_models: [smskit.json]\n" + tool.format(host))
        check = subprocess.run(
            [sys.executable, "-m", "lint_canon", "check", "--no-cache", "--select", "CANON2,CANON3", "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        found[host] = [line.split()[1] for line in check.stdout.splitlines()]
    # the SDK's own site is the tool's; a host of another site is another vendor
    assert found == {"api.smskit.io": ["CANON301"], "'*.smskit.io'": ["CANON301"], "api.smskit-eu.io": ["CANON201"]}


def test_calls_into_a_banned_sdk_no_model_describes_are_left_to_its_import(project):
    canon = BASE + "banned:\n  - reason: 'Faxkit contract ended'\n    modules: [faxkit]\n    hosts: ['*.faxkit.io']\n"
    source = """\
        import faxkit
        import requests

        def send(token, doc):
            request = faxkit.FaxRequest(to="+1")
            request.body(doc)
            faxkit.Client(token).send(request)
            return requests.post("https://api.faxkit.io/v1/fax", data=doc)
        """
    root = project({"a.py": source}, canon=canon)
    found = brief(run_check(root, select=("CANON1", "CANON2")))
    # no model says which of its calls send (`request.body` builds locally): the import says it
    # all (CANON101); a request spelled to the banned host is CANON202
    assert [(line, code) for _, line, _, code in found] == [(1, "CANON101"), (8, "CANON202")]
