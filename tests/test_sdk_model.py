"""What sends, as the SDKs' own models say (lint_canon/sdks): per class of call, a source that
must fire beside one that must stay silent, written from general Python; the model's answers;
and the generator re-deriving one pinned SDK's shipped data."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from lint_canon.sdks import generate
from lint_canon.sdks.model import Models, shipped_index, shipped_model
from lint_canon.sdks.scan import Scanner
from tests.conftest import brief, run_check

CANON = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: stripe
    hubs: [HUB-A]
    interactions: [WRITE]
    modules: [stripe]
"""


def found(project, source: str) -> list[tuple[int, str]]:
    root = project({"a.py": source}, canon=CANON)
    return [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2", "CANON3")))]


# --- the model's answers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("chain", "sends"),
    [
        ("openai.OpenAI().chat.completions.create", True),
        ("openai.OpenAI().close", False),
        ("openai.OpenAI().is_closed", False),
        ("openai.OpenAI().chat.completions.create().model_dump", None),  # data: not a client
        ("stripe.Customer.create", True),
        ("stripe.Customer.retrieve", True),
        ("stripe.Customer().to_dict", False),
        ("slack_sdk.WebClient().chat_postMessage", True),
        ("twilio.rest.Client().messages.create", True),
        ("boto3.client().put_object", True),
        ("boto3.client().get_paginator", False),
        ("boto3.client().get_paginator().paginate", True),
        ("boto3.client().generate_presigned_url", False),
        ("google.cloud.storage.Client().bucket", False),
    ],
)
def test_the_shipped_models_say_which_calls_send(chain, sends):
    verdict = Models().judge(chain)
    assert verdict is not None
    assert verdict.sends is sends


def test_at_least_thirty_sdks_are_modelled_with_their_versions():
    files = {name for names in shipped_index().values() for name in names}
    models = [shipped_model(name) for name in files]
    assert len({model.sdk for model in models}) >= 30
    assert all(model.version and model.versions and model.vendor for model in models)


# --- classes of call ---------------------------------------------------------------------


def test_methods_of_response_data_are_local(project):
    source = """\
        import stripe

        def charge(amount):
            customer = stripe.Customer.create(email="a@b.example")
            customer.to_dict()
            return customer.get("id")

        def on_event(event: stripe.Customer, err: stripe.StripeError):
            event.to_dict()
            event.get("email")
            return err.json_body.get("error")
        """
    assert found(project, textwrap.dedent(source)) == [(4, "CANON301")]


def test_builders_and_local_client_state_send_nothing(project):
    source = """\
        from google.genai import types
        from openai import OpenAI

        def build(text):
            part = types.Part.from_text(text=text)
            config = types.GenerateContentConfig(temperature=0)
            return part, config

        def state(key):
            client = OpenAI(api_key=key)
            if not client.is_closed():
                client.close()
            return client.with_options(timeout=3)

        def sends(key, q):
            return OpenAI(api_key=key).chat.completions.create(model="m", messages=[q])
        """
    assert found(project, textwrap.dedent(source)) == [(16, "CANON201")]


def test_a_client_returned_by_an_annotated_getter_of_several_statements(project):
    source = """\
        from slack_sdk import WebClient

        class Poster:
            def get_client(self) -> WebClient:
                token = "x"
                return WebClient(token=token)

            def post(self, text):
                return self.get_client().chat_postMessage(channel="c", text=text)

            def local(self):
                return self.get_client().token
        """
    assert found(project, textwrap.dedent(source)) == [(9, "CANON201")]


def test_a_client_held_by_an_annotated_property(project):
    source = """\
        from functools import cached_property
        from typing import Optional

        import slack_sdk

        class Poster:
            @cached_property
            def client(self) -> "Optional[slack_sdk.WebClient]":
                return make_it()

            def post(self, text):
                return self.client.chat_postMessage(channel="c", text=text)
        """
    assert found(project, textwrap.dedent(source)) == [(12, "CANON201")]


def test_a_sending_callable_passed_to_another_function(project):
    source = """\
        import asyncio
        import requests
        from concurrent.futures import ThreadPoolExecutor

        async def ping():
            await asyncio.to_thread(requests.post, "https://api.vendor-one.example.org/v1/ping")

        def later(pool: ThreadPoolExecutor):
            pool.submit(print, "https://api.vendor-one.example.org/v1/ping")
            return pool.submit(len, [1, 2])
        """
    assert found(project, textwrap.dedent(source)) == [(6, "CANON201")]


