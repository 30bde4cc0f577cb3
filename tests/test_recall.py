"""Issue 12's vendor calls to find (points 4 to 10): each on a small source that fires, beside
one that stays silent."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import brief, run_check

CANON_WITH_BAN = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-2
    vendor: notify
    hubs: [HUB-A]
    interactions: [WRITE]
    hosts: ["*.notify.example.com"]
banned:
  - reason: "contract ended"
    hosts: [api.old.example.net]
"""

CANON = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: openai
    hubs: [HUB-A]
    interactions: [ENRICH]
    modules: [openai]
  - id: TOOL-2
    vendor: notify
    hubs: [HUB-A]
    interactions: [WRITE]
    hosts: ["*.notify.example.com"]
"""


def found(project, source: str) -> list[tuple[int, str]]:
    root = project({"a.py": source}, canon=CANON)
    return [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON301",)))]


def test_a_url_in_a_format_argument(project):
    assert found(
        project,
        """\
        import requests

        URL = "https://api.notify.example.com/send"
        requests.post("{}{}/{}".format(URL, "token", "send"))
        requests.post("{0}/{path}".format(URL, path="x"))
        """,
    ) == [(4, "CANON301"), (5, "CANON301")]
    assert found(project, 'import requests\n\nrequests.post("{}/send".format(base))\n') == []


def test_a_subscript_of_constant_urls_on_one_host(project):
    assert found(
        project,
        """\
        import requests

        LOOKUP = {"v1": "https://eu.notify.example.com/v1", "v2": "https://eu.notify.example.com/v2"}
        ORDER = ("https://eu.notify.example.com/a", "https://eu.notify.example.com/b")


        def send(version, i):
            requests.post(LOOKUP[version])
            requests.post(f"{ORDER[i]}/x")
        """,
    ) == [(8, "CANON301"), (9, "CANON301")]
    # An entry that is not a constant: where the request goes is not known within the file.
    assert (
        found(
            project,
            'import requests\n\nHOSTS = {"a": "https://a.notify.example.com", "b": base}\nrequests.post(HOSTS[key])\n',
        )
        == []
    )


def test_injected_client_idioms(project):
    assert found(
        project,
        """\
        import httpx


        class Api:
            def __init__(self, client=None, fast=True):
                self.client = client or httpx.Client()
                self.other = httpx.Client() if fast else None

            def send(self):
                self.client.post("https://api.notify.example.com/x")
                self.other.get("https://api.notify.example.com/y")
        """,
    ) == [(10, "CANON301"), (11, "CANON301")]
    assert (
        found(
            project,
            """\
        class Api:
            def __init__(self, client):
                self.client = client

            def send(self):
                self.client.post("https://api.notify.example.com/x")
        """,
        )
        == []
    )


def test_a_sub_object_of_a_client_and_an_import_fallback(project):
    assert found(
        project,
        """\
        try:
            from openai import OpenAI
        except ImportError:
            OpenAI = None


        class Art:
            def __init__(self):
                self.images = OpenAI().images

            def draw(self):
                return self.images.generate(prompt="x")
        """,
    ) == [(12, "CANON301")]
    assert (
        found(
            project,
            """\
        OpenAI = None


        class Art:
            def __init__(self):
                self.images = OpenAI().images

            def draw(self):
                return self.images.generate(prompt="x")
        """,
        )
        == []
    )


def test_an_sdk_client_pointed_at_another_host_is_judged_by_that_host(project):
    root = project(
        {
            "a.py": """\
                import openai
                from openai import Client

                BASE = "https://api.deepseek.example.org/v1"


                class Deep:
                    def __init__(self, **config):
                        config["base_url"] = BASE
                        self.client = Client(**config)

                    def ask(self):
                        return self.client.chat.completions.create(model="m", messages=[])


                def direct():
                    return openai.OpenAI(base_url="https://router.example.net").chat.completions.create()


                def unknown(url):
                    return openai.OpenAI(base_url=url).chat.completions.create()


                def plain():
                    return openai.OpenAI().chat.completions.create()
            """
        },
        canon=CANON,
    )
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2", "CANON3")))] == [
        (13, "CANON201"),  # DeepSeek, not OpenAI
        (17, "CANON201"),
        (25, "CANON301"),  # the OpenAI tool itself
    ]


def test_the_sdks_own_code_is_not_a_caller_of_its_vendor(project):
    root = project(
        {
            "openai/__init__.py": "",
            "openai/_client.py": "from openai import _utils\n\n\ndef go():\n    return _utils.get_logger()\n",
            "app.py": "import openai\n\nopenai.OpenAI().chat.completions.create()\n",
        },
        canon=CANON,
    )
    assert [(path, line, code) for path, line, _, code in brief(run_check(root, select=("CANON3",)))] == [
        ("app.py", 3, "CANON301")
    ]


def test_a_conditional_between_urls_on_one_host(project):
    assert found(
        project,
        """\
        import requests


        class Api:
            submit_url = "https://api.notify.example.com/submit"
            auth_url = "https://api.notify.example.com/auth"

            def go(self, token):
                url = self.submit_url if token else self.auth_url
                return requests.post(url)
        """,
    ) == [(10, "CANON301")]
    assert found(project, 'import requests\n\nrequests.post("https://a.notify.example.com" if x else other)\n') == []


def test_inherited_class_attributes_and_declared_defaults(project):
    assert found(
        project,
        """\
        from dataclasses import dataclass, field

        import requests
        from pydantic import BaseModel, Field


        class Base:
            API_URL = "https://api.notify.example.com/v1"


        class Child(Base):
            def send(self):
                return requests.post(self.API_URL)


        class Settings(BaseModel):
            url: str = Field("https://api.notify.example.com/s")

            def send(self):
                return requests.post(self.url)


        @dataclass
        class Conf:
            url: str = field(default="https://api.notify.example.com/c")

            def send(self):
                return requests.post(self.url)
        """,
    ) == [(13, "CANON301"), (20, "CANON301"), (28, "CANON301")]
    # A base class from another module: its attributes are not known here.
    assert (
        found(
            project,
            """\
        import requests
        from elsewhere import Base


        class Child(Base):
            def send(self):
                return requests.post(self.API_URL)
        """,
        )
        == []
    )


def test_one_level_through_a_helper_that_returns_a_client(project):
    assert found(
        project,
        """\
        import httpx
        import requests


        def make_client():
            \"\"\"The shared client.\"\"\"
            return httpx.Client(base_url="https://api.notify.example.com")


        class Api:
            def _session(self):
                return requests.Session()

            def send(self):
                return self._session().post("https://api.notify.example.com/x")

            def fetch(self):
                client = make_client()
                return client.get("/items")
        """,
    ) == [(15, "CANON301"), (19, "CANON301")]
    # A helper of several statements returning the client it made in a local is followed;
    # one returning what it was given is not (its type is not written here).
    assert found(
        project,
        """\
        import requests


        class Api:
            def _session(self):
                session = requests.Session()
                session.verify = False
                return session

            def _given(self, session):
                session.verify = False
                return session

            def send(self):
                return self._session().post("https://api.notify.example.com/x")

            def resend(self, session):
                return self._given(session).post("https://api.notify.example.com/x")  # silent
        """,
    ) == [(15, "CANON301")]


def findings(project, source: str, canon: str = CANON_WITH_BAN) -> list[tuple[int, str, str]]:
    root = project({"a.py": source}, canon=canon)
    return [(f.line, f.code, f.message) for f in run_check(root, select=("CANON2", "CANON3"))]


def test_a_lookup_of_urls_on_several_hosts_reports_each_distinct_verdict(project):
    out = findings(
        project,
        """\
        import requests

        REGIONS = {"us": "https://api.mail.example.org/v3/", "eu": "https://api.eu.mail.example.org/v3/"}
        MIXED = {
            "a": "https://api.old.example.net/1/",
            "b": "https://eu.notify.example.com/x",
            "c": "https://api.mail.example.org/v3/",
            "d": "https://api.eu.mail.example.org/v3/",
        }


        def send(region, token):
            requests.post(f"{REGIONS[region]}{token}/messages")
            requests.post(MIXED[region])
        """,
    )
    assert [(line, code) for line, code, _ in out] == [
        (13, "CANON201"),
        (14, "CANON201"),
        (14, "CANON202"),
        (14, "CANON301"),
    ]
    assert out[0][2].startswith(
        "request to external hosts 'api.mail.example.org' or 'api.eu.mail.example.org' (whichever is chosen)"
    )
    assert out[2][2] == "request to banned host 'api.old.example.net': contract ended"
    # Entries on our own hosts, or one entry not known: nothing.
    assert (
        findings(
            project,
            """\
        import requests

        OURS = {"a": "http://localhost:8080/x", "b": "http://billing/y"}
        requests.post(OURS[key])
        PART = {"a": "https://api.mail.example.org/v3/", "b": settings.URL}
        requests.post(PART[key])
        """,
        )
        == []
    )


def test_a_conditional_between_hosts_and_a_lookup_then_format(project):
    out = findings(
        project,
        """\
        import requests

        LOOKUP = {"us": "https://api.sms.example.org/v1/{sid}/send", "in": "https://api.in.sms.example.org/v1/{sid}/send"}


        class Api:
            auth_url = "https://www.social.example.org/api/v1/access_token"
            submit_url = "https://oauth.social.example.org/api/submit"

            def go(self, token, region):
                url = self.submit_url if token else self.auth_url
                requests.post(url)
                requests.post(LOOKUP[region].format(sid=token))
        """,
    )
    assert [(line, code) for line, code, _ in out] == [(12, "CANON201"), (13, "CANON201")]
    assert "'oauth.social.example.org' or 'www.social.example.org'" in out[0][2]
    assert "'api.sms.example.org' or 'api.in.sms.example.org'" in out[1][2]
    # A branch that is a parameter: where the request goes is not known.
    assert (
        findings(
            project,
            'import requests\n\ndef go(url, t):\n    requests.post("https://oauth.social.example.org" if t else url)\n',
        )
        == []
    )


def test_an_unknown_scheme_before_a_known_host(project):
    out = findings(
        project,
        """\
        import requests


        class Push:
            notify_url = "{schema}://www.push.example.org/api"

            def send(self, secure):
                schema = "https" if secure else "http"
                requests.post(self.notify_url.format(schema=self.schema))
                requests.post(f"{self.schema}://www.push.example.org/api")
        """,
    )
    assert [(line, code) for line, code, _ in out] == [(9, "CANON201"), (10, "CANON201")]
    assert "'www.push.example.org'" in out[0][2]
    # The host itself not known: nothing.
    assert findings(project, 'import requests\n\nrequests.post("{s}://{h}/api".format(s="https", h=host))\n') == []


def test_one_level_through_a_helper_that_returns_a_url(project):
    assert [
        (line, code)
        for line, code, _ in findings(
            project,
            """\
        import requests

        BASE = "https://api.notify.example.com"


        def endpoint(path):
            return BASE + "/" + path


        class Api:
            url = "https://hooks.notify.example.com"

            def _url(self, path):
                \"\"\"Where to send.\"\"\"
                return f"{self.url}/{path}"

            def send(self):
                requests.post(self._url("send"))
                requests.post(endpoint("items"))
        """,
        )
    ] == [(18, "CANON301"), (19, "CANON301")]
    # The helper's own parameters are not the caller's names; a shadowed helper is not followed.
    assert (
        findings(
            project,
            """\
        import requests


        def build(host):
            return f"https://{host}/x"


        def send():
            host = "api.notify.example.com"
            requests.post(build("other.example.org"))
            build = lambda: "https://api.notify.example.com"
            requests.post(build())
        """,
        )
        == []
    )


def test_an_sdk_client_used_inside_its_own_package_is_a_vendor_call(project):
    root = project(
        {
            "openai/__init__.py": "from openai._client import OpenAI\n",
            "openai/_client.py": "class OpenAI:\n    pass\n",
            "openai/extras/__init__.py": "",
            "openai/extras/rag.py": (
                "from openai import OpenAI\n\n\ndef answer(q):\n"
                "    return OpenAI().chat.completions.create(messages=[q])\n"
            ),
        },
        canon=CANON,
    )
    assert [(path, line, code) for path, line, _, code in brief(run_check(root, select=("CANON3",)))] == [
        ("openai/extras/rag.py", 5, "CANON301")
    ]


def test_more_builtin_vendor_sdks(project):
    out = findings(
        project,
        """\
        import cerebras.cloud.sdk as cerebras
        from huggingface_hub import InferenceClient, hf_hub_download


        def ask(q):
            cerebras.Cerebras().chat.completions.create(messages=[q])
            InferenceClient(model="m").chat_completion(messages=[q])
            hf_hub_download("org/model", "config.json")  # the model hub, not a paid inference API
        """,
    )
    assert [(line, code) for line, code, _ in out] == [(6, "CANON201"), (7, "CANON201")]
    assert "'huggingface_hub.InferenceClient' (Hugging Face Inference)" in out[1][2]


def test_a_loop_over_constant_urls_and_a_chosen_function(project):
    out = findings(
        project,
        """\
        import requests

        MIRRORS = {"eu": "https://eu.notify.example.com/x", "us": "https://us.notify.example.com/x"}


        class Bot:
            notify_url = "https://www.chat.example.org/api/message"
            dm_url = "https://www.chat.example.org/api/direct"

            def send(self, channels, users, method):
                targets = [(self.notify_url, ch) for ch in channels] + [(self.dm_url, u) for u in users]
                for endpoint, target in targets:
                    requests.post(endpoint, json={"to": target})
                for region, url in MIRRORS.items():
                    requests.get(url)
                fn = requests.post if method == "POST" else requests.get
                fn("https://api.old.example.net/1/messages")
        """,
    )
    assert [(line, code) for line, code, _ in out] == [(13, "CANON201"), (15, "CANON301"), (17, "CANON202")]
    assert "'www.chat.example.org'" in out[0][2]
    # A comprehension's own names, a loop over what the file does not spell, a function chosen
    # among others than HTTP functions: nothing.
    assert (
        findings(
            project,
            """\
        import requests

        url = "https://www.chat.example.org/api"


        def send(hosts, method, urls):
            for url in [f"https://{url}/x" for url in hosts]:
                requests.post(url)
            for url in urls:
                requests.post(url)
            fn = requests.post if method else print
            fn("https://www.chat.example.org/api")
        """,
        )
        == []
    )


VENDOR_CANON = """\
version: 1
hubs: [HUB-A]
vendor_modules: [acme, boto3]
"""


def test_clients_stored_by_the_langchain_and_pydantic_idioms(project):
    out = findings(
        project,
        """\
        from typing import Any, Optional

        import aiohttp
        from pydantic import BaseModel, model_validator


        class Search(BaseModel):
            engine: Any = None
            wiki: Any = None
            client: Any = None
            aiosession: Optional[aiohttp.ClientSession] = None

            @model_validator(mode="before")
            @classmethod
            def validate_environment(cls, values):
                from acme import GoogleSearch, OWM
                import acme.wiki as wiki

                values["engine"] = GoogleSearch
                values["wiki"] = wiki
                client = OWM("key")
                values["client"] = client
                return values

            def run(self, params):
                self.engine(params).get_dict()
                self.wiki.search("x")
                self.client.weather_at_place("x")

            async def arun(self):
                async with self.aiosession.get("https://serpapi.example.org/search") as response:
                    return await response.json()
        """,
        canon=VENDOR_CANON,
    )
    assert [(line, code) for line, code, _ in out] == [
        (26, "CANON201"),
        (27, "CANON201"),
        (28, "CANON201"),
        (31, "CANON201"),
    ]
    # The same assignments outside a validator, and a field declared as something else: nothing.
    assert (
        findings(
            project,
            """\
        from typing import Any

        from pydantic import BaseModel


        class Search(BaseModel):
            client: Any = None
            session: "acme.Client" = None

            def build(self, values):
                from acme import Client

                values["client"] = Client()
                return values

            def run(self):
                self.client.search("x")
                self.session.search("x")
        """,
            canon=VENDOR_CANON,
        )
        == []
    )


def test_a_url_in_a_dict_a_helper_returns_and_a_declared_session(project):
    out = findings(
        project,
        """\
        import requests


        class Api:
            def _prepare_request(self, query):
                return {"url": "https://www.search.example.org/api/v1/search", "params": {"q": query}}

            def run(self, query, session: requests.Session):
                details = self._prepare_request(query)
                requests.get(url=details["url"], params=details["params"])
                session.get("https://www.search.example.org/api/v1/other")
        """,
    )
    assert [(line, code) for line, code, _ in out] == [(10, "CANON201"), (11, "CANON201")]
    # Another key, a key the dict lacks, or a dict that a ** may override: nothing.
    assert (
        findings(
            project,
            """\
        import requests


        def prepare(extra):
            return {"url": "https://www.search.example.org/api", **extra}


        def run(extra):
            details = prepare(extra)
            requests.get(details["url"])
            plain = {"url": "https://www.search.example.org/api", "next": extra}
            requests.get(plain["next"])
            requests.get(plain["other"])
        """,
        )
        == []
    )


def test_a_chain_of_sdk_calls_is_one_call_and_factories_send_nothing(project):
    out = findings(
        project,
        """\
        import boto3
        import acme


        def run(actor_id):
            client = acme.ApifyClient("token")
            client.actor(actor_id).call(run_input={})
            lam = boto3.client("lambda")
            lam.invoke(FunctionName="f")
            boto3.session.Session().resource("s3")
            boto3.client("s3").get_paginator("list_objects_v2")
        """,
        canon=VENDOR_CANON,
    )
    # one finding for the chain (at its outer call), none for the factories (boto3's model)
    assert [(line, code) for line, code, _ in out] == [(7, "CANON201"), (9, "CANON201")]


def test_an_sdk_without_a_model_is_read_as_before_until_a_team_scans_it(project, tmp_path_factory):
    source = """\
        import acme


        def run():
            acme.set_lang("en")
            return acme.search("q")
        """
    # no model: every call into the SDK is a call to the vendor
    assert [(line, code) for line, code, _ in findings(project, source, canon=VENDOR_CANON)] == [
        (5, "CANON201"),
        (6, "CANON201"),
    ]
    outside = tmp_path_factory.mktemp("sdk")  # not in the project being checked
    sdk = outside / "site" / "acme"
    sdk.mkdir(parents=True)
    (sdk / "__init__.py").write_text(
        "import requests\n\n_LANG = ['en']\n\n\n"
        "def set_lang(lang):\n    _LANG[0] = lang\n\n\n"
        "def search(q):\n    return requests.get('https://api.acme.test/search', params={'q': q, 'l': _LANG[0]})\n"
    )
    from lint_canon.frontends.cli import main

    # the model is the project's own file (a canon names files of its repository only)
    Path("sdks").mkdir()
    assert main(["sdk", "scan", "acme", "--path", str(outside / "site"), "-o", "sdks/acme.json"]) == 0
    canon = VENDOR_CANON + "sdk_models: [sdks/acme.json]\n"
    # with the SDK's own model: set_lang only stores a setting
    assert [(line, code) for line, code, _ in findings(project, source, canon=canon)] == [(6, "CANON201")]


def test_an_attribute_set_further_down_the_class_and_local_handles(project):
    out = findings(
        project,
        """\
        from typing import Any

        import acme
        import pyowm
        from pydantic import BaseModel, model_validator


        class Search(BaseModel):
            search_engine: Any = None
            weather: Any = None

            def run(self, term):
                self.weather.weather_manager().weather_at_place(term)
                mgr = self.weather.weather_manager()
                mgr.one_call(lat=1, lon=2)
                return self.search_engine.search(term)

            def close(self):
                self.search_engine = None

            @model_validator(mode="before")
            @classmethod
            def validate_environment(cls, values):
                values["search_engine"] = acme.Engine("key")
                values["weather"] = pyowm.OWM("key")
                return values
        """,
        canon=VENDOR_CANON.replace("[acme, boto3]", "[acme, boto3, pyowm, googleapiclient]"),
    )
    assert [(line, code) for line, code, _ in out] == [(13, "CANON201"), (15, "CANON201"), (16, "CANON201")]


def test_sdk_objects_built_locally_send_only_through_their_sending_calls(project):
    out = findings(
        project,
        """\
        import praw
        import pyowm
        from googleapiclient.discovery import build


        def run(term):
            service = build("customsearch", "v1", developerKey="k")
            cse = service.cse()
            cse.list(q=term, cx="x").execute()
            manager = pyowm.OWM("key").weather_manager()
            manager.weather_at_place(term)
            sub = praw.Reddit(client_id="x").subreddit("python")
            sub.search(term)
        """,
        canon=VENDOR_CANON.replace("[acme, boto3]", "[praw, pyowm, googleapiclient]"),
    )
    # the builders and handles send nothing; execute(), weather_at_place() and search() do: the
    # SDKs' models say so (googleapiclient's from the discovery documents it ships)
    assert [(line, code) for line, code, _ in out] == [(9, "CANON201"), (11, "CANON201"), (13, "CANON201")]
