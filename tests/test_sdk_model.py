"""What sends, as the SDKs' own models say (lint_canon/sdks): per class of call, a source that
must fire beside one that must stay silent, written from general Python; the model's answers;
and the generator re-deriving one pinned SDK's shipped data."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from lint_canon.sdks import generate
from lint_canon.sdks.model import Models, SdkModel, shipped_index, shipped_model
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

# AWS registered through boto3 and aioboto3, its async API
AWS_CANON = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: aws
    hubs: [HUB-A]
    interactions: [READ]
    modules: [boto3, aioboto3]
"""


def found(
    project, source: str, canon: str = CANON, select: tuple[str, ...] = ("CANON2", "CANON3")
) -> list[tuple[int, str]]:
    """(line, code) of each finding on one file ``a.py`` holding ``source`` (dedented)."""
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    return [(line, code) for _, line, _, code in brief(run_check(root, select=select))]


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
        ("boto3.client().upload_file", True),  # injected by boto3, read from its source
        # signs locally; asks IAM to sign only when an access token is passed: not decided
        ("google.cloud.storage.Client().bucket().blob().generate_signed_url", None),
        ("praw.Reddit().submission", None),  # a lazy object, unless a url is given to parse
        ("braintree.BraintreeGateway().transaction.sale", True),
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
    # also when the stubs are imported for type checking only, under another prefix
    (root / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from types_boto3_sqs.client import SQSClient\n\n\n"
        'def send(client: "SQSClient"):\n    client.send_message(QueueUrl="q", MessageBody="m")\n'
    )
    out = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert out == [(7, "CANON201")]


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


def test_methods_boto3_adds_to_s3_clients_and_resources_send(project):
    # upload_file, download_fileobj ... are not in botocore's service models: boto3 injects them
    # when it creates the class (read from its own session.py and s3/inject.py)
    source = """\
        import boto3

        def backup(paths):
            s3 = boto3.client("s3")

            def one(path):
                s3.upload_file(path, "archive", path)

            for path in paths:
                one(path)
            return s3.get_paginator("list_objects_v2")

        def restore(key, out):
            bucket = boto3.resource("s3").Bucket("archive")
            bucket.download_fileobj(key, out)
            return bucket.name
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON_AWS)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [
        (7, "CANON301"),
        (15, "CANON301"),
    ]


CANON_AWS = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-AWS
    vendor: aws
    hubs: [HUB-A]
    interactions: [WRITE]
    modules: [boto3]
"""


def test_a_sending_method_passed_by_keyword(project):
    source = """\
        import boto3

        def with_retries(fn, **kwargs):
            return fn(**kwargs)

        def tail(group):
            logs = boto3.client("logs")
            events = with_retries(fn=logs.filter_log_events, logGroupName=group)
            pages = with_retries(fn=logs.get_paginator, operation_name="filter_log_events")
            return events, pages, sorted(events, key=len)
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON_AWS)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [(8, "CANON301")]


def test_a_getter_defined_further_down_the_class_declares_what_init_stores(project):
    source = """\
        import stripe

        class Billing:
            def __init__(self, key):
                self.client = self.connect(key)
                self.label = self.describe()

            def refund(self, charge):
                return self.client.refunds.create(params={"charge": charge})

            def shown(self):
                return self.label.upper()

            def connect(self, key) -> stripe.StripeClient:
                return stripe.StripeClient(key)

            def describe(self) -> str:
                return "billing"
        """
    assert found(project, textwrap.dedent(source)) == [(9, "CANON301")]


def test_a_value_typed_by_an_sdk_base_class_is_judged_by_the_classes_derived_from_it(project):
    # `list` and `create` are defined by the resources derived from APIResource, never by it
    source = """\
        import stripe

        class Mirror:
            resource: type[stripe.APIResource]

            @classmethod
            def pull(cls):
                return cls.resource.list()

            def push(self, **fields):
                return self.resource.create(**fields)

            def path(self):
                return self.resource.class_url()
        """
    assert found(project, textwrap.dedent(source)) == [(8, "CANON301"), (11, "CANON301")]


def test_the_model_judges_a_missing_method_by_the_derived_classes_only_when_they_agree():
    from lint_canon.sdks.model import SdkModel

    def method(sends):
        return {"methods": {"fetch": {"sends": sends}}}

    data = {
        "sdk": "kit",
        "version": "1",
        "vendor": "kit",
        "roots": ["kit"],
        "names": {"kit.Base": "kit.Base", "kit.Mixed": "kit.Mixed"},
        "classes": {
            "kit.Base": {"methods": {"close": {"sends": False}}},
            "kit.A": {**method(True), "bases": ["kit.Base"]},
            "kit.B": {**method(True), "bases": ["kit.Base"]},
            "kit.Mixed": {"methods": {"close": {"sends": False}}},
            "kit.C": {**method(True), "bases": ["kit.Mixed"]},
            "kit.D": {**method(False), "bases": ["kit.Mixed"]},
            # an override that only raises has no say
            "kit.E": {"methods": {"fetch": {"sends": False, "raises": True}}, "bases": ["kit.Base"]},
        },
        "functions": {},
    }
    model = SdkModel.from_data(data)
    assert model.judge("kit.Base().fetch").sends is True
    assert model.judge("kit.Mixed().fetch").sends is None  # the derived classes disagree
    assert model.judge("kit.Base().missing").sends is None


def test_a_call_through_a_banned_sdk_to_its_banned_host_is_a_banned_call(project):
    canon = """\
        version: 1
        hubs: [HUB-A]
        banned:
          - reason: "paging moved elsewhere"
            modules: [pdpyras]
            hosts: ["*.pagerduty.com"]
        """
    source = """\
        import pdpyras

        def page(key, summary):
            session = pdpyras.EventsAPISession(key)
            return session.trigger(summary, "db-1")
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    findings = run_check(root, select=("CANON",))
    # the import is CANON101; making the session sends nothing; the trigger reaches the host
    assert [(f.line, f.code) for f in findings] == [(1, "CANON101"), (5, "CANON202")]
    assert "events.pagerduty.com" in findings[1].message


def write_sdk(tmp_path, name: str, source: str | dict[str, str]):
    """A package ``name`` of one ``__init__.py`` (or of these files), scanned: (model, hosts)."""
    sdk = tmp_path / name
    sdk.mkdir()
    files = source if isinstance(source, dict) else {"__init__.py": source}
    for file, text in files.items():
        (sdk / file).write_text(textwrap.dedent(text))
    scanner = Scanner(tmp_path, [name])
    return generate.prune(scanner.model()), scanner.hosts()


def test_a_send_only_under_an_optional_argument_is_not_decided(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "signkit",
        """\
        import requests


        class Signer:
            def sign(self, payload, token=None):
                if token:
                    return requests.post("https://sign.example.org", data=payload).text
                return payload[::-1]

            def lookup(self, title=None, number=None):
                if title is not None:
                    return requests.get("https://api.example.org/t", params={"t": title}).json()
                elif number is not None:
                    return requests.get("https://api.example.org/n", params={"n": number}).json()
                else:
                    raise ValueError("title or number")

            def publish(self, payload, token=None):
                if token:
                    payload = token + payload
                return requests.post("https://api.example.org/p", data=payload)

            def signed_link(self, path, token=None):
                return "https://cdn.example.org" + path + "?sig=" + self.sign(path, token)
        """,
    )
    methods = model["classes"]["signkit.Signer"]["methods"]
    # signs locally unless a token is given: whether a call sends depends on its arguments
    assert methods["sign"] == {"sends": None}
    assert methods["signed_link"] == {"sends": None}
    # one of the branches is always taken (the chain ends in `raise`): sends
    assert methods["lookup"] == {"sends": True}
    # a request made whatever the optional argument: sends
    assert methods["publish"] == {"sends": True}


def test_the_scanner_reads_a_client_class_url_as_its_default_host(tmp_path):
    _, hosts = write_sdk(
        tmp_path,
        "pagekit",
        """\
        import requests


        class Session(requests.Session):
            url = "https://api.pagekit.io"
            docs = "https://docs.pagekit.io/guide"

            def get_all(self, path):
                return self.get(self.url + path)
        """,
    )
    assert hosts == ["api.pagekit.io"]


def test_a_client_handed_to_a_class_of_the_file_is_what_its_init_receives(project):
    source = """\
        import stripe

        class Shop:
            def __init__(self, key):
                self.client = stripe.StripeClient(key)
                self.refunds = Refunds(self.client)
                self.log = Log("refunds")
                self.other = Log(self.client)

        class Refunds:
            def __init__(self, client, reason="requested_by_customer"):
                self.client = client
                self.reason = reason

            def issue(self, charge):
                return self.client.refunds.create(params={"charge": charge, "reason": self.reason})

        class Log:
            def __init__(self, sink):
                self.sink = sink

            def write(self, line):
                return self.sink.write(line)
        """
    # Log is made with a client once and a string once: what `sink` is, is not known
    assert found(project, textwrap.dedent(source)) == [(16, "CANON301")]


