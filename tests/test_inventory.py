"""`lint-canon inventory`: which vendors a repository uses, where and how often, as a table,
JSON or Markdown; with no canon (the built-in vendor list) and with one (its tools)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, cli_env, unprivileged
from tests.test_cli import lint_canon

# Two vendors (an SDK, and a host in a URL constant), their keys read from the environment,
# and a secret no vendor can be tied to.
FILES = {
    "app/enrich.py": """\
        import os

        import requests

        HUNTER = "https://api.hunter.io/v2"


        def domain_search(domain):
            key = os.environ["HUNTER_API_KEY"]
            return requests.get(f"{HUNTER}/domain-search", params={"domain": domain, "api_key": key}).json()


        def email_finder(domain, name):
            return requests.get(HUNTER + "/email-finder", params={"domain": domain, "full_name": name}).json()
        """,
    "app/summary.py": """\
        import os

        import openai

        client = openai.OpenAI(api_key=os.getenv("OPENAI_API_KEY"))


        def summarise(text):
            return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
        """,
    "app/deploy.py": """\
        import os

        TOKEN = os.environ.get("DEPLOY_TOKEN")
        """,
    "app/plain.py": "def add(a, b):\n    return a + b\n",
}


def test_table(project):
    root = project(FILES, canon=None)
    result = lint_canon("inventory", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "VENDOR  KIND    NAME            USES              WHERE\n"
        "hunter  host    api.hunter.io   2 requests        app/enrich.py:10, :14\n"
        "hunter  secret  HUNTER_API_KEY  1 read            app/enrich.py:9\n"
        "openai  module  openai          1 import, 1 call  app/summary.py:3, :9\n"
        "openai  secret  OPENAI_API_KEY  1 read            app/summary.py:5\n"
        "-       secret  DEPLOY_TOKEN    1 read            app/deploy.py:3\n"
        "\n"
        "2 vendors, 4 uses and 3 secret reads in 3 files; 4 Python files looked at "
        "(no canon: the built-in vendor list)\n"
    )


def _at(path: str, line: int, col: int, use: str) -> dict[str, object]:
    return {"path": path, "line": line, "col": col, "use": use}


def test_json_has_every_location(project):
    root = project(FILES, canon=None)
    result = lint_canon("inventory", "app", "--format", "json", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    no_guards = {"tools": [], "hubs": [], "interactions": []}
    assert json.loads(result.stdout) == {
        "version": 1,
        "canons": [],
        "files": 4,
        "vendors": [
            {
                "vendor": "hunter",
                "name": "hunter.io",
                "tools": [],
                "banned": False,
                "modules": [],
                "hosts": [
                    {
                        "host": "api.hunter.io",
                        "requests": 2,
                        "locations": [
                            _at("app/enrich.py", 10, 12, "request"),
                            _at("app/enrich.py", 14, 12, "request"),
                        ],
                    }
                ],
                "secrets": [
                    {
                        "name": "HUNTER_API_KEY",
                        "reads": 1,
                        "tie": "name",
                        "locations": [_at("app/enrich.py", 9, 11, "read")],
                    }
                ],
                "guards": no_guards,
            },
            {
                "vendor": "openai",
                "name": "OpenAI",
                "tools": [],
                "banned": False,
                "modules": [
                    {
                        "module": "openai",
                        "imports": 1,
                        "calls": 1,
                        "locations": [_at("app/summary.py", 3, 8, "import"), _at("app/summary.py", 9, 12, "call")],
                    }
                ],
                "hosts": [],
                "secrets": [
                    {
                        "name": "OPENAI_API_KEY",
                        "reads": 1,
                        "tie": "name",
                        "locations": [_at("app/summary.py", 5, 32, "read")],
                    }
                ],
                "guards": no_guards,
            },
        ],
        "secrets": [{"name": "DEPLOY_TOKEN", "reads": 1, "locations": [_at("app/deploy.py", 3, 9, "read")]}],
        "problems": [],
    }


def test_markdown(project):
    root = project(FILES, canon=None)
    result = lint_canon("inventory", "--format", "markdown", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "## Vendor inventory\n"
        "\n"
        "| vendor | kind | name | uses | where |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| hunter | host | `api.hunter.io` | 2 requests | `app/enrich.py:10`, `:14` |\n"
        "| hunter | secret | `HUNTER_API_KEY` | 1 read | `app/enrich.py:9` |\n"
        "| openai | module | `openai` | 1 import, 1 call | `app/summary.py:3`, `:9` |\n"
        "| openai | secret | `OPENAI_API_KEY` | 1 read | `app/summary.py:5` |\n"
        "| - | secret | `DEPLOY_TOKEN` | 1 read | `app/deploy.py:3` |\n"
        "\n"
        "2 vendors, 4 uses and 3 secret reads in 3 files; 4 Python files looked at "
        "(no canon: the built-in vendor list).\n"
    )


def test_the_table_shows_the_first_places_json_all(project):
    calls = "".join(f"    openai.embeddings.create(input='{n}')\n" for n in range(5))
    root = project({"many.py": f"import openai\n\n\ndef embed():\n{calls}"}, canon=None)
    table = lint_canon("inventory", cwd=root).stdout
    assert "openai  module  openai  1 import, 5 calls  many.py:1, :5, :6 (+3 more)\n" in table
    report = json.loads(lint_canon("inventory", "--format", "json", cwd=root).stdout)
    assert [loc["line"] for loc in report["vendors"][0]["modules"][0]["locations"]] == [1, 5, 6, 7, 8, 9]


CANON = """\
version: 1
hubs: [HUB-PEOPLE]
tools:
  - id: TOOL-008
    vendor: hunter
    hosts: [api.hunter.io]
    api_key_env: HUNTER_API_KEY
