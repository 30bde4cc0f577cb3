"""Issue 12's vendor calls to find (points 4, 5, 7, 8, 9): each on a small source that fires,
beside one that stays silent."""

from __future__ import annotations

from tests.conftest import brief, run_check

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
    # Entries on other hosts: which one is called is not known within the file.
    assert (
        found(
            project,
            'import requests\n\nHOSTS = {"a": "https://a.notify.example.com", "b": "https://b.example.org"}\n'
            "requests.post(HOSTS[key])\n",
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
    # A helper doing more than returning a new client is not followed.
    assert (
        found(
            project,
            """\
        import requests


        class Api:
            def _session(self):
                session = requests.Session()
                session.verify = False
                return session

            def send(self):
                return self._session().post("https://api.notify.example.com/x")  # not followed: silent
        """,
        )
        == []
    )