def test_a_class_imported_over_its_own_submodule_is_the_public_name(tmp_path):
    # `from .Hub import Hub` in the package: `hubkit.Hub` is the class, no longer the module
    model, _ = write_sdk(
        tmp_path,
        "hubkit",
        {
            "__init__.py": "from .Hub import Hub\n",
            "Hub.py": """\
            import requests


            class Hub:
                def installations(self):
                    return requests.get("https://api.hubkit.io/installations").json()
            """,
        },
    )
    assert model["names"]["hubkit.Hub"] == "hubkit.Hub.Hub"
    assert model["classes"]["hubkit.Hub.Hub"]["methods"] == {"installations": {"sends": True}}


def test_a_client_made_by_a_method_of_an_object_of_a_class_of_the_file(project):
    source = """\
        import boto3

        class Settings:
            def __init__(self, region):
                self.region = region

            def make_client(self):
                return boto3.client("s3", region_name=self.region)

            def label(self):
                return f"s3 in {self.region}"

        class Archive:
            def __init__(self, region):
                self.settings = Settings(region)
                self.client = self.settings.make_client()
                self.name = self.settings.label()

            def put(self, key, body):
                return self.client.put_object(Bucket="b", Key=key, Body=body)

            def shout(self):
                return self.name.upper()

        def buckets(region):
            settings = Settings(region)
            return settings.make_client().list_buckets()
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON_AWS)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [
        (20, "CANON301"),
        (27, "CANON301"),
    ]


def test_an_attribute_given_a_client_of_either_of_two_kinds(project):
    # `self.client` is OpenAI().images in one branch, openai.Image (the 0.x SDK) in the other:
    # each call is judged by the client that has the method
    canon = CANON.replace("stripe", "openai")
    source = """\
        import openai

        class Drawer:
            def setup(self, v1):
                if v1:
                    self.client = openai.OpenAI().images
                else:
                    self.client = openai.Image

            def draw(self, v1, prompt):
                if v1:
                    return self.client.generate(prompt=prompt)
                return self.client.create(prompt=prompt)

            def name(self):
                return self.client.__name__.lower()
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [
        (12, "CANON301"),
        (13, "CANON301"),
    ]


def test_the_scanner_follows_a_strategy_object_the_sdks_own_objects_hand_out(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "paykit",
        """\
        import requests


        class Http:
            def __init__(self, config):
                self.config = config

            def dispatch(self, path, body):
                strategy = self.config.http_strategy()
                return strategy.http_do("POST", path, body)

            def http_do(self, verb, path, body):
                with requests.Session() as session:
                    return session.request(verb, "https://api.paykit.io" + path, data=body).text


        class Config:
            def __init__(self, settings):
                self.settings = settings

            def http(self):
                return Http(self.settings)

            def http_strategy(self):
                return self._strategy


        class Charges:
            def __init__(self, gateway):
                self.config = gateway.config

            def sale(self, params):
                return self.config.http().dispatch("/charges", params)

            def describe(self, params):
                return sorted(params)
        """,
    )
    # `self.config.http().dispatch(...)`, `strategy = self.config.http_strategy()` then
    # `strategy.http_do(...)`: methods of the SDK's own objects, of types not written
    assert model["classes"]["paykit.Charges"]["methods"] == {"describe": {"sends": False}, "sale": {"sends": True}}


def test_an_annotation_naming_an_sdks_client_factory(project):
    source = """\
        import boto3

        def exists(client: boto3.client, key):
            return client.head_object(Bucket="b", Key=key)

        def prepare(maker: boto3.session.Session, key):
            return maker.client("s3").get_paginator("list_objects_v2")
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON_AWS)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [(4, "CANON301")]


def test_a_getter_returning_an_attribute_of_a_client_it_made_in_a_local(project):
    source = """\
        import stripe

        class Account:
            @classmethod
            def _accounts(cls, key):
                \"\"\"The accounts service.\"\"\"
                client = stripe.StripeClient(key)
                return client.v2.core.accounts

            @classmethod
            def _label(cls, key):
                text = key[:7]
                return text.upper()

            def fetch(self, key):
                return self._accounts(key).retrieve("acct_1")

            def shown(self, key):
                return self._label(key).strip()
        """
    assert found(project, textwrap.dedent(source)) == [(16, "CANON301")]


def test_an_sdk_class_held_by_a_class_of_the_file_read_through_its_name(project):
    source = """\
        import stripe

        class Base:
            api_class: type[stripe.APIResource] = stripe.APIResource
            label = "base"

            def save(self, **fields):
                return self.api_class.modify("id_1", **fields)

        class Bill(Base):
            api_class = stripe.Invoice

        def fetch(bill_id):
            return Bill.api_class.retrieve(bill_id), Base.label.upper()
        """
    # modify: every resource that defines it sends, but for the overrides that only raise
    # (a Card cannot be modified without its owner): those have no say
    assert found(project, textwrap.dedent(source)) == [(8, "CANON301"), (14, "CANON301")]


def test_a_sending_method_of_a_client_declared_with_quoted_stubs_passed_by_keyword(project):
    source = """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from mypy_boto3_logs import CloudWatchLogsClient

        def retry(fn, kwargs):
            return fn(**kwargs)

        def tail(client: "CloudWatchLogsClient", **params):
            return retry(fn=client.get_log_events, kwargs=params)

        def pages(client: "CloudWatchLogsClient"):
            return retry(fn=client.get_paginator, kwargs={"operation_name": "filter_log_events"})
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON_AWS)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [(10, "CANON301")]


def test_a_call_on_what_a_chain_of_sdk_calls_made(project):
    source = """\
        import boto3

        def rows(bucket, key):
            s3 = boto3.resource("s3")
            body = s3.Bucket(bucket).Object(key).get()["Body"].read()
            return body.decode("utf-8").splitlines(), s3.Bucket(bucket).Object(key).key.upper()
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON_AWS)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON3",)))] == [(5, "CANON301")]


def test_a_host_passed_by_position_to_a_parameter_named_like_one(tmp_path):
    _, hosts = write_sdk(
        tmp_path,
        "gatekit",
        """\
        class Environment:
            def __init__(self, name, server, port, docs=""):
                self.server = server

        Environment.Live = Environment("live", "api.gatekit.io", "443", "guide.gatekit.io")
        Environment.Local = Environment("local", "localhost", "3000")
        """,
    )
    # `server` names a host (written without its scheme); `docs` does not
    assert hosts == ["api.gatekit.io"]


def test_a_braintree_sale_under_a_ban_of_its_hosts(project):
    canon = """\
        version: 1
        hubs: [HUB-A]
        banned:
          - reason: "take payments through the approved processor"
            modules: [braintree]
            hosts: ["*.braintreegateway.com"]
        """
    source = """\
        import braintree

        def charge(amount, nonce):
            braintree.Configuration.configure(braintree.Environment.Production, "m", "pub", "priv")
            return braintree.Transaction.sale({"amount": amount, "payment_method_nonce": nonce})
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    assert [(f.line, f.code) for f in run_check(root, select=("CANON",))] == [(1, "CANON101"), (5, "CANON202")]


def test_a_url_from_a_helper_of_several_statements_with_one_return(project):
    source = """\
        import requests

        class Search:
            def _prepare(self, term):
                \"\"\"The request.\"\"\"
                if not term:
                    raise ValueError("a term")
                headers = {"Accept": "application/json"}
                url = f"https://api.findit.io/v3/search/{term}"
                return {"url": url, "headers": headers}

            def _pick(self, term):
                if term.startswith("#"):
                    return {"url": "https://api.findit.io/tags"}
                return {"url": term}

            def run(self, term):
                details = self._prepare(term)
                return requests.get(details["url"], headers=details["headers"])

            def run_any(self, term):
                details = self._pick(term)
                return requests.get(details["url"])
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON)
    # one return among several statements: read with the helper's own locals; a helper with
    # two returns (one of them a parameter) is not read
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))] == [(19, "CANON201")]


def test_a_url_unpacked_from_a_tuple_or_from_what_a_nested_helper_returns(project):
    source = """\
        import requests

        def search(term):
            def build():
                params = {"q": term}
                url = "https://api.findit.io/search"
                return url, params

            url, params = build()
            return requests.get(url, params=params)

        def ping():
            url, timeout = "https://api.findit.io/ping", 5
            return requests.get(url, timeout=timeout)

        def local(term):
            timeout, url = 5, term
            return requests.get(url, timeout=timeout)
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))] == [
        (10, "CANON201"),
        (14, "CANON201"),
    ]


def test_a_guard_on_a_parameter_given_a_value_in_the_body_is_no_guard(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "tokenkit",
        """\
        import os

        import requests


        class Client:
            def rebound(self, path, token=None):
                token = token or os.environ["TOKEN"]
                if token:
                    return requests.get("https://api.tokenkit.io" + path)

            def maybe(self, path, token=None):
                if token:
                    return self.relay(path)
                return None

            def relay(self, path):
                return self.other.whatever(path)
        """,
    )
    methods = model["classes"]["tokenkit.Client"]["methods"]
    assert methods["rebound"] == {"sends": True}  # the branch is always taken
    assert methods["maybe"] == {"sends": None}  # a guarded call of a method not decided