vendor_modules: [acme_enrich]
allowed_hosts: ["*.internal.example.com"]
exclude: ["scratch/**"]
"""


def test_with_a_canon_its_tools_vendor_modules_and_excludes_count(project):
    files = {
        **FILES,
        "app/acme.py": """\
            import acme_enrich
            import requests


            def enrich(domain):
                requests.post("https://crm.internal.example.com/leads", json={"domain": domain})
                return acme_enrich.lookup(domain)
            """,
        "scratch/try.py": "import openai\nopenai.models.list()\n",
        ".venv/lib/site.py": "import openai\nopenai.models.list()\n",
    }
    root = project(files, canon=CANON)
    result = lint_canon("inventory", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "VENDOR             KIND    NAME            USES              WHERE\n"
        "acme_enrich        module  acme_enrich     1 import, 1 call  app/acme.py:1, :7\n"
        "hunter (TOOL-008)  host    api.hunter.io   2 requests        app/enrich.py:10, :14\n"
        "hunter (TOOL-008)  secret  HUNTER_API_KEY  1 read            app/enrich.py:9\n"
        "openai             module  openai          1 import, 1 call  app/summary.py:3, :9\n"
        "openai             secret  OPENAI_API_KEY  1 read            app/summary.py:5\n"
        "-                  secret  DEPLOY_TOKEN    1 read            app/deploy.py:3\n"
        "\n"
        "3 vendors, 6 uses and 3 secret reads in 4 files; 5 Python files looked at (canon: canon.yaml)\n"
    )
    report = json.loads(lint_canon("inventory", "--format", "json", cwd=root).stdout)
    hunter = report["vendors"][1]
    assert (hunter["tools"], hunter["secrets"][0]["tie"]) == (["TOOL-008"], "canon")


def test_the_sample_repository_with_its_canon():
    result = lint_canon("inventory", "--format", "json", cwd=REPO / "fixtures" / "outreach_repo")
    assert (result.returncode, result.stderr) == (0, "")
    report = json.loads(result.stdout)
    assert report["canons"] == ["canon.yaml"]
    assert [(v["vendor"], v["tools"], v["banned"]) for v in report["vendors"]] == [
        ("anthropic", ["TOOL-030"], False),
        ("apollo", ["TOOL-012"], False),
        ("clearbit", [], True),  # imported although banned, and a banned host requested
        ("dol", ["TOOL-020"], False),
        ("hunter", ["TOOL-008"], False),
        ("zerobounce", [], False),  # used, and registered by no tool
    ]
    # The internal CRM is in the canon's allowed_hosts: not a vendor.
    assert "crm.internal.example.com" not in result.stdout


def test_a_file_that_does_not_parse_is_named_and_the_rest_still_counted(project):
    root = project({"bad.py": "import openai\ndef broken(:\n", "good.py": "import openai\n"}, canon=None)
    result = lint_canon("inventory", "--format", "json", cwd=root)
    assert result.returncode == 0
    assert result.stderr.startswith("lint-canon: bad.py: not analysed: line 2: syntax error")
    report = json.loads(result.stdout)
    assert report["problems"][0]["path"] == "bad.py"
    assert report["vendors"][0]["modules"][0]["locations"] == [_at("good.py", 1, 8, "import")]


def test_bad_input_is_one_line_and_exit_2(project):
    root = project({"app.py": "import openai\n"}, canon=None)
    missing = lint_canon("inventory", "nowhere", cwd=root)
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        2,
        "",
        "lint-canon: nowhere: no such file or folder\n",
    )
    os.symlink("gone.py", root / "link.py")
    unreadable = lint_canon("inventory", "link.py", cwd=root)
    assert unreadable.returncode == 2
    assert unreadable.stderr.startswith("lint-canon: link.py: cannot read file:")
    assert unreadable.stderr.count("\n") == 1
    bad_canon = lint_canon("inventory", "--config", "missing.yaml", cwd=root)
    assert bad_canon.returncode == 2
    assert bad_canon.stderr.startswith("lint-canon: missing.yaml: no such file")


def test_an_unreadable_folder_or_file_inside_costs_itself_only(tmp_path):
    import shutil

    command = [sys.executable, "-m", "lint_canon", "inventory", "--format", "json", "."]
    command, root = unprivileged(command, tmp_path)  # root lists every folder: as nobody then
    try:
        for name, text in {"app.py": "import openai\n", "locked/x.py": "import stripe\n"}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
            os.chmod(root / name, 0o644)
        os.symlink("gone.py", root / "dangling.py")
        os.chmod(root / "locked", 0)
        result = subprocess.run(command, cwd=root, env=cli_env(), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert [vendor["modules"][0]["module"] for vendor in json.loads(result.stdout)["vendors"]] == ["openai"]
        assert "lint-canon: locked: skipped: cannot list folder: Permission denied; its files were not checked\n" in (
            result.stderr
        )
        assert "lint-canon: dangling.py: skipped: cannot read file:" in result.stderr
    finally:
        os.chmod(root / "locked", 0o755)
        if root != tmp_path:
            shutil.rmtree(root)


# The cloud SDKs: known to the engine by its shipped SDK models (their import roots and vendors),
# not by the built-in list; an import of one counts as a call does.
CLOUD_FILES = {
    "cloud/aws.py": """\
        import boto3


        def buckets():
            return boto3.client("s3").list_buckets()
        """,
    "cloud/gcs.py": """\
        from google.cloud import storage


        def upload():
            storage.Client().bucket("b").blob("x").upload_from_string("y")
        """,
    "cloud/azure_blob.py": "from azure.storage.blob import BlobServiceClient\n",
    "cloud/workers.py": "import aioboto3\nimport googleapiclient.discovery\n",
}


def test_the_cloud_sdks_are_known_from_the_sdk_models(project):
    root = project(CLOUD_FILES, canon="version: 1\n")
    result = lint_canon("inventory", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "VENDOR               KIND    NAME                  USES              WHERE\n"
        "amazonwebservices    module  aioboto3              1 import          cloud/workers.py:1\n"
        "amazonwebservices    module  boto3                 1 import, 1 call  cloud/aws.py:1, :5\n"
        "azureblobstorage     module  azure.storage.blob    1 import          cloud/azure_blob.py:1\n"
        "googleapisdiscovery  module  googleapiclient       1 import          cloud/workers.py:2\n"
        "googlecloudstorage   module  google.cloud.storage  1 import, 1 call  cloud/gcs.py:1, :5\n"
        "\n"
        "4 vendors, 7 uses and 0 secret reads in 4 files; 4 Python files looked at (canon: canon.yaml)\n"
    )
    report = json.loads(lint_canon("inventory", "--format", "json", cwd=root).stdout)
    assert [(v["vendor"], v["name"], [m["module"] for m in v["modules"]]) for v in report["vendors"]] == [
        ("amazonwebservices", "Amazon Web Services", ["aioboto3", "boto3"]),
        ("azureblobstorage", "Azure Blob Storage", ["azure.storage.blob"]),
        ("googleapisdiscovery", "Google APIs (discovery)", ["googleapiclient"]),
        ("googlecloudstorage", "Google Cloud Storage", ["google.cloud.storage"]),
    ]
    # `builtin_vendors: false` switches the models off for the inventory as for the rules
    (root / "canon.yaml").write_text("version: 1\nbuiltin_vendors: false\n")
    off = lint_canon("inventory", cwd=root)
    assert (
        off.stdout == "0 vendors, 0 uses and 0 secret reads in 0 files; 4 Python files looked at (canon: canon.yaml)\n"
    )


@pytest.mark.parametrize(
    "canon",
    [
        None,
        "version: 1\n",
        "version: 1\nbuiltin_vendors: false\n",
        "version: 1\nvendor_modules: [acme_enrich, boto3]\nwrappers:\n  - module: acme_llm\n    sdk: acme_llm_sdk\n",
        "version: 1\nsdk_models: [acme.json]\n",
        "version: 1\nbuiltin_vendors: false\nsdk_models: [acme.json]\nvendor_modules: [acme_enrich]\n",
    ],
)
def test_the_inventory_knows_the_vendor_sdks_the_rules_know(tmp_path, canon):
    # The inventory classifies imports with vendor_tables, calls with the engine's Vendors: the
    # two tables must be one.
    import libcst as cst

    from lint_canon.adoption.inventory import default_canon
    from lint_canon.adoption.usage import vendor_tables
    from lint_canon.analysis.names import ImportTracker
    from lint_canon.analysis.vendors import Vendors
    from lint_canon_guard.config import load_canon

    model = json.loads((REPO / "lint_canon" / "sdks" / "data" / "pyhunter-2.json").read_text())
    (tmp_path / "acme.json").write_text(json.dumps({**model, "roots": ["acme_sdk"], "vendor": "Acme"}))
    if canon is None:
        loaded = default_canon(tmp_path)
    else:
        (tmp_path / "canon.yaml").write_text(canon)
        loaded = load_canon(tmp_path / "canon.yaml")
    engine = Vendors(loaded, ImportTracker(cst.parse_module(""), None, None))._vendor_modules
    assert vendor_tables(loaded)[1] == engine
    assert ("acme_sdk" in engine) == (canon is not None and "sdk_models" in canon and "builtin_vendors" not in canon)