def test_a_base_url_with_choices_is_judged_by_the_known_ones(project):
    canon = (
        CANON
        + "  - id: TOOL-2\n    vendor: acme\n    hubs: [HUB-A]\n    interactions: [READ]\n    hosts: [api.acme-llm.example.org]\n"
    )
    source = """\
        import os

        from openai import OpenAI

        def answer(cfg, q):
            client = OpenAI(base_url=cfg.url or os.environ.get("X") or "https://api.acme-llm.example.org/v1")
            return client.chat.completions.create(model="m", messages=[q])

        def unknown(cfg, q):
            client = OpenAI(base_url=cfg.url)
            return client.chat.completions.create(model="m", messages=[q])
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2", "CANON3")))]
    assert out == [(7, "CANON301")]


def test_boto3_operations_send_and_its_local_helpers_do_not(project):
    source = """\
        import boto3

        def upload(path):
            s3 = boto3.client("s3")
            s3.put_object(Bucket="bucket", Key="key", Body=path)
            pages = s3.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket="bucket"):
                print(page)
            return s3.generate_presigned_url("get_object", Params={})
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert out == [(5, "CANON201"), (7, "CANON201")]  # put_object; paginate (sends as it is iterated)


# --- the generator -----------------------------------------------------------------------


def test_the_scanner_follows_annotations_aliases_and_overrides(tmp_path):
    sdk = tmp_path / "acmesdk"
    sdk.mkdir()
    (sdk / "__init__.py").write_text("from ._client import Client\n")
    (sdk / "_transport.py").write_text(
        textwrap.dedent(
            """\
            import httpx

            class Transport:
                def __init__(self) -> None:
                    self._http = httpx.Client()

                def send(self, path):
                    return self._http.post(path)
            """
        )
    )
    (sdk / "_client.py").write_text(
        textwrap.dedent(
            """\
            from ._transport import Transport

            BASE_URL = "https://api.acmesdk.test/v2"

            class Reply:
                def text(self) -> str:
                    return "x"

            class Items:
                def __init__(self, transport: Transport) -> None:
                    self._send = transport.send

                def create(self, name) -> Reply:
                    self._send("/items")
                    return Reply()

                def path(self, name) -> str:
                    return "/items/" + name

            class Client:
                def __init__(self, base_url=BASE_URL) -> None:
                    self._transport = Transport()
                    self.items = Items(self._transport)

                def close(self) -> None:
                    pass
            """
        )
    )
    scanner = Scanner(tmp_path, ["acmesdk"])
    model = generate.prune(scanner.model())
    client = model["classes"]["acmesdk._client.Client"]
    assert client["attributes"] == {"items": "acmesdk._client.Items"}
    assert client["methods"]["close"] == {"sends": False}
    items = model["classes"]["acmesdk._client.Items"]["methods"]
    assert items["create"] == {"sends": True, "returns": "acmesdk._client.Reply"}
    assert items["path"] == {"sends": False}
    assert "acmesdk._client.Reply" not in model["classes"]  # data: left out
    assert scanner.hosts() == ["api.acmesdk.test"]


def test_the_generator_re_derives_a_pinned_sdk_as_shipped(tmp_path):
    """Downloads pyhunter's pinned wheel from the package index and compares the model."""
    pin = next(pin for pin in generate.PINS if pin.dist == "pyhunter")
    try:
        model = generate.generate(pin, tmp_path)
    except subprocess.CalledProcessError:
        pytest.fail("pip could not download the pinned wheel of pyhunter")
    shipped = json.loads((generate.DATA / generate.file_name(pin)).read_text())
    assert json.loads(json.dumps(model, sort_keys=True)) == shipped


def test_the_readme_lists_every_shipped_model():
    from tests.conftest import REPO

    table = generate.readme_table()
    assert table in (REPO / "README.md").read_text()
    files = {name for names in shipped_index().values() for name in names}
    assert table.count("\n") == 2 + len(files)