def test_clients_handed_to_classes_of_the_same_name_in_other_places(project):
    source = """\
        import stripe

        client = stripe.StripeClient("sk")

        def start():
            return Handler(client)

        class Handler:
            def __init__(self, client):
                self.client = client

            def run(self):
                return self.client.customers.list()

        class Legacy:
            class Handler:
                def __init__(self, session):
                    self.session = session

                def run(self):
                    return self.session.customers.list()

        def local():
            class Handler:
                def __init__(self, session):
                    self.session = session

                def run(self):
                    return self.session.customers.list()

            return Handler
        """
    assert found(project, textwrap.dedent(source)) == [(13, "CANON301")]


def test_a_nested_helper_reads_the_enclosing_functions_names(project):
    source = """\
        import requests

        base = "https://api.findit.io/v2"

        def fetch(base, path):
            def url():
                return base + path

            return requests.get(url())

        def fixed(path):
            def url():
                return base + path

            return requests.get(url())
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON)
    # in `fetch`, `base` is its parameter (not known); in `fixed`, the module's constant
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))] == [(15, "CANON201")]


def test_a_helpers_name_assigned_in_a_branch_is_its_own(project):
    source = """\
        import requests

        base = "https://api.findit.io/v2"

        class Api:
            def _url(self, path, local):
                if local:
                    base = "http://localhost:8080"
                else:
                    base = self.mirror
                return base + path

            def get(self, path, local):
                return requests.get(self._url(path, local))
        """
    root = project({"a.py": textwrap.dedent(source)}, canon=CANON)
    assert [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))] == []


def test_a_client_handed_to_a_class_defined_above_the_call(project):
    source = """\
        import stripe

        class Refunds:
            def __init__(self, client):
                self.client = client

            def issue(self, charge):
                return self.client.refunds.create(params={"charge": charge})

        class Notes:
            def __init__(self, sink):
                self.sink = sink

            def write(self, line):
                return self.sink.write(line)

        class Mixed:
            def __init__(self, target):
                self.target = target

            def send(self):
                return self.target.customers.list()

        class Shop:
            def __init__(self, key):
                self.client = stripe.StripeClient(key)
                self.refunds = Refunds(self.client)
                self.notes = Notes(open("notes.txt", "a"))
                self.mixed = Mixed(self.client)

        def inline(key):
            return Refunds(stripe.StripeClient(key))

        def elsewhere(path):
            return Mixed(path)
        """
    # Refunds is made with a client twice, both below it; Mixed with a client and a path
    assert found(project, textwrap.dedent(source)) == [(8, "CANON301")]


def test_a_client_made_with_a_base_url_handed_to_a_class_is_not_the_sdks_vendor(project):
    source = """\
        from openai import OpenAI

        class Speech:
            def __init__(self, client):
                self.client = client

            def say(self, text):
                return self.client.audio.speech.create(input=text)

        class Chat:
            def __init__(self, client):
                self.client = client

            def ask(self, text):
                return self.client.chat.completions.create(messages=[text])

        def local_model():
            return Speech(OpenAI(base_url="http://localhost:8000/v1"))

        def hosted(key):
            client = OpenAI(api_key=key)
            return Chat(client)
        """
    assert found(project, textwrap.dedent(source)) == [(15, "CANON201")]


def test_the_scanner_reads_a_host_handed_to_the_base_classs_init(tmp_path):
    _, hosts = write_sdk(
        tmp_path,
        "phonekit",
        """\
        import requests


        class Domain:
            def __init__(self, client, base_url):
                self.client = client
                self.base_url = base_url

            def request(self, path):
                return requests.get(self.base_url + path)


        class Messaging(Domain):
            def __init__(self, client):
                super().__init__(client, "https://messaging.phonekit.io")


        class Verify(Domain):
            def __init__(self, client, *args):
                super().__init__(client, *args, "https://docs.phonekit.io")


        class Regional:
            def __init__(self, region):
                self.base_url = f"https://api.{region}.phonekit.io"
                self.edge = f"https://edge-{region}."
        """,
    )
    # after *args the position is not known; a host cut by a placeholder is no host
    assert hosts == ["messaging.phonekit.io"]


def test_what_an_sdk_function_returns_is_judged_by_the_model(project):
    source = """\
        import stripe

        def settle(amount, payload, signature):
            intent = stripe.PaymentIntent.create(amount=amount, currency="eur")
            summary = intent.to_dict()
            intent.confirm()
            event = stripe.Webhook.construct_event(payload, signature, "whsec")
            kind = event.to_dict()["type"]
            return summary, kind, intent.status
        """
    # create and confirm send; to_dict is local, and so is constructing the webhook's event
    assert found(project, textwrap.dedent(source)) == [(4, "CANON301"), (6, "CANON301")]


def test_clients_declared_in_the_ways_typed_python_declares_them(project):
    source = """\
        from dataclasses import dataclass, field
        from typing import Annotated, ClassVar, Sequence

        import stripe


        def annotated(client: Annotated[stripe.StripeClient, "injected"], label: Annotated[str, "x"]):
            return client.customers.list(), label.upper()


        def each(clients: Sequence[stripe.StripeClient], names: list[str]):
            for client in clients:
                client.customers.list()
            for name in names:
                name.upper()


        def walrus(key):
            if (client := stripe.StripeClient(key)) is not None:
                return client.customers.list()


        @dataclass
        class Billing:
            client: stripe.StripeClient = field(default_factory=lambda: stripe.StripeClient("sk"))
            shared: ClassVar[stripe.StripeClient]
            note: str = field(default="")

            def run(self):
                return self.client.customers.list(), self.shared.customers.list(), self.note.upper()


        class Lazy:
            def __init__(self):
                self._client: stripe.StripeClient | None = None

            @property
            def client(self):
                if self._client is None:
                    self._client = stripe.StripeClient("sk")
                return self._client

            def run(self):
                return self.client.customers.list()
        """
    assert found(project, textwrap.dedent(source)) == [
        (8, "CANON301"),
        (13, "CANON301"),
        (20, "CANON301"),
        (30, "CANON301"),
        (30, "CANON301"),
        (44, "CANON301"),
    ]


def test_the_scanner_types_a_parameter_by_what_the_sdks_own_constructions_pass(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "warehouse",
        """\
        import requests


        class Client:
            def query(self, sql):
                return requests.post("https://api.warehouse.io/query", json={"q": sql}).json()


        class Connection:
            def __init__(self, client=None):
                if client is None:
                    client = Client()
                self._client = client

            def cursor(self):
                return Cursor(self)


        class Cursor:
            def __init__(self, connection):
                self.connection = connection
                self.rows = []

            def execute(self, sql):
                self.rows = self.connection._client.query(sql)

            def fetchone(self):
                return self.rows.pop(0)


        class Gateway:
            def __init__(self, root):
                self.config = root.config

            def run(self, sql):
                return self.config.client().query(sql)


        class Config:
            def client(self):
                return Client()


        class Root:
            def __init__(self):
                self.config = Config()
                self.gateway = Gateway(self)


        class Cache:  # the same method names, local: a name alone cannot tell
            def query(self, sql):
                return sql.strip()

            def client(self):
                return self
        """,
    )
    classes = model["classes"]
    assert classes["warehouse.Cursor"]["methods"] == {"execute": {"sends": True}, "fetchone": {"sends": False}}
    assert classes["warehouse.Gateway"]["methods"]["run"] == {"sends": True}
    # the types behind those verdicts, which a user's code is followed through too
    # (`conn.cursor().connection.cursor()`)
    assert classes["warehouse.Cursor"]["attributes"] == {"connection": "warehouse.Connection"}
    assert classes["warehouse.Gateway"]["attributes"] == {"config": "warehouse.Config"}


def test_an_item_of_a_tuple_a_helper_declares_it_returns(project):
    source = """\
        import asyncio
        from typing import Tuple

        import stripe


        class Payments:
            def _client(self, key) -> Tuple[bool, "stripe.StripeClient"]:
                return True, stripe.StripeClient(key)

            def _label(self, key) -> tuple[stripe.StripeClient, str]:
                return stripe.StripeClient(key), "label"

            async def run(self, key):
                fresh, client = self._client(key)
                await asyncio.to_thread(client.customers.list)
                other, label = self._label(key)
                return fresh, other.customers.list(), label.upper()
        """
    assert found(project, textwrap.dedent(source)) == [(16, "CANON301"), (18, "CANON301")]


def test_items_of_what_a_helper_declares_it_returns(project):
    source = """\
        from typing import List

        import stripe


        class Accounts:
            def __init__(self, key):
                self.key = key

            def clients(self) -> List["stripe.StripeClient"]:
                return [stripe.StripeClient(self.key)]

            async def aclients(self) -> list[stripe.StripeClient]:
                return self.clients()

            def names(self) -> List[str]:
                return ["a"]

            async def sync(self):
                for client in self.clients():
                    client.customers.list()
                for client in await self.aclients():
                    client.customers.list()
                for name in self.names():
                    name.upper()
                kept = await self.aclients()
                for client in kept:
                    client.customers.list()
        """
    assert found(project, textwrap.dedent(source)) == [(21, "CANON301"), (23, "CANON301"), (28, "CANON301")]


def test_one_finding_for_a_chain_of_calls_that_send(project):
    source = """\
        from google.cloud import storage


        def upload(data):
            client = storage.Client()
            client.get_bucket("b").blob("k").upload_from_string(data)
            handle = client.get_bucket("b").blob("k")
            return handle
        """
    root = project(
        {"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\nvendor_modules: [google.cloud]\n"
    )
    found = [(line, column, code) for _, line, column, code in brief(run_check(root, select=("CANON2",)))]
    # the outermost call that sends: the upload (which fetched the bucket first); the handle's bucket
    assert found == [(6, 5, "CANON201"), (7, 14, "CANON201")]


def test_on_an_sdk_without_a_model_a_call_on_a_class_is_not_judged(project):
    source = """\
        import blobkit


        def store(conn, url, data):
            service = blobkit.BlobServiceClient.from_connection_string(conn)
            permissions = blobkit.models.Permissions.from_string("r")
            link = blobkit.BlobClient.from_blob_url(url).url
            client = blobkit.BlobServiceClient(conn)
            client.upload_blob("name", data)
            blobkit.upload(conn, data)
            return service, permissions, link
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\nvendor_modules: [blobkit]\n")
    found = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    # a method of a client made here, and a function of the SDK: read as calls to the vendor
    assert found == [(9, "CANON201"), (10, "CANON201")]


def test_the_scanner_reads_what_iterating_a_result_gives(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "shopkit",
        """\
        from typing import Generic, Iterator, List, TypeVar

        import requests

        T = TypeVar("T")


        class Page(Generic[T]):
            def __init__(self, url):
                self.url = url

            def __iter__(self) -> Iterator[T]:
                yield from requests.get(self.url).json()


        class Order:
            def cancel(self):
                return requests.post("https://api.shopkit.io/cancel")


        class Client:
            def orders(self) -> Page[Order]:
                return Page("https://api.shopkit.io/orders")

            def recent(self) -> List["Order"]:
                return []

            def totals(self) -> dict[str, Order]:
                return {}
        """,
    )
    methods = model["classes"]["shopkit.Client"]["methods"]
    assert methods["orders"] == {"sends": True, "returns": "shopkit.Page", "items": "shopkit.Order"}
    assert methods["recent"] == {"sends": False, "items": "shopkit.Order"}
    assert "items" not in methods["totals"]


def test_an_item_of_what_an_sdk_call_returns_is_judged_by_the_model(project):
    source = """\
        from github import Github


        def sweep(token):
            gh = Github(token)
            for repo in gh.get_user().get_repos():
                repo.edit(description="archived")
                repo.full_name.upper()
            repos = gh.get_user().get_repos()
            for repo in repos:
                for issue in repo.get_issues(state="open"):
                    issue.create_comment("closing")
                    issue.title.strip()
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    found = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    # listing sends, and so do an item's edit and comment; an item's fields are data
    assert found == [(6, "CANON201"), (7, "CANON201"), (9, "CANON201"), (11, "CANON201"), (12, "CANON201")]


def test_serpapi_and_mailchimp_marketing_calls_are_judged_by_their_models(project):
    source = """\
        import mailchimp_marketing as MailchimpMarketing
        from serpapi import GoogleSearch


        def search(query, key):
            engine = GoogleSearch({"q": query, "api_key": key})
            url = engine.construct_url()
            return url, engine.get_dict()


        def subscribe(key, list_id, email):
            client = MailchimpMarketing.Client()
            client.set_config({"api_key": key, "server": "us1"})
            return client.lists.add_list_member(list_id, {"email_address": email})
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    found = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    # before their models, every call on a client of theirs was a vendor call (construct_url,
    # set_config): now only the calls that send
    assert found == [(8, "CANON201"), (14, "CANON201")]


def test_enrichment_and_verification_sdks_are_judged_by_their_models(project):
    source = """\
        import emailable
        import neverbounce_sdk
        from cerebras.cloud.sdk import Cerebras
        from deepgram import DeepgramClient
        from peopledatalabs import PDLPY


        def check(key, email, url):
            verifier = emailable.Client(key)
            bounce = neverbounce_sdk.client(api_key=key)
            people = PDLPY(api_key=key)
            llm = Cerebras(api_key=key)
            llm.close()
            speech = DeepgramClient(api_key=key)
            return (
                verifier.verify(email),
                bounce.single_check(email),
                people.person.enrichment(email=email),
                llm.chat.completions.create(model="m", messages=[]),
                speech.listen.v1.media.transcribe_url(url=url),
            )
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    found = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert found == [(16, "CANON201"), (17, "CANON201"), (18, "CANON201"), (19, "CANON201"), (20, "CANON201")]


def test_the_scanner_knows_httpx2_as_a_transport(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "crawlkit",
        """\
        import httpx2


        class Client:
            def __init__(self):
                self.http = httpx2.Client(base_url="https://api.crawlkit.io")

            def run(self, actor):
                return self.http.post(f"/actors/{actor}/runs").json()

            def fetch(self, url):
                return httpx2.get(url).text

            def label(self, actor):
                return f"actor {actor}"
        """,
    )
    assert model["classes"]["crawlkit.Client"]["methods"] == {
        "fetch": {"sends": True},
        "label": {"sends": False},
        "run": {"sends": True},
    }


def test_apify_calls_are_judged_by_its_model(project):
    source = """\
        from apify_client import ApifyClient


        def scrape(token, url):
            client = ApifyClient(token)
            actor = client.actor("apify/website-content-crawler")
            run = actor.call(run_input={"startUrls": [{"url": url}]})
            return run
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    found = [(line, code) for _, line, _, code in brief(run_check(root, select=("CANON2",)))]
    assert found == [(7, "CANON201")]  # actor(...) makes a local handle; call() runs the actor


def test_an_index_written_in_another_base_is_no_internal_error(project):
    source = """\
        import requests


        def make():
            return requests.Session(), 2


        client = make()[0x0]
        client.get("https://api.vendor.io")
        """
    root = project({"a.py": textwrap.dedent(source)}, canon="version: 1\nhubs: [HUB-A]\n")
    # `[0x0]` is no tuple item the file declares: the name's type is not known, and nothing fails
    assert brief(run_check(root)) == []


def test_a_mixins_call_on_self_is_the_method_its_subclasses_find_in_their_bases(tmp_path):
    # `class Client(Transport, Routes)`: the routes mixin calls `self.request`, a stub in the
    # mixin, that the client's other base implements; a route sends through it
    model, _ = write_sdk(
        tmp_path,
        "boxkit",
        """\
        import requests


        class Routes:
            def request(self, route, arg):
                pass

            def files_upload(self, data, path):
                return self.request("files/upload", {"path": path, "data": data})

            def route_name(self, route):
                return route.upper()


        class Transport:
            def request(self, route, arg):
                return requests.post("https://api.boxkit.io/2/" + route, json=arg).json()


        class Client(Transport, Routes):
            pass
        """,
    )
    assert model["classes"]["boxkit.Routes"]["methods"] == {
        "files_upload": {"sends": True},
        "request": {"sends": True},
        "route_name": {"sends": False},
    }


def test_the_scanner_reads_a_host_joined_from_constants_behind_an_environment_default(tmp_path):
    _, hosts = write_sdk(
        tmp_path,
        "filekit",
        """\
        import os

        DOMAIN = os.environ.get("FILEKIT_DOMAIN", ".filekit.io")
        API_HOST = os.environ.get("FILEKIT_API_HOST", "api" + DOMAIN)
        API_CONTENT_HOST = os.getenv("FILEKIT_CONTENT_HOST", default="content" + DOMAIN)
        PROXY_HOST = os.environ.get("FILEKIT_PROXY")
        WEB_HOST = f"www{DOMAIN}"
        """,
    )
    # an environment read with no default and the start of an f-string say nothing of the host
    assert hosts == ["api.filekit.io", "content.filekit.io"]


def test_a_class_method_declared_to_return_self_gives_an_instance_of_its_class(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "blobkit",
        """\
        import requests
        from typing_extensions import Self


        class Container:
            def upload(self, name, data):
                return requests.put("https://blobkit.io/" + name, data=data)


        class Service:
            @classmethod
            def from_connection_string(cls, text) -> Self:
                return make(text)

            def container(self, name) -> Container:
                return Container()
        """,
    )
    methods = model["classes"]["blobkit.Service"]["methods"]
    assert methods["from_connection_string"] == {"returns": "blobkit.Service", "sends": False}