def test_a_getter_of_several_statements_that_always_makes_one_client(project):
    source = """\
        import boto3


        class Store:
            def client(self, region=None):
                params = {"region_name": region} if region else {}
                return boto3.session.Session().client("s3", **params)

            def get(self, key):
                s3 = self.client()
                return s3.get_object(Bucket="b", Key=key)

            def maybe(self, flag):
                if flag:
                    return boto3.client("s3")
                return None

            def other(self, key):
                return self.maybe(True).get_object(Bucket="b", Key=key)
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    # `maybe` may return None: what it returns is not one client type, so `other` is not judged
    assert out == [(11, "CANON201")]


def test_the_scanner_reads_registered_managers_and_injected_types(tmp_path):
    sdk = tmp_path / "regsdk"
    sdk.mkdir()
    (sdk / "__init__.py").write_text(
        textwrap.dedent(
            """\
            from typing import Any

            import requests


            class Transport:
                def __init__(self) -> None:
                    self._session = requests.Session()

                def send(self, path):
                    return self._session.post("https://api.regsdk.test" + path)


            class Base:
                def __init__(self, transport: Any) -> None:
                    self._transport = transport


            class Emails(Base):
                name = "emails"

                def __init__(self, transport: Transport) -> None:
                    super().__init__(transport)

                def send(self, body):
                    return self._transport.send("/email")

                def render(self, body):
                    return str(body)


            class Client:
                _managers = (Emails,)

                def __init__(self) -> None:
                    transport = Transport()
                    for manager in self._managers:
                        instance = manager(transport)
                        setattr(self, instance.name, instance)
            """
        )
    )
    model = generate.prune(Scanner(tmp_path, ["regsdk"]).model())
    assert model["classes"]["regsdk.Client"]["attributes"] == {"emails": "regsdk.Emails"}
    assert model["classes"]["regsdk.Emails"]["methods"] == {"render": {"sends": False}, "send": {"sends": True}}


def test_a_class_attribute_holding_an_sdk_class(project):
    source = """\
        import stripe


        class Model:
            stripe_class: type[stripe.Customer]

            @classmethod
            def fetch(cls, key):
                return cls.stripe_class.retrieve(key)

            def rebuild(self, data):
                return self.stripe_class.construct_from(data, "k")


        class Invoice:
            stripe_class = stripe.Invoice

            def get(self, key):
                return self.stripe_class.retrieve(key)
        """
    # retrieve sends; construct_from builds an object locally (the model does not call it a send)
    assert found(project, textwrap.dedent(source)) == [(9, "CANON301"), (19, "CANON301")]


def test_clients_declared_with_an_sdks_type_stubs(project):
    source = """\
        from typing import TYPE_CHECKING

        import boto3

        if TYPE_CHECKING:
            from mypy_boto3_emr.client import EMRClient
            from mypy_boto3_s3 import S3Client


        def put(client: "S3Client", body):
            client.put_object(Bucket="b", Key="k", Body=body)
            return client.get_paginator("list_objects_v2")


        class Runner:
            def __init__(self, client: "EMRClient | None" = None):
                self._client = client or boto3.client("emr")

            def start(self):
                return self._client.run_job_flow(Name="x")
        """
    canon = "version: 1\nhubs: [HUB-A]\n"
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert out == [(11, "CANON201"), (20, "CANON201")]
    # the prefilter finds a file that names boto3 only through its stubs
    (root / "a.py").write_text(
        'from mypy_boto3_s3 import S3Client\n\n\ndef put(client: S3Client):\n    client.put_object(Bucket="b", Key="k")\n'
    )
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert out == [(5, "CANON201")]


def test_boto3_resources_send_through_actions_and_collections(project):
    source = """\
        import boto3


        def archive(name, body):
            s3 = boto3.resource("s3")
            bucket = s3.Bucket(name)
            bucket.put_object(Key="k", Body=body)
            for item in bucket.objects.filter(Prefix="logs/"):
                print(item.key)
            head = s3.Object(name, "k")
            return head, s3.meta.client.list_objects_v2(Bucket=name)
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    # Bucket(name) and Object(...) are local references; put_object, the collection and the
    # client's operation send
    assert out == [(7, "CANON201"), (8, "CANON201"), (11, "CANON201")]


def test_a_client_given_its_type_with_typing_cast(project):
    source = """\
        from typing import cast

        import boto3


        def start():
            client = cast("EMRClient", boto3.client("emr"))
            return client.run_job_flow(Name="x")
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert out == [(8, "CANON201")]


def test_the_scanner_reads_an_http_client_interface_as_its_transport(tmp_path):
    sdk = tmp_path / "protosdk"
    sdk.mkdir()
    (sdk / "__init__.py").write_text(
        textwrap.dedent(
            """\
            from typing import Protocol

            import httpx


            class HttpClient(Protocol):
                def send(self, request: httpx.Request) -> httpx.Response: ...

                def close(self) -> None: ...


            class Chat:
                def __init__(self, client: HttpClient) -> None:
                    self._client = client

                def complete(self, prompt):
                    return self._client.send(httpx.Request("POST", "/chat"))

                def shut(self):
                    self._client.close()
            """
        )
    )
    methods = generate.prune(Scanner(tmp_path, ["protosdk"]).model())["classes"]["protosdk.Chat"]["methods"]
    # `send` on an interface named like a transport's, in a module using httpx: sends; `close`
    # on an interface is not known (nothing in the SDK implements it)
    assert methods == {"complete": {"sends": True}, "shut": {"sends": None}}