def test_cloud_storage_and_payment_sdks_are_judged_by_their_models(project):
    source = """\
        import dropbox
        import paypalrestsdk
        from azure.storage.blob import BlobServiceClient
        from paypalcheckoutsdk.core import PayPalHttpClient
        from paypalcheckoutsdk.orders import OrdersCreateRequest


        def store(token, text, name, data, env, order_id):
            box = dropbox.Dropbox(token)
            box.files_upload(data, "/" + name)
            service = BlobServiceClient.from_connection_string(text)
            container = service.get_container_client("files")
            blob = container.get_blob_client(name)
            blob.upload_blob(data)
            payment = paypalrestsdk.Payment({"intent": "sale"})
            payment.create()
            paypalrestsdk.Payment.find(order_id)
            request = OrdersCreateRequest()
            request.prefer("return=representation")
            PayPalHttpClient(env).execute(request)
        """
    canon = textwrap.dedent(
        """\
        version: 1
        hubs: [HUB-A]
        vendor_modules: [azure]
        banned:
          - reason: "files live in our buckets"
            modules: [dropbox]
            hosts: ["*.dropboxapi.com"]
        """
    )
    # handles, builders and the payment object made locally send nothing
    assert found(project, source, canon, select=("CANON2",)) == [
        (10, "CANON202"),
        (14, "CANON201"),
        (16, "CANON201"),
        (17, "CANON201"),
        (20, "CANON201"),
    ]


def test_the_scanner_types_a_base_classs_parameter_by_what_its_subclasses_constructions_pass(tmp_path):
    # `Payment(options, self.http)` makes a resource whose __init__ is its base's; the base's
    # `self.__http` is then what the SDK passes: its HttpClient (checked by isinstance where the
    # property's setter stores it)
    model, _ = write_sdk(
        tmp_path,
        "paykit",
        """\
        import requests


        class HttpClient:
            def get(self, url):
                return requests.get(url).json()


        class Base:
            def __init__(self, options, http_client):
                self.__options = options
                self.__http_client = http_client

            def _get(self, uri):
                return self.__http_client.get("https://api.paykit.io" + uri)


        class Payment(Base):
            def fetch(self, payment_id):
                return self._get("/v1/payments/" + payment_id)


        class SDK:
            def __init__(self, token, http_client=None):
                self.http_client = http_client
                if http_client is None:
                    self.http_client = HttpClient()

            @property
            def http_client(self):
                return self.__http_client

            @http_client.setter
            def http_client(self, value):
                if value is not None and not isinstance(value, HttpClient):
                    raise ValueError("an HttpClient, please")
                self.__http_client = value

            def payment(self):
                return Payment({}, self.http_client)
        """,
    )
    assert model["classes"]["paykit.Payment"]["methods"]["fetch"] == {"sends": True}
    assert model["classes"]["paykit.SDK"]["methods"]["payment"] == {"returns": "paykit.Payment", "sends": False}


def test_a_union_with_a_transport_is_read_as_the_transport(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "pushkit",
        """\
        from types import ModuleType

        import requests


        class Pusher:
            sender: ModuleType | requests.Session

            def __init__(self, session=None):
                self.sender = requests if session is None else session

            def send(self, endpoint, data):
                return self.sender.post(endpoint, data=data)
        """,
    )
    assert model["classes"]["pushkit.Pusher"]["methods"] == {"send": {"sends": True}}


def test_the_scanner_knows_hyper_as_a_transport(tmp_path):
    model, hosts = write_sdk(
        tmp_path,
        "apnkit",
        """\
        from hyper import HTTP20Connection


        class Client:
            def __init__(self, use_sandbox=False):
                server = "api.sandbox.apnkit.io" if use_sandbox else "api.apnkit.io"
                self._connection = HTTP20Connection(server, 443)

            def send_notification(self, token, payload):
                stream = self._connection.request("POST", "/3/device/" + token, payload)
                return self._connection.get_response(stream)
        """,
    )
    assert model["classes"]["apnkit.Client"]["methods"] == {"send_notification": {"sends": True}}
    assert hosts == ["api.apnkit.io", "api.sandbox.apnkit.io"]


def test_push_and_payment_sdks_are_judged_by_their_models(project):
    source = """\
        import mercadopago
        from apns2.client import APNsClient
        from apns2.payload import Payload
        from firebase_admin import messaging
        from pagerduty import EventsApiV2Client
        from pywebpush import webpush


        def notify(token, device, subscription, key, routing_key):
            sdk = mercadopago.SDK(token)
            preferences = sdk.preference()
            preferences.create({"items": []})
            message = messaging.Message(token=device, data={"a": "b"})
            messaging.send(message)
            webpush(subscription, "hello", vapid_private_key=key)
            client = APNsClient("cert.pem")
            client.send_notification(device, Payload(alert="hi"), "app")
            EventsApiV2Client(routing_key).send_event("trigger", "down")
        """
    canon = textwrap.dedent(
        """\
        version: 1
        hubs: [HUB-A]
        vendor_modules: [mercadopago, firebase_admin, pywebpush, apns2]
        banned:
          - reason: "incidents go through our own pager"
            modules: [pagerduty]
            hosts: ["*.pagerduty.com"]
        """
    )
    # the SDK's handle, the message and the payload are made locally
    assert found(project, source, canon, select=("CANON2",)) == [
        (12, "CANON201"),
        (14, "CANON201"),
        (15, "CANON201"),
        (17, "CANON201"),
        (18, "CANON202"),
    ]


def test_a_call_through_a_table_of_wrapped_methods_calls_the_method_its_key_names(tmp_path):
    # the generated clients' pattern: the client keeps its transport (given its type by
    # typing.cast) and calls what a table holds for one of the transport's properties
    model, _ = write_sdk(
        tmp_path,
        "vaultkit",
        """\
        from typing import Callable, Dict, cast

        import requests


        class Transport:
            def __init__(self):
                self._wrapped_methods: Dict[Callable, Callable] = {
                    self.get_secret: retrying(self.get_secret),
                }

            @property
            def get_secret(self):
                raise NotImplementedError()


        class RestTransport(Transport):
            @property
            def get_secret(self):
                return self._GetSecret()

            class _GetSecret:
                def __call__(self, request):
                    return requests.get("https://vaultkit.io/v1/" + request).json()


        class VaultClient:
            def __init__(self, transport=None):
                self._transport = cast(Transport, transport or RestTransport())

            def get_secret(self, name):
                rpc = self._transport._wrapped_methods[self._transport.get_secret]
                return rpc(name)

            @staticmethod
            def secret_path(project, secret):
                return f"projects/{project}/secrets/{secret}"
        """,
    )
    assert model["classes"]["vaultkit.VaultClient"]["methods"] == {
        "get_secret": {"sends": True},
        "secret_path": {"sends": False},
    }


def test_google_clouds_generated_clients_are_judged_by_their_models(project):
    source = """\
        from google.cloud import secretmanager, tasks_v2


        def read(project, secret, queue):
            client = secretmanager.SecretManagerServiceClient()
            name = client.secret_version_path(project, secret, "latest")
            payload = client.access_secret_version(name=name).payload.data.decode()
            tasks = tasks_v2.CloudTasksClient()
            parent = tasks.queue_path(project, "europe-west1", queue)
            tasks.create_task(parent=parent, task={"http_request": {"url": payload}})
        """
    canon = "version: 1\nhubs: [HUB-A]\nvendor_modules: [google.cloud]\n"
    # the resource paths are built locally; the response's payload is data
    assert found(project, source, canon, select=("CANON2",)) == [(7, "CANON201"), (10, "CANON201")]


def test_iterating_an_sdk_object_that_fetches_pages_sends(tmp_path):
    # a DB-API cursor over a result that fetches its pages as it is iterated: fetchone sends,
    # through iter(...) as through a for loop; the rows' own methods do not
    model, _ = write_sdk(
        tmp_path,
        "rowkit",
        """\
        import requests


        class Rows:
            def __init__(self, url):
                self.url = url

            def __iter__(self):
                for page in requests.get(self.url).json()["pages"]:
                    yield from page


        class Client:
            def query(self, sql) -> Rows:
                return Rows("https://rowkit.io/q?sql=" + sql)


        class Cursor:
            def __init__(self, client: Client):
                self._client = client
                self._rows = None
                self._data = None

            def execute(self, sql):
                rows = self._client.query(sql)
                self._rows = rows

            def fetchone(self):
                if self._data is None:
                    self._data = iter(self._rows)
                return next(self._data, None)

            def count(self):
                total = 0
                for _ in self._rows:
                    total += 1
                return total

            def description(self):
                return self._rows.url
        """,
    )
    assert model["classes"]["rowkit.Cursor"]["methods"] == {
        "count": {"sends": True},
        "description": {"sends": False},
        "execute": {"sends": False},
        "fetchone": {"sends": True},
    }


def test_a_call_into_a_base_class_of_another_package_is_not_known_unless_it_holds_data(tmp_path):
    # `super().__iter__()` into another package's paging iterator: what it does is that
    # package's; a pydantic model's own methods are local
    model, _ = write_sdk(
        tmp_path,
        "pagekit2",
        """\
        from pagination_lib import HTTPIterator
        from pydantic import BaseModel


        class Page(HTTPIterator):
            def __iter__(self):
                return super().__iter__()


        class Item(BaseModel):
            name: str

            def as_text(self):
                return super().model_dump_json()


        class Client:
            def items(self) -> Page:
                return Page()

            def item(self, data) -> Item:
                return Item(**data)
        """,
    )
    assert model["classes"]["pagekit2.Page"]["methods"] == {"__iter__": {"sends": None}}
    assert "pagekit2.Item" not in model["classes"]  # response data: left out of the model


def test_a_client_a_property_makes_on_first_use_through_a_helper_of_two_ways(project):
    # the helper makes one class by its constructor or by its `-> Self` class method; the
    # property stores it on first use (after `= None` in __init__)
    source = """\
        from azure.storage.blob import BlobServiceClient


        class Storage:
            def __init__(self, connection_string, account_url):
                self.connection_string = connection_string
                self.account_url = account_url
                self._service = None

            def _make_service(self):
                if self.connection_string:
                    return BlobServiceClient.from_connection_string(self.connection_string)
                return BlobServiceClient(self.account_url)

            @property
            def service(self):
                if self._service is None:
                    self._service = self._make_service()
                return self._service

            def delegation_key(self, start, expiry):
                return self.service.get_user_delegation_key(key_start_time=start, key_expiry_time=expiry)

            def container(self, name):
                return self.service.get_container_client(name)
        """
    canon = "version: 1\nhubs: [HUB-A]\nvendor_modules: [azure]\n"
    # get_container_client makes a local handle
    assert found(project, source, canon, select=("CANON2",)) == [(22, "CANON201")]


def test_a_message_sent_over_an_open_websocket_sends(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "socketkit",
        """\
        from typing import Optional

        import aiohttp


        class SocketClient:
            session: Optional[aiohttp.ClientWebSocketResponse]

            def __init__(self):
                self.session = None
                self.received = []

            async def send_response(self, envelope_id):
                await self.session.send_str('{"envelope_id": "%s"}' % envelope_id)

            async def remember(self, message):
                self.received.append(message)
        """,
    )
    assert model["classes"]["socketkit.SocketClient"]["methods"] == {
        "remember": {"sends": False},
        "send_response": {"sends": True},
    }


def test_a_reviewed_pager_sends_as_it_is_iterated(tmp_path):
    # the pager calls the command it is handed as it is iterated: only a reviewed pin can say
    # so; a method returning one it makes sends (when its result is iterated), a handle does not
    sdk = tmp_path / "pagerkit"
    sdk.mkdir()
    (sdk / "__init__.py").write_text(
        textwrap.dedent(
            """\
            import functools


            class ItemPaged:
                def __init__(self, command):
                    self._command = command

                def __iter__(self):
                    return iter(self._command())


            class Container:
                def __init__(self, operations):
                    self._operations = operations

                def list_items(self, prefix):
                    command = functools.partial(self._operations.list_segment, prefix=prefix)
                    return ItemPaged(command)

                def item(self, name):
                    return name
            """
        )
    )
    reviewed = generate.prune(Scanner(tmp_path, ["pagerkit"], pagers=["pagerkit.ItemPaged"]).model())
    unreviewed = generate.prune(Scanner(tmp_path, ["pagerkit"]).model())
    assert reviewed["classes"]["pagerkit.Container"]["methods"]["list_items"]["sends"] is True
    assert reviewed["classes"]["pagerkit.Container"]["methods"]["item"] == {"sends": False}
    assert unreviewed["classes"]["pagerkit.Container"]["methods"]["list_items"]["sends"] is not True


def test_listing_an_azure_container_sends_as_it_is_iterated(project):
    source = """\
        from azure.storage.blob import ContainerClient


        def names(url, prefix):
            container = ContainerClient.from_container_url(url)
            return [blob.name for blob in container.list_blobs(name_starts_with=prefix)]
        """
    canon = "version: 1\nhubs: [HUB-A]\nvendor_modules: [azure]\n"
    assert found(project, source, canon, select=("CANON2",)) == [(6, "CANON201")]


def test_a_call_to_many_banned_default_hosts_names_three_and_counts_the_rest(project):
    source = """\
        from twilio.rest import Client


        def send(sid, token, to):
            return Client(sid, token).messages.create(to=to, from_="+15550000000", body="hi")
        """
    canon = (
        'version: 1\nhubs: [HUB-A]\nbanned:\n  - reason: "texts go through our gateway"\n    hosts: ["*.twilio.com"]\n'
    )
    root = project({"a.py": textwrap.dedent(source)}, canon=canon)
    findings = run_check(root, select=("CANON202",))
    assert [(f.line, f.code) for f in findings] == [(5, "CANON202")]
    assert findings[0].message == (
        "request to banned hosts 'accounts.twilio.com' or 'api.twilio.com' or 'assistants.twilio.com' "
        "or 35 more: texts go through our gateway"
    )


def test_a_mixins_super_call_is_the_next_base_of_the_classes_using_it(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "mixkit",
        """\
        import requests


        class RetryMixin:
            def request(self, method, url, **kwargs):
                return super().request(method, url, **kwargs)


        class Session(RetryMixin, requests.Session):
            pass
        """,
    )
    assert model["classes"]["mixkit.Session"]["methods"] == {"request": {"sends": True}}


def test_iteration_runs_the_protocol_its_syntax_names(tmp_path):
    # a sync loop runs __iter__ (and __next__ when __iter__ gives the object itself), never the
    # async protocol; iter() runs __iter__ only
    model, _ = write_sdk(
        tmp_path,
        "feedkit",
        """\
        import httpx


        class Feed:
            def __init__(self, items, client: httpx.AsyncClient):
                self._items = list(items)
                self._client = client

            def __iter__(self):
                return iter(self._items)

            def __aiter__(self):
                return self

            async def __anext__(self):
                return (await self._client.get("https://api.feedkit.io/next")).json()


        class Page:
            def __init__(self, client: httpx.Client):
                self._client = client

            def __iter__(self):
                return self

            def __next__(self):
                return self._client.get("https://api.feedkit.io/more").json()


        class Client:
            def count(self, feed: Feed):
                return sum(1 for _ in feed)

            async def drain(self, feed: Feed):
                return [item async for item in feed]

            def cursor(self, page: Page):
                return iter(page)

            def rows(self, page: Page):
                return [row for row in page]
        """,
    )
    assert model["classes"]["feedkit.Client"]["methods"] == {
        "count": {"sends": False},
        "cursor": {"sends": False},
        "drain": {"sends": True},
        "rows": {"sends": True},
    }


def test_a_self_returning_call_on_a_subclass_gives_that_subclass(tmp_path):
    # `LocalStore.create()` and `store.with_timeout(3)` are LocalStores: their close() is
    # LocalStore's, not every sibling's
    model, _ = write_sdk(
        tmp_path,
        "storekit",
        """\
        import requests
        from typing_extensions import Self


        class Store:
            @classmethod
            def create(cls) -> Self:
                return cls()

            def with_timeout(self, seconds) -> Self:
                self.seconds = seconds
                return self

            def close(self):
                self.closed = True


        class LocalStore(Store):
            def close(self):
                self.closed = True


        class RemoteStore(Store):
            def close(self):
                requests.post("https://api.storekit.io/close")


        class App:
            def shutdown(self):
                store = LocalStore.create()
                store.close()

            def shutdown_later(self, store: LocalStore):
                store.with_timeout(3).close()

            def shutdown_remote(self):
                RemoteStore.create().close()
        """,
    )
    assert model["classes"]["storekit.App"]["methods"] == {
        "shutdown": {"sends": False},
        "shutdown_later": {"sends": False},
        "shutdown_remote": {"sends": True},
    }


def test_the_scanner_reads_methods_in_pythons_order_and_a_mixin_under_an_abstract_base(tmp_path):
    # `class Sub(Left, NetMixin)`, `class Left(Root)`: Python runs Root.close, never NetMixin's;
    # a mixin based on abc.ABC still reaches, through super(), the session its subclass uses
    model, _ = write_sdk(
        tmp_path,
        "orderkit",
        """\
        import abc

        import requests


        class Root:
            def close(self):
                self._closed = True


        class Left(Root):
            pass


        class NetMixin:
            def close(self):
                requests.post("https://api.orderkit.io/bye")


        class Sub(Left, NetMixin):
            pass


        class RetryMixin(abc.ABC):
            def request(self, method, url, **kwargs):
                return super().request(method, url, **kwargs)


        class Session(RetryMixin, requests.Session):
            pass


        class App:
            def stop(self, value: Left):
                value.close()
        """,
    )
    whole = Scanner(tmp_path, ["orderkit"]).model()  # before pruning: local classes too
    assert whole["classes"]["orderkit.App"]["methods"] == {"stop": {"sends": False}}
    assert whole["classes"]["orderkit.Sub"]["methods"]["close"] == {"sends": False}
    assert model["classes"]["orderkit.Session"]["methods"]["request"] == {"sends": True}


def test_scanner_edge_cases_from_review(tmp_path):
    # a loop under an optional argument's guard is not decided, as a call there is; a DB pool's
    # or a signal's connect() on an object of unknown type says nothing; an empty subscript in
    # an annotation is no crash; a host only partly written (an f-string's start joined to
    # more) and a mail relay's are not the SDK's hosts
    model, hosts = write_sdk(
        tmp_path,
        "edgekit",
        """\
        import os
        from typing import Optional, Union

        import httpx
        import requests

        REGION = os.environ.get("EDGEKIT_REGION", "eu")
        PREFIX = f"https://api-{REGION}"
        API_URL = PREFIX + ".edgekit.io/v1"
        DEFAULT_SMTP_SERVER = "smtp.mailkit.org"
        API_HOST = os.environ.get("EDGEKIT_HOST", "api" + ".edgekit.io")


        class Page:
            def __init__(self, client: httpx.Client):
                self._client = client

            def __iter__(self):
                yield from self._client.get("https://api.edgekit.io/rows").json()


        class Cache:
            def __init__(self, pool):
                self._pool = pool

            def open(self):
                return self._pool.connect()

            def on_change(self, signal, handler):
                signal.connect(handler)


        class Client:
            def __init__(self, base_url=API_URL, mail_server=DEFAULT_SMTP_SERVER):
                self.base_url = base_url
                self.session = requests.Session()

            def render(self, rows, page: Page = None):
                if page is not None:
                    rows = rows + [row for row in page]
                return rows

            def me(self) -> Union["Client", Optional[()]]:
                return self
        """,
    )
    assert model["classes"]["edgekit.Client"]["methods"]["render"] == {"sends": None}
    assert model["classes"]["edgekit.Cache"]["methods"] == {"on_change": {"sends": None}, "open": {"sends": None}}
    assert hosts == ["api.edgekit.io"]


def test_a_boto3_resource_actions_response_is_data(project):
    # `obj.delete()` sends and gives back the response, a dict; `create_bucket()` gives a Bucket
    source = """\
        import boto3


        def remove(bucket, key):
            s3 = boto3.resource("s3")
            response = s3.Object(bucket, key).delete()
            status = response.get("ResponseMetadata").get("HTTPStatusCode")
            made = s3.create_bucket(Bucket=bucket)
            made.put_object(Key=key, Body=b"")
            return status
        """
    canon = textwrap.dedent(
        """\
        version: 1
        hubs: [HUB-A]
        tools:
          - id: TOOL-1
            vendor: aws
            hubs: [HUB-A]
            interactions: [WRITE]
            modules: [boto3]
        """
    )
    assert found(project, source, canon, select=("CANON3",)) == [(6, "CANON301"), (8, "CANON301"), (9, "CANON301")]


def test_a_listing_a_helper_makes_sends_as_it_is_iterated_but_a_handle_the_sdk_keeps_does_not(tmp_path):
    model, _ = write_sdk(
        tmp_path,
        "listkit",
        """\
        import requests


        class Pages:
            def __init__(self, path):
                self.path = path

            def __iter__(self):
                return iter(requests.get("https://api.listkit.io" + self.path).json())


        class Client:
            def __init__(self):
                self._open = set()

            def _list_resource(self, path):
                return Pages(path)

            def list_buckets(self):
                iterator = self._list_resource("/b")
                return iterator

            def cursor(self):
                pages = Pages("/cursor")
                self._open.add(pages)
                return pages
        """,
    )
    methods = model["classes"]["listkit.Client"]["methods"]
    assert methods["list_buckets"] == {"returns": "listkit.Pages", "sends": True}
    assert methods["cursor"] == {"returns": "listkit.Pages", "sends": False}


def test_aioboto3_calls_are_judged_by_boto3s_model_under_its_names(project):
    source = """\
        import aioboto3


        class Store:
            def __init__(self, table_name):
                self.session = aioboto3.Session()
                self.table_name = table_name

            async def get(self, key):
                async with self.session.resource("dynamodb") as dynamo:
                    table = await dynamo.Table(self.table_name)
                    response = await table.get_item(Key={"id": key})
                    return response.get("Item")

            async def describe(self):
                async with self.session.client("dynamodb") as client:
                    client.get_paginator("scan")
                    return await client.describe_table(TableName=self.table_name)
        """
    # the session, the resource, the table handle and the paginator are local
    assert found(project, source, AWS_CANON) == [(12, "CANON301"), (18, "CANON301")]


def test_a_client_entered_through_an_exit_stack_is_that_client(project):
    source = """\
        from contextlib import AsyncExitStack, ExitStack

        import aioboto3
        import boto3


        class Store:
            async def init(self, name):
                self._stack = AsyncExitStack()
                session = aioboto3.Session()
                self._db = await self._stack.enter_async_context(session.resource("dynamodb"))
                self._table = await self._db.Table(name)

            async def get(self, key):
                return await self._table.get_item(Key={"id": key})


        def buckets():
            with ExitStack() as stack:
                s3 = stack.enter_context(boto3.client("s3"))
                s3.get_paginator("list_objects_v2")
                return s3.list_buckets()
        """
    assert found(project, source, AWS_CANON) == [(15, "CANON301"), (22, "CANON301")]


def test_a_client_declared_with_aiobotocores_type_stubs_is_aioboto3s(project):
    source = """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from types_aiobotocore_s3 import S3Client


        async def upload(client: "S3Client", bucket, key, body):
            client.get_paginator("list_objects_v2")
            return await client.put_object(Bucket=bucket, Key=key, Body=body)
        """
    assert found(project, source, AWS_CANON) == [(9, "CANON301")]


HOST_CANON = """\
version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-1
    vendor: aws
    hubs: [HUB-A]
    interactions: [READ]
    hosts: ["*.amazonaws.com"]
  - id: TOOL-2
    vendor: openai
    hubs: [HUB-A]
    interactions: [ENRICH]
    hosts: [api.openai.com]
"""


def test_an_sdk_no_tool_names_is_the_tool_that_registers_its_default_host(project):
    # A tool registered by its hosts claims the requests an SDK sends there by default, as it
    # claims the same request through an HTTP library; pointed elsewhere, the SDK is judged by
    # that host, and an SDK whose hosts no tool registers stays an unregistered vendor.
    source = """\
        import anthropic
        import boto3
        from openai import OpenAI

        llm = OpenAI()
        local = OpenAI(base_url="https://llm.example.net/v1")


        def run(q):
            boto3.client("s3").list_buckets()
            llm.chat.completions.create(model="m", messages=[q])
            local.chat.completions.create(model="m", messages=[q])
            anthropic.Anthropic().messages.create(model="m", max_tokens=1, messages=[q])
        """
    assert found(project, source, canon=HOST_CANON) == [
        (10, "CANON301"),
        (11, "CANON301"),
        (12, "CANON201"),
        (13, "CANON201"),
    ]
    root = project({"a.py": textwrap.dedent(source)}, canon=HOST_CANON)
    messages = [f.message.split(" in ")[0] for f in run_check(root, select=("CANON301",))]
    assert messages == ["call to TOOL-1 ('boto3')", "call to TOOL-2 ('openai')"]


def test_aiobotocore_sessions_make_the_clients_of_botocores_model(project):
    assert found(
        project,
        """\
        from aiobotocore.session import AioSession, get_session


        async def drain(queue_url):
            async with get_session().create_client("sqs") as sqs:
                answer = await sqs.receive_message(QueueUrl=queue_url)
                link = sqs.generate_presigned_url("get_queue_url", Params={})
                for message in answer.get("Messages", []):
                    await sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            return link


        async def describe(cluster):
            async with AioSession().create_client("ecs") as ecs:
                waiter = ecs.get_waiter("tasks_stopped")
                await waiter.wait(cluster=cluster, tasks=[])
        """,
        canon=HOST_CANON,
    ) == [(6, "CANON301"), (9, "CANON301"), (16, "CANON301")]


def test_where_isinstance_is_false_an_object_is_not_what_it_was_known_to_be(project):
    # Code that checks what an SDK call returned and handles something else in the other branch
    # (`if isinstance(x, T): ... else: x.read()`): there `x` is not a T, and its type is not known.
    canon = CANON.replace("modules: [stripe]", "modules: [openai, azure.storage.blob]")
    assert found(
        project,
        """\
        from azure.storage.blob import BlobClient, StorageStreamDownloader
        from openai import AsyncOpenAI, OpenAI


        def read(blob: BlobClient, size):
            stream = blob.download_blob(offset=0, length=size)
            if isinstance(stream, StorageStreamDownloader):
                return stream.readall()
            else:
                return stream.read()


        def read_other(blob: BlobClient):
            stream = blob.download_blob()
            if not isinstance(stream, (bytes, StorageStreamDownloader)):
                return stream.read()
            return stream.readall()


        def ask(q):
            client = OpenAI()
            if isinstance(client, AsyncOpenAI):  # says nothing of an OpenAI client
                return None
            elif q:
                return client.chat.completions.create(model="m", messages=[q])
            if not isinstance(client, OpenAI):
                client.chat.completions.create(model="m", messages=[q])
            return client.models.list()
        """,
        canon=canon,
    ) == [(6, "CANON301"), (8, "CANON301"), (14, "CANON301"), (17, "CANON301"), (25, "CANON301"), (28, "CANON301")]


def test_opening_a_cloud_storage_blob_sends_nothing_until_it_is_read(project):
    # Blob.open builds a reader (or a writer); its trace span's background metadata fetch is the
    # SDK's bookkeeping (a reviewed correction). Reading sends.
    canon = CANON.replace("modules: [stripe]", "modules: [google.cloud.storage]")
    assert found(
        project,
        """\
        from google.cloud import storage


        def copy(name):
            blob = storage.Client().bucket("b").blob(name)
            reader = blob.open("rb")
            data = reader.read()
            blob.reload()
            return data
        """,
        canon=canon,
    ) == [(7, "CANON301"), (8, "CANON301")]


def test_the_scanner_reads_a_dynamic_clients_getattr(tmp_path):
    # A fluent client built by __getattr__: the names it tests for are methods (sending when the
    # function it returns does), and any other name gives the client of the next URL segment.
    model, _ = write_sdk(
        tmp_path,
        "fluentapi",
        """\
        import json
        import urllib.request

        VERBS = ("get", "post")


        class Client:
            methods = {"delete", "put"}

            def __init__(self, host, path=()):
                self.host = host
                self.path = list(path)

            def _(self, segment):
                return Client(self.host, [*self.path, segment])

            def __getattr__(self, name):
                if name == "describe":
                    def describe():
                        return "/".join(self.path)
                    return describe
                if name in VERBS:
                    def call(body=None):
                        request = urllib.request.Request(self.host + "/".join(self.path), data=json.dumps(body).encode())
                        return urllib.request.urlopen(request)
                    return call
                elif name in self.methods:
                    def change(body=None):
                        return urllib.request.urlopen(self.host + "/".join(self.path))
                    return change
                else:
                    return self._(name)


        class Api:
            def __init__(self, key):
                self.client = Client("https://api.fluent.example.com/")
        """,
    )
    assert model["classes"]["fluentapi.Client"] == {
        "attributes": {"*": "fluentapi.Client"},
        "methods": {
            "_": {"returns": "fluentapi.Client", "sends": False},
            "delete": {"sends": True},
            "describe": {"sends": False},
            "get": {"sends": True},
            "post": {"sends": True},
            "put": {"sends": True},
        },
        "plain": ["host", "methods", "path"],  # found before __getattr__ is asked
    }
    judged = SdkModel.from_data(
        {"sdk": "fluentapi", "version": "1", "vendor": "Fluent", "roots": ["fluentapi"], **model}
    )
    assert judged.judge("fluentapi.Api().client.mail.send.post").sends is True
    assert judged.judge("fluentapi.Api().client.templates._().delete").sends is True
    assert judged.judge("fluentapi.Api().client.mail.describe").sends is False
    assert judged.judge("fluentapi.Api().client.mail").sends is None  # an attribute, not a call
    assert judged.judge("fluentapi.Api().client.host.split").sends is None  # its own attribute: a value


def test_salesforces_objects_reached_through_getattr_send(project):
    canon = CANON.replace("modules: [stripe]", "modules: [simple_salesforce]")
    assert found(
        project,
        """        from simple_salesforce import Salesforce


        def sync(rows, token):
            sf = Salesforce(instance="acme.my.salesforce.com", session_id=token)
            sf.Contact.create({"LastName": "Smith"})
            sf.bulk.Account.insert(rows, batch_size=1000)
            header = sf.headers.get("Authorization")
            return header, sf.session_id.split("!")
        """,
        canon=canon,
    ) == [(6, "CANON301"), (7, "CANON301")]


def test_sendgrids_fluent_client_sends_at_its_http_verbs(project):
    canon = CANON.replace("modules: [stripe]", "modules: [sendgrid]")
    assert found(
        project,
        """\
        import sendgrid
        from sendgrid.helpers.mail import Mail


        def send(api_key, message: Mail, template_id):
            sg = sendgrid.SendGridAPIClient(api_key=api_key)
            response = sg.client.mail.send.post(request_body=message.get())
            template = sg.client.templates._(template_id).get()
            versioned = sg.client.version(3)
            message.add_personalization(None)
            return template, versioned, response.body.decode()
        """,
        canon=canon,
    ) == [(7, "CANON301"), (8, "CANON301")]


def test_an_alerting_sdk_under_a_ban_of_its_host_is_a_banned_call_where_it_sends(project):
    # Opsgenie's SDK (an OpenAPI-generated client): its API classes send, its payloads and the
    # methods of its responses do not; a ban of its default host makes each send CANON202.
    canon = """\
    version: 1
    hubs: [HUB-A]
    banned:
      - reason: "alerts go through the on-call tool"
        modules: [opsgenie_sdk]
        hosts: [api.opsgenie.com]
    """
    assert found(
        project,
        """\
        from opsgenie_sdk import AlertApi, ApiClient, Configuration, CreateAlertPayload


        class Alerts:
            def __init__(self, key):
                configuration = Configuration()
                configuration.api_key["Authorization"] = key
                self.api = AlertApi(ApiClient(configuration))

            def get_conn(self) -> AlertApi:
                return self.api

            def create(self, message):
                response = self.api.create_alert(create_alert_payload=CreateAlertPayload(message=message))
                return response.to_dict()

            def close(self, identifier):
                return self.get_conn().close_alert(identifier=identifier)
        """,
        canon=canon,
        select=("CANON1", "CANON2"),
    ) == [(1, "CANON101"), (14, "CANON202"), (18, "CANON202")]


def test_algolias_typed_client_sends_and_its_parameter_models_do_not(project):
    canon = CANON.replace("modules: [stripe]", "modules: [algoliasearch]")
    assert found(
        project,
        """\
        from algoliasearch.search.client import SearchClientSync
        from algoliasearch.search.models.search_params_object import SearchParamsObject

        client = SearchClientSync("APP", "KEY")
        client.add_user_agent("shop-integration", "1.0")


        def index(records):
            client.save_objects(index_name="products", objects=records)


        def search(q):
            params = SearchParamsObject(query=q, hits_per_page=5).to_dict()
            answer = client.search_single_index(index_name="products", search_params=params)
            return answer.to_dict()
        """,
        canon=canon,
    ) == [(9, "CANON301"), (14, "CANON301")]


def test_a_client_chosen_by_the_overload_its_literal_argument_matches(project):
    # Typed helpers declare one return type per service with @overload and Literal: a call with
    # a literal argument returns the client its overload declares; another argument, nothing known.
    assert found(
        project,
        """\
        from typing import Any, Literal, overload

        from mypy_boto3_s3 import S3Client
        from mypy_boto3_sts import STSClient


        @overload
        def get_client(service: Literal["s3"]) -> S3Client: ...
        @overload
        def get_client(service: Literal["sts"], region: str = ...) -> STSClient: ...
        def get_client(service: str, region: str | None = None) -> Any:
            return make(service, region)


        class Session:
            @overload
            def client(self, name: Literal["sts"]) -> STSClient: ...
            @overload
            def client(self, name: str) -> Any: ...
            def client(self, name):
                return make(name, None)

            def whoami(self):
                return self.client("sts").get_caller_identity()


        def identity(name):
            sts = get_client("sts")
            other = get_client(name)
            get_client(service="s3").list_buckets()
            other.list_buckets()
            return sts.get_caller_identity()
        """,
        canon=AWS_CANON,
    ) == [(24, "CANON301"), (30, "CANON301"), (32, "CANON301")]


def test_pubsubs_clients_send_and_their_paths_and_futures_do_not(project):
    canon = CANON.replace("modules: [stripe]", "modules: [google.cloud.pubsub_v1, google.pubsub_v1]")
    assert found(
        project,
        """\
        from google.cloud import pubsub_v1
        from google.pubsub_v1 import SubscriberAsyncClient

        publisher = pubsub_v1.PublisherClient()


        def announce(project, payload):
            topic = publisher.topic_path(project, "events")
            future = publisher.publish(topic, payload)
            return future.result(timeout=30)


        async def drain(client: SubscriberAsyncClient, subscription):
            answer = await client.pull(subscription=subscription, max_messages=10)
            ids = [message.ack_id for message in answer.received_messages]
            await client.acknowledge(subscription=subscription, ack_ids=ids)
        """,
        canon=canon,
    ) == [(9, "CANON301"), (14, "CANON301"), (16, "CANON301")]


def test_a_client_entered_by_calling_its_context_managers_enter(project):
    # `await cm.__aenter__()` gives what `async with cm as client` binds: the client.
    assert found(
        project,
        """\
        import aiobotocore.session


        class TagsReader:
            async def read(self, cluster, task):
                return await self.ecs.describe_tasks(cluster=cluster, tasks=[task])

            async def __aenter__(self):
                self.ecs = await aiobotocore.session.get_session().create_client("ecs").__aenter__()
                return self


        async def clusters():
            client = await aiobotocore.session.get_session().create_client("ecs").__aenter__()
            return await client.list_clusters()
        """,
        canon=HOST_CANON,
    ) == [(6, "CANON301"), (15, "CANON301")]
