"""Make the shipped SDK models: download each pinned SDK, derive its model, write it as data.

    python -m lint_canon.sdks.generate [--only DIST ...] [--cache DIR] [--table]

For every entry of ``PINS`` the wheel of that exact version is downloaded (``pip download
--no-deps``, with the packages its clients are built on where they live in another
distribution), its source is read by ``lint_canon.sdks.scan`` (never imported) and the model is
written to ``lint_canon/sdks/data/<dist>-<major>.json`` with the SDK's name, the version scanned
and the range it is shipped for. boto3 is read through botocore's service models: every
operation of every service sends; ``get_paginator``, ``get_waiter``, ``can_paginate``,
``generate_presigned_url`` and ``close`` do not, a paginator's ``paginate`` and a waiter's
``wait`` do. Review the diff of ``data/`` before committing it.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint_canon.sdks.model import FORMAT, SdkModel, write_index
from lint_canon.sdks.scan import Scanner

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Pin:
    dist: str
    version: str
    versions: str  # the range the model is shipped for
    vendor: str
    roots: tuple[str, ...]  # import roots of the SDK
    also: tuple[str, ...] = ()  # other distributions its transport lives in: "name==version"
    also_roots: tuple[str, ...] = ()
    # The review: calls documented to send, and calls documented to stay local. A model that
    # calls one of the first local, or one of the second a sender, is not written.
    sends: tuple[str, ...] = ()
    local: tuple[str, ...] = ()
    # Reviewed corrections of what the source alone cannot say: definition -> (sends, why).
    corrections: tuple[tuple[str, bool, str], ...] = ()
    # Reviewed: pager classes that call the command they were made with as they are iterated
    # (the source says it only through a callable handed along): a method returning one sends.
    pagers: tuple[tuple[str, str], ...] = ()


# The Google Cloud clients send through google-cloud-core's connection and google-auth's session.
# The generated (GAPIC) clients call their transport through google-api-core's wrapped methods.
GOOGLE_API_CORE = ("google-api-core==2.28.1",)
GOOGLE_API_CORE_ROOTS = ("google.api_core",)
GOOGLE_CORE = ("google-cloud-core==2.8.0", "google-auth==2.62.2", *GOOGLE_API_CORE)
GOOGLE_CORE_ROOTS = ("google.cloud._http", "google.cloud.client", "google.auth.transport", *GOOGLE_API_CORE_ROOTS)

AZURE_PAGERS = (
    (
        "azure.core.paging.ItemPaged",
        "iterating it calls the list command the client made it with (a functools.partial of the "
        "generated operation, handed to its page iterator): each page is a request",
    ),
    (
        "azure.core.async_paging.AsyncItemPaged",
        "iterating it calls the list command the client made it with: each page is a request",
    ),
)

PINS: tuple[Pin, ...] = (
    # language models
    Pin(
        "openai",
        "1.109.1",
        ">=1,<2",
        "OpenAI",
        ("openai",),
        sends=("openai.OpenAI().chat.completions.create", "openai.OpenAI().embeddings.create"),
        local=("openai.OpenAI().close",),
    ),
    Pin(
        "openai",
        "0.28.1",
        ">=0.27,<1",
        "OpenAI",
        ("openai",),
        sends=("openai.ChatCompletion.create", "openai.Embedding.create"),
    ),
    Pin(
        "anthropic",
        "0.69.0",
        ">=0.30,<1",
        "Anthropic",
        ("anthropic",),
        sends=("anthropic.Anthropic().messages.create",),
        local=("anthropic.Anthropic().close",),
    ),
    Pin("cohere", "5.18.0", ">=5,<6", "Cohere", ("cohere",), sends=("cohere.Client().chat", "cohere.ClientV2().embed")),
    Pin("mistralai", "1.9.11", ">=1,<2", "Mistral AI", ("mistralai",), sends=("mistralai.Mistral().chat.complete",)),
    Pin(
        "groq",
        "0.32.0",
        ">=0.9,<1",
        "Groq",
        ("groq",),
        sends=("groq.Groq().chat.completions.create",),
        local=("groq.Groq().close",),
    ),
    Pin(
        "google-genai",
        "1.41.0",
        ">=1,<2",
        "Google Gemini",
        ("google.genai",),
        sends=("google.genai.Client().models.generate_content",),
    ),
    Pin(
        "replicate",
        "1.0.7",
        ">=0.25,<2",
        "Replicate",
        ("replicate",),
        sends=("replicate.run", "replicate.Client().run"),
    ),
    Pin(
        "together",
        "1.5.26",
        ">=1,<2",
        "Together AI",
        ("together",),
        sends=("together.Together().chat.completions.create",),
    ),
    Pin("voyageai", "0.3.5", ">=0.2,<1", "Voyage AI", ("voyageai",), sends=("voyageai.Client().embed",)),
    Pin(
        "elevenlabs",
        "2.16.0",
        ">=1,<3",
        "ElevenLabs",
        ("elevenlabs",),
        sends=("elevenlabs.ElevenLabs().text_to_speech.convert",),
    ),
    Pin(
        "assemblyai",
        "0.44.3",
        ">=0.30,<1",
        "AssemblyAI",
        ("assemblyai",),
        sends=("assemblyai.Transcriber().transcribe",),
    ),
    # payments
    Pin(
        "stripe",
        "12.5.1",
        ">=8,<13",
        "Stripe",
        ("stripe",),
        sends=("stripe.Customer.create", "stripe.Customer.retrieve", "stripe.StripeClient().customers.create"),
        local=("stripe.Customer.construct_from", "stripe.Webhook.construct_event", "stripe.Customer().to_dict"),
    ),
    Pin(
        "stripe",
        "16.1.0",
        ">=13,<17",
        "Stripe",
        ("stripe",),
        sends=("stripe.Customer.create", "stripe.Customer.retrieve", "stripe.StripeClient().customers.create"),
        local=("stripe.Customer().to_dict",),
    ),
    Pin(
        "braintree",
        "4.38.0",
        ">=4,<5",
        "Braintree",
        ("braintree",),
        sends=("braintree.BraintreeGateway().transaction.sale",),
    ),
    Pin("Adyen", "13.4.0", ">=12,<14", "Adyen", ("Adyen",), sends=("Adyen.Adyen().checkout.payments_api.payments",)),
    # messaging and e-mail
    Pin("twilio", "9.8.3", ">=8,<10", "Twilio", ("twilio",), sends=("twilio.rest.Client().messages.create",)),
    Pin(
        "sendgrid",
        "6.12.5",
        ">=6,<7",
        "SendGrid",
        ("sendgrid",),
        also=("python_http_client==3.3.7",),
        also_roots=("python_http_client",),
        sends=("sendgrid.SendGridAPIClient().send", "sendgrid.SendGridAPIClient().client.mail.send.post"),
        local=("sendgrid.SendGridAPIClient().client.version", "sendgrid.SendGridAPIClient().client.templates._"),
    ),
    Pin(
        "slack_sdk",
        "3.36.0",
        ">=3,<4",
        "Slack",
        ("slack_sdk",),
        sends=("slack_sdk.WebClient().chat_postMessage", "slack_sdk.webhook.WebhookClient().send"),
    ),
    Pin(
        "postmarker",
        "1.0",
        ">=1,<2",
        "Postmark",
        ("postmarker",),
        sends=("postmarker.core.PostmarkClient().emails.send",),
    ),
    Pin(
        "mailchimp-transactional",
        "1.0.56",
        ">=1,<2",
        "Mailchimp Transactional",
        ("mailchimp_transactional",),
        sends=("mailchimp_transactional.Client().messages.send",),
    ),
    Pin("python-telegram-bot", "22.8", ">=20,<23", "Telegram", ("telegram",), sends=("telegram.Bot().send_message",)),
    # CRM and sales
    Pin(
        "simple-salesforce",
        "1.12.10",
        ">=1,<2",
        "Salesforce",
        ("simple_salesforce",),
        sends=("simple_salesforce.Salesforce().query",),
    ),
    Pin("pyhunter", "2.1.0", ">=1,<3", "Hunter.io", ("pyhunter",), sends=("pyhunter.PyHunter().domain_search",)),
    # search and data
    Pin("tavily-python", "0.8.5", ">=0.3,<1", "Tavily", ("tavily",), sends=("tavily.TavilyClient().search",)),
    Pin("exa-py", "2.27.0", ">=1,<3", "Exa", ("exa_py",), sends=("exa_py.Exa().search",)),
    Pin("googlemaps", "4.2.0", ">=4,<5", "Google Maps", ("googlemaps",), sends=("googlemaps.geocoding.geocode",)),
    Pin("PyGithub", "2.10.0", ">=2,<3", "GitHub", ("github",), sends=("github.Github().get_repo",)),
    Pin(
        "deepgram-sdk",
        "7.16.0",
        ">=7,<8",
        "Deepgram",
        ("deepgram",),
        sends=(
            "deepgram.DeepgramClient().listen.v1.media.transcribe_url",
            "deepgram.DeepgramClient().speak.v1.audio.generate",
        ),
    ),
    Pin(
        "cerebras-cloud-sdk",
        "1.91.0",
        ">=1,<2",
        "Cerebras",
        ("cerebras.cloud.sdk",),
        sends=("cerebras.cloud.sdk.Cerebras().chat.completions.create",),
        local=("cerebras.cloud.sdk.Cerebras().close",),
    ),
    Pin(
        "peopledatalabs",
        "6.4.13",
        ">=6,<7",
        "People Data Labs",
        ("peopledatalabs",),
        sends=("peopledatalabs.PDLPY().person.enrichment", "peopledatalabs.PDLPY().company.search"),
    ),
    Pin(
        "emailable",
        "3.1.0",
        ">=3,<4",
        "Emailable",
        ("emailable",),
        sends=("emailable.Client().verify", "emailable.Client().account"),
    ),
    Pin(
        "neverbounce-sdk",
        "4.3.0",
        ">=4,<5",
        "NeverBounce",
        ("neverbounce_sdk",),
        sends=("neverbounce_sdk.client().single_check", "neverbounce_sdk.client().account_info"),
    ),
    Pin(
        "google-search-results",
        "2.4.2",
        ">=2,<3",
        "SerpApi",
        ("serpapi",),
        sends=("serpapi.GoogleSearch().get_dict", "serpapi.GoogleSearch().get_json"),
        local=("serpapi.GoogleSearch().construct_url",),
    ),
    Pin(
        "mailchimp-marketing",
        "3.0.80",
        ">=3,<4",
        "Mailchimp Marketing",
        ("mailchimp_marketing",),
        sends=("mailchimp_marketing.Client().lists.get_all_lists", "mailchimp_marketing.Client().ping.get"),
        local=("mailchimp_marketing.Client().set_config",),
    ),
    Pin(
        "paypalrestsdk",
        "1.13.3",
        ">=1,<2",
        "PayPal",
        ("paypalrestsdk",),
        sends=("paypalrestsdk.Payment.find", "paypalrestsdk.Payment().create"),
        local=("paypalrestsdk.Payment",),
    ),
    Pin(
        "paypal-checkout-serversdk",
        "1.0.3",
        ">=1,<2",
        "PayPal",
        ("paypalcheckoutsdk",),
        also=("paypalhttp==1.0.1",),
        also_roots=("paypalhttp",),
        sends=("paypalcheckoutsdk.core.PayPalHttpClient().execute",),
        local=("paypalcheckoutsdk.orders.OrdersCreateRequest",),
    ),
    Pin(
        "mercadopago",
        "2.3.0",
        ">=2,<3",
        "Mercado Pago",
        ("mercadopago",),
        sends=("mercadopago.SDK().preference().create", "mercadopago.SDK().payment().get"),
        local=("mercadopago.SDK().preference",),
    ),
    Pin(
        "zerobouncesdk",
        "2.3.0",
        ">=2,<3",
        "ZeroBounce",
        ("zerobouncesdk",),
        sends=("zerobouncesdk.ZeroBounce().validate",),
    ),
    Pin("kickbox", "2.0.4", ">=2,<3", "Kickbox", ("kickbox",), sends=("kickbox.Client().kickbox().verify",)),
    # cloud
    Pin(
        "dropbox",
        "12.2.5",
        ">=11,<13",
        "Dropbox",
        ("dropbox",),
        sends=("dropbox.Dropbox().files_upload", "dropbox.Dropbox().files_list_folder"),
    ),
    Pin(
        "azure-core",
        "1.41.0",
        ">=1,<2",
        "Azure",
        ("azure.core",),
        sends=("azure.core.PipelineClient().send_request",),
        local=("azure.core.utils.parse_connection_string", "azure.core.PipelineClient().format_url"),
    ),
    Pin(
        "azure-storage-file-datalake",
        "12.26.1",
        ">=12,<13",
        "Azure Data Lake Storage",
        ("azure.storage.filedatalake",),
        also=("azure-core==1.41.0", "azure-storage-blob==12.31.1"),
        also_roots=("azure.core", "azure.storage.blob"),
        sends=("azure.storage.filedatalake.DataLakeServiceClient().get_file_system_client().create_directory",),
        local=("azure.storage.filedatalake.DataLakeServiceClient().get_file_system_client",),
        pagers=AZURE_PAGERS,
    ),
    Pin(
        "azure-storage-blob",
        "12.31.1",
        ">=12,<13",
        "Azure Blob Storage",
        ("azure.storage.blob",),
        also=("azure-core==1.41.0",),
        also_roots=("azure.core",),
        sends=(
            "azure.storage.blob.BlobServiceClient().get_container_client().upload_blob",
            "azure.storage.blob.BlobClient().download_blob",
        ),
        local=("azure.storage.blob.BlobServiceClient().get_container_client",),
        pagers=AZURE_PAGERS,
    ),
    Pin(
        "pyowm",
        "3.5.0",
        ">=3,<4",
        "OpenWeatherMap",
        ("pyowm",),
        sends=("pyowm.OWM().weather_manager().weather_at_place",),
        local=("pyowm.OWM().weather_manager",),
    ),
    Pin(
        "praw",
        "7.8.1",
        ">=7,<8",
        "Reddit",
        ("praw",),
        also=("prawcore==2.4.0",),
        also_roots=("prawcore",),
        sends=("praw.Reddit().subreddit().submit",),
    ),
    Pin(
        "google-api-python-client",
        "2.202.0",
        ">=2,<3",
        "Google APIs (discovery)",
        ("googleapiclient",),
        sends=(
            "googleapiclient.http.HttpRequest().execute",
            "googleapiclient.discovery.build().cse().list().execute",
        ),
        local=("googleapiclient.discovery.build", "googleapiclient.discovery.build().cse().list"),
        corrections=(
            (
                "googleapiclient.discovery.build",
                False,
                "reads the discovery document bundled with the library (static_discovery defaults to True "
                "unless discoveryServiceUrl is given); the branch that fetches it is not the default",
            ),
        ),
    ),
    Pin(
        "wikipedia",
        "1.4.0",
        ">=1.4,<2",
        "Wikipedia",
        ("wikipedia",),
        sends=("wikipedia.summary", "wikipedia.page"),
        local=("wikipedia.set_lang",),
    ),
    Pin(
        "apify-client",
        "3.4.0",
        ">=1,<4",
        "Apify",
        ("apify_client",),
        sends=("apify_client.ApifyClient().actor().call",),
        local=("apify_client.ApifyClient().actor",),
    ),
    Pin("arxiv", "4.0.2", ">=2,<5", "arXiv", ("arxiv",), sends=("arxiv.Client().results",)),
    Pin("arxiv", "1.4.8", ">=1,<2", "arXiv", ("arxiv",), sends=("arxiv.Search().results",)),
    Pin("wolframalpha", "5.1.3", ">=5,<6", "Wolfram Alpha", ("wolframalpha",), sends=("wolframalpha.Client().query",)),
    Pin(
        "pagerduty",
        "7.2.0",
        ">=1,<8",
        "PagerDuty",
        ("pagerduty",),
        sends=("pagerduty.RestApiV2Client().list_all", "pagerduty.EventsApiV2Client().send_event"),
    ),
    Pin(
        "firebase-admin",
        "7.7.0",
        ">=6,<8",
        "Firebase",
        ("firebase_admin",),
        sends=("firebase_admin.messaging.send", "firebase_admin.messaging.send_each"),
        local=("firebase_admin.messaging.Message",),
    ),
    Pin("pywebpush", "2.5.0", ">=1,<3", "Web Push", ("pywebpush",), sends=("pywebpush.webpush",)),
    Pin(
        "apns2",
        "0.7.2",
        ">=0.7,<1",
        "Apple Push Notification service",
        ("apns2",),
        sends=("apns2.client.APNsClient().send_notification",),
    ),
    Pin("pdpyras", "5.4.1", ">=5,<6", "PagerDuty", ("pdpyras",), sends=("pdpyras.APISession().rget",)),
    Pin(
        "algoliasearch",
        "4.48.0",
        ">=4,<5",
        "Algolia",
        ("algoliasearch",),
        sends=(
            "algoliasearch.search.client.SearchClientSync().save_objects",
            "algoliasearch.search.client.SearchClientSync().search_single_index",
            "algoliasearch.search.client.SearchClient().save_object",
        ),
        local=(
            "algoliasearch.search.client.SearchClientSync().add_user_agent",
            "algoliasearch.search.models.search_params_object.SearchParamsObject().to_dict",
        ),
    ),
    Pin(
        "opsgenie-sdk",
        "2.1.5",
        ">=2,<3",
        "Opsgenie",
        ("opsgenie_sdk",),
        sends=(
            "opsgenie_sdk.AlertApi().create_alert",
            "opsgenie_sdk.AlertApi().close_alert",
            "opsgenie_sdk.AlertApi().list_alerts",
        ),
        local=("opsgenie_sdk.ApiClient().set_default_header", "opsgenie_sdk.ApiClient().select_header_accept"),
    ),
    Pin(
        "google-cloud-storage",
        "3.17.1",
        ">=2,<4",
        "Google Cloud Storage",
        ("google.cloud.storage",),
        also=GOOGLE_CORE,
        also_roots=GOOGLE_CORE_ROOTS,
        sends=(
            "google.cloud.storage.Client().get_bucket",
            "google.cloud.storage.Client().bucket().blob().upload_from_filename",
            "google.cloud.storage.Client().bucket().blob().reload",
            "google.cloud.storage.Client().bucket().blob().open().read",
        ),
        local=("google.cloud.storage.Client().bucket", "google.cloud.storage.Client().bucket().blob().open"),
        corrections=(
            (
                "google.cloud.storage.blob.Blob.open",
                False,
                "it builds a BlobReader or BlobWriter, which send as they are read or written; the "
                "one request on its own path is its trace span's fetch of the bucket's metadata, in "
                "a daemon thread of the span's, for the span's attributes",
            ),
        ),
    ),
    Pin(
        "google-cloud-tasks",
        "2.26.0",
        ">=2,<3",
        "Google Cloud Tasks",
        ("google.cloud.tasks", "google.cloud.tasks_v2"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.tasks_v2.CloudTasksClient().create_task",),
        local=("google.cloud.tasks_v2.CloudTasksClient.queue_path",),
    ),
    Pin(
        "google-cloud-vision",
        "3.16.0",
        ">=3,<4",
        "Google Cloud Vision",
        ("google.cloud.vision", "google.cloud.vision_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.vision.ImageAnnotatorClient().batch_annotate_images",),
        local=("google.cloud.vision.ImageAnnotatorClient.product_path",),
    ),
    Pin(
        "google-cloud-translate",
        "3.28.0",
        ">=3,<4",
        "Google Cloud Translation",
        ("google.cloud.translate", "google.cloud.translate_v3"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.translate_v3.TranslationServiceClient().translate_text",),
        local=("google.cloud.translate_v3.TranslationServiceClient.glossary_path",),
    ),
    Pin(
        "google-cloud-speech",
        "2.41.0",
        ">=2,<3",
        "Google Cloud Speech-to-Text",
        ("google.cloud.speech", "google.cloud.speech_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.speech.SpeechClient().recognize",),
        local=("google.cloud.speech.SpeechClient.phrase_set_path",),
    ),
    Pin(
        "google-cloud-texttospeech",
        "2.38.0",
        ">=2,<3",
        "Google Cloud Text-to-Speech",
        ("google.cloud.texttospeech", "google.cloud.texttospeech_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.texttospeech.TextToSpeechClient().synthesize_speech",),
        local=("google.cloud.texttospeech.TextToSpeechClient.model_path",),
    ),
    Pin(
        "google-cloud-language",
        "2.22.0",
        ">=2,<3",
        "Google Cloud Natural Language",
        ("google.cloud.language", "google.cloud.language_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.language.LanguageServiceClient().analyze_sentiment",),
        local=("google.cloud.language.LanguageServiceClient.common_project_path",),
    ),
    Pin(
        "google-cloud-run",
        "0.16.2",
        ">=0.10,<1",
        "Google Cloud Run",
        ("google.cloud.run", "google.cloud.run_v2"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.run_v2.JobsClient().run_job",),
        local=("google.cloud.run_v2.JobsClient.job_path",),
    ),
    Pin(
        "google-cloud-dataproc",
        "5.32.0",
        ">=5,<6",
        "Google Dataproc",
        ("google.cloud.dataproc", "google.cloud.dataproc_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.dataproc_v1.ClusterControllerClient().create_cluster",),
        local=("google.cloud.dataproc_v1.ClusterControllerClient.cluster_path",),
    ),
    Pin(
        "google-cloud-secret-manager",
        "2.32.0",
        ">=2,<3",
        "Google Secret Manager",
        ("google.cloud.secretmanager", "google.cloud.secretmanager_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=("google.cloud.secretmanager.SecretManagerServiceClient().access_secret_version",),
        local=("google.cloud.secretmanager.SecretManagerServiceClient.secret_version_path",),
    ),
    Pin(
        "google-cloud-pubsub",
        "2.44.0",
        ">=2,<3",
        "Google Cloud Pub/Sub",
        ("google.cloud.pubsub", "google.cloud.pubsub_v1", "google.pubsub", "google.pubsub_v1"),
        also=GOOGLE_API_CORE,
        also_roots=GOOGLE_API_CORE_ROOTS,
        sends=(
            "google.pubsub_v1.SubscriberAsyncClient().acknowledge",
            "google.pubsub_v1.SubscriberAsyncClient().pull",
            "google.pubsub_v1.PublisherClient().create_topic",
            "google.cloud.pubsub_v1.SubscriberClient().pull",
            "google.cloud.pubsub_v1.PublisherClient().publish",
        ),
        local=(
            "google.cloud.pubsub_v1.PublisherClient.topic_path",
            "google.cloud.pubsub_v1.SubscriberClient.subscription_path",
        ),
    ),
    Pin(
        "google-cloud-bigquery",
        "3.47.0",
        ">=3,<4",
        "Google BigQuery",
        ("google.cloud.bigquery",),
        also=GOOGLE_CORE,
        also_roots=GOOGLE_CORE_ROOTS,
        sends=("google.cloud.bigquery.Client().query", "google.cloud.bigquery.Client().get_table"),
    ),
    Pin(
        "boto3",
        "1.40.50",
        ">=1.26,<2",
        "Amazon Web Services",
        ("boto3",),
        also=("botocore==1.40.50",),
        sends=(
            "boto3.client().put_object",
            "boto3.client().upload_file",
            "boto3.resource().Bucket().upload_fileobj",
            "boto3.resource().Bucket().put_object",
            "boto3.resource().Object().get",
            "boto3.resource().meta.client.list_objects",
            "boto3.resource().Bucket().objects.all",
        ),
        local=("boto3.client().get_paginator", "boto3.resource().Bucket"),
    ),
    # boto3's API made async (its Session derives from boto3's; its resources are built from
    # boto3's resource models, its clients from botocore's service models through aiobotocore):
    # boto3's model under aioboto3's names
    Pin(
        "aioboto3",
        "15.5.0",
        ">=9,<16",
        "Amazon Web Services",
        ("aioboto3",),
        also=("boto3==1.40.50", "botocore==1.40.50"),
        sends=(
            "aioboto3.Session().resource().Table().get_item",
            "aioboto3.Session().client().put_object",
            "aioboto3.Session().resource().Table().meta.client.describe_table",
        ),
        local=("aioboto3.Session().client().get_paginator", "aioboto3.Session().resource().Table"),
    ),
    # botocore made async (its AioSession derives from botocore's Session; its clients are
    # botocore's, built from the same service models): botocore's model under aiobotocore's names
    Pin(
        "aiobotocore",
        "2.25.1",
        ">=2,<4",
        "Amazon Web Services",
        ("aiobotocore",),
        also=("botocore==1.40.50",),
        sends=(
            "aiobotocore.session.get_session().create_client().put_object",
            "aiobotocore.session.AioSession().create_client().receive_message",
            "aiobotocore.session.get_session().create_client().get_waiter().wait",
        ),
        local=(
            "aiobotocore.session.get_session().create_client().get_paginator",
            "aiobotocore.session.get_session().create_client().generate_presigned_url",
        ),
    ),
)

# The botocore layer made async, without boto3: its session class, as its source defines it, and
# the function that makes one. (botocore's own sessions are not modelled: botocore is imported
# by most code that uses boto3, for its exceptions, and as a vendor root every such file would
# be read by the call rules; boto3's model already holds botocore's clients.)
BOTOCORE_SESSIONS = {"aiobotocore": ("AioSession", "get_session")}


def aioboto3_session(folder: Path) -> str:
    """The boto3 class aioboto3's Session derives from, read from its source (its methods and
    what they return are boto3's, made awaitable)."""
    tree = ast.parse((folder / "aioboto3" / "session.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Session":
            for base in node.bases:
                if dotted(base) == "boto3.session.Session":
                    return "boto3.session.Session"
    raise SystemExit("aioboto3: its Session no longer derives from boto3.session.Session; review the model")


def botocore_session(folder: Path, dist: str) -> dict[str, Any]:
    """The session API of aiobotocore, read from its ``session.py``: the session class must
    derive from botocore's Session and define ``create_client``, and the module's
    ``get_session`` must return one. Returns the model's names, classes and functions for it;
    its clients are botocore's ``BaseClient``."""
    cls_name, maker = BOTOCORE_SESSIONS[dist]
    tree = ast.parse((folder / dist / "session.py").read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    cls, function = classes.get(cls_name), functions.get(maker)
    if cls is None or function is None:
        raise SystemExit(f"{dist}: session.py no longer defines {cls_name} and {maker}; review the model")
    methods = {node.name for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if "create_client" not in methods:
        raise SystemExit(f"{dist}: {cls_name} no longer defines create_client; review the model")
    imported = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names
    }
    bases = {imported.get(dotted(base) or "", dotted(base)) for base in cls.bases}
    if "botocore.session.Session" not in bases:
        raise SystemExit("aiobotocore: AioSession no longer derives from botocore's Session; review the model")
    returned = [node.value for node in ast.walk(function) if isinstance(node, ast.Return) and node.value is not None]
    if not any(isinstance(value, ast.Call) and dotted(value.func) == cls_name for value in returned):
        raise SystemExit(f"{dist}: {maker} no longer returns a {cls_name}; review the model")
    session = f"{dist}.session.{cls_name}"
    return {
        "names": {session: session},
        "classes": {session: {"methods": {"create_client": {"sends": False, "returns": "botocore.client.BaseClient"}}}},
        "functions": {f"{dist}.session.{maker}": {"sends": False, "returns": session}},
    }


def download(specs: list[str], into: Path) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    # A wheel where there is one; else the source distribution (its .py files are the same).
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--prefer-binary", "-d", str(into)] + specs,
        check=True,
    )
    archives = []
    for spec in specs:
        name, _, version = spec.partition("==")
        stems = {name.replace("-", "_").lower(), name.lower()}
        found = [
            w
            for w in sorted(into.iterdir())
            if any(w.name.lower().startswith(f"{stem}-{version}") for stem in stems)
            and w.name.endswith((".whl", ".tar.gz", ".zip"))
        ]
        if not found:
            raise SystemExit(f"no wheel or source distribution of {spec} in {into}")
        archives.append(sorted(found, key=lambda w: not w.name.endswith(".whl"))[0])
    return archives


def unpack(archive: Path, into: Path) -> None:
    """The .py and model files of a wheel, or of a source distribution's package folders
    (moved up to ``into`` from ``name-version/`` or ``name-version/src/``)."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as wheel:
            members = [m for m in wheel.namelist() if m.endswith((".py", ".json", ".json.gz"))]
            wheel.extractall(into, members)
        return
    import shutil
    import tarfile

    with tarfile.open(archive) as sdist, tempfile.TemporaryDirectory() as scratch:
        sources = [m for m in sdist.getmembers() if m.isfile() and m.name.endswith(".py")]
        sdist.extractall(scratch, sources, filter="data")
        top = next(Path(scratch).iterdir())
        base = top / "src" if (top / "src").is_dir() else top
        for entry in base.iterdir():
            if entry.name in ("setup.py", "tests", "test", "docs"):
                continue
            target = into / entry.name
            if entry.is_dir() and not target.exists():
                shutil.copytree(entry, target)
            elif entry.is_file() and not target.exists():
                shutil.copy(entry, target)


def prune(model: dict[str, Any]) -> dict[str, Any]:
    """Keep what a linter needs: clients (classes with a method that sends or is not known, or
    attributes leading to one) and the names and functions of the SDK; response data is left
    out (a type the model does not list is never a sender)."""
    kept = {name for name, entry in model["classes"].items() if entry["kind"] == "client"}
    changed = True
    while changed:  # a factory of clients is kept too: `OWM().weather_manager()` leads to one
        changed = False
        for name, entry in model["classes"].items():
            if name in kept:
                continue
            leads = set(entry.get("attributes", {}).values())
            leads |= {method["returns"] for method in entry.get("methods", {}).values() if "returns" in method}
            if leads & kept:
                kept.add(name)
                changed = True
    classes = {name: dict(entry) for name, entry in model["classes"].items() if name in kept}
    for entry in classes.values():
        entry.pop("kind")
        bases = [base for base in entry.pop("bases", ()) if base in kept]
        if bases:
            entry["bases"] = bases
    functions = model["functions"]
    names = {alias: target for alias, target in model["names"].items() if target in classes or target in functions}
    instances = {name: cls for name, cls in model.get("instances", {}).items() if cls in classes}
    return {"names": names, "instances": instances, "classes": classes, "functions": functions}


def boto3_resources(folder: Path, xform_name: Any, resource: str, collection: str, meta: str) -> dict[str, Any]:
    """boto3's resource API through its resource models (``boto3/data/*/*/resources-1.json``):
    an action, ``load``/``reload`` and a waiter send; a sub-resource (``s3.Bucket(name)``) is a
    local reference; a collection (``bucket.objects``) sends as it is iterated; ``meta.client`` is
    the service's client. One class stands for every resource of every service."""
    actions: set[str] = {"load", "reload"}
    # an action gives a resource back only where its definition says so (`create_bucket` a
    # Bucket); otherwise the response, a dict (`obj.delete()["ResponseMetadata"]`)
    makes: dict[str, bool] = {}
    references: set[str] = set()
    collections: set[str] = set()
    batch: set[str] = set()
    for service in sorted((folder / "boto3" / "data").iterdir()):
        if not service.is_dir():
            continue
        latest = sorted(p for p in service.iterdir() if (p / "resources-1.json").exists())[-1:]
        for version in latest:
            data = json.loads((version / "resources-1.json").read_text(encoding="utf-8"))
            for shape in [data.get("service", {}), *data.get("resources", {}).values()]:
                for name, action in shape.get("actions", {}).items():
                    method, gives = xform_name(name), "resource" in action
                    actions.add(method)
                    makes[method] = makes.get(method, gives) and gives
                actions.update(f"wait_until_{xform_name(name)}" for name in shape.get("waiters", {}))
                references.update(shape.get("has", {}))
                collections.update(xform_name(name) for name in shape.get("hasMany", {}))
                for many in shape.get("hasMany", {}).values():
                    target = data.get("resources", {}).get(many.get("resource", {}).get("type", ""), {})
                    batch.update(xform_name(name) for name in target.get("batchActions", {}))
    methods = {name: {"sends": False, "returns": resource} for name in sorted(references)}
    methods.update(
        {
            name: {"sends": True, "returns": resource} if makes.get(name, False) else {"sends": True}
            for name in sorted(actions)
        }
    )
    lazy = {name: {"sends": True, "returns": collection} for name in ("all", "filter", "limit", "page_size", "pages")}
    return {
        resource: {
            "attributes": {**{name: collection for name in sorted(collections)}, "meta": meta},
            "methods": methods,
        },
        collection: {"methods": {**lazy, **{name: {"sends": True} for name in sorted(batch)}}},
        meta: {"attributes": {"client": "botocore.client.BaseClient"}},
    }


def boto3_injected(folder: Path, operations: set[str]) -> tuple[dict[str, bool], dict[str, bool]]:
    """The methods boto3 adds to clients and resources as they are created (S3's ``upload_file``,
    ``download_fileobj``, ``copy``, a Bucket's ``load`` ...), read from its own source: the handlers
    ``Session._register_default_handlers`` registers for ``creating-client-class.*`` and
    ``creating-resource-class.*`` events, and the attributes those handlers set
    (``inject_attribute(class_attributes, NAME, FUNCTION)`` or ``class_attributes[NAME] = FUNCTION``).
    A function sends when it calls an operation (or another sending method) on the object it is
    added to (``self.meta.client.head_object``), or hands that object to another call
    (``S3Transfer(self, config)``: the transfer runs the client's operations).
    Returns (client methods, resource methods): name -> sends."""
    package = folder / "boto3"
    session = ast.parse((package / "session.py").read_text(encoding="utf-8"))
    handlers: list[tuple[str, str]] = []  # (client|resource, dotted function)
    for node in ast.walk(session):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "register"):
            continue
        if len(node.args) < 2 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
            continue
        event, handler = node.args[0].value, node.args[1]
        kind = "client" if event.startswith("creating-client-class.") else "resource"
        if not event.startswith(("creating-client-class.", "creating-resource-class.")):
            continue
        if isinstance(handler, ast.Call) and handler.args and isinstance(handler.args[0], ast.Constant):
            target = handler.args[0].value
            if isinstance(target, str) and target.startswith("boto3."):
                handlers.append((kind, target))
    found: dict[str, dict[str, bool]] = {"client": {}, "resource": {}}
    trees: dict[str, ast.Module] = {}
    pending: list[tuple[str, str, ast.FunctionDef]] = []
    for kind, target in handlers:
        module, _, name = target.rpartition(".")
        path = folder.joinpath(*module.split(".")).with_suffix(".py")
        if not path.is_file():
            continue
        tree = trees.setdefault(module, ast.parse(path.read_text(encoding="utf-8")))
        functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        injector = functions.get(name)
        if injector is None:
            continue
        for node in ast.walk(injector):
            attribute: object = None
            value: ast.AST | None = None
            if isinstance(node, ast.Call) and dotted(node.func).endswith("inject_attribute") and len(node.args) == 3:
                attribute, value = node.args[1], node.args[2]
                attribute = attribute.value if isinstance(attribute, ast.Constant) else None
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
                key = node.targets[0].slice
                attribute = key.value if isinstance(key, ast.Constant) else None
                value = node.value
            if isinstance(attribute, str) and isinstance(value, ast.Name) and value.id in functions:
                pending.append((kind, attribute, functions[value.id]))
    sending = set(operations)
    changed = True
    while changed:  # an injected method may call another (a Bucket's upload_file: the client's)
        changed = False
        for kind, attribute, function in pending:
            sends = _injected_sends(function, sending)
            if sends and attribute not in sending:
                sending.add(attribute)
                changed = True
            found[kind][attribute] = found[kind].get(attribute, False) or sends
    return found["client"], found["resource"]


def _injected_sends(function: ast.FunctionDef, sending: set[str]) -> bool:
    receivers = {"self", "self.meta.client"}
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and dotted(node.func.value) in receivers and node.func.attr in sending:
            return True
        if any(isinstance(arg, ast.Name) and arg.id == "self" for arg in node.args):
            return True
    return False


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def boto3_model(folder: Path, with_boto3: bool = True) -> dict[str, Any]:
    """boto3's clients through botocore's service models (``with_boto3=False``: the clients
    only, without boto3's resources and the methods it adds to clients)."""
    spec = importlib.util.spec_from_file_location("_botocore_names", folder / "botocore" / "__init__.py")
    assert spec is not None and spec.loader is not None
    names = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(names)  # stdlib only: botocore's own xform_name
    operations: set[str] = set()
    services: dict[str, str] = {}
    for service in sorted((folder / "botocore" / "data").iterdir()):
        if not service.is_dir():
            continue
        versions = sorted(
            p for p in service.iterdir() if (p / "service-2.json.gz").exists() or (p / "service-2.json").exists()
        )
        if not versions:
            continue
        latest = versions[-1]
        path = latest / "service-2.json"
        if path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            import gzip

            text = gzip.decompress((latest / "service-2.json.gz").read_bytes()).decode("utf-8")
        data = json.loads(text)
        for operation in data.get("operations", {}):
            operations.add(names.xform_name(operation))
        services[service.name] = "botocore.client.BaseClient"
    client = {
        "methods": {
            **{name: {"sends": True} for name in sorted(operations)},
            "get_paginator": {"sends": False, "returns": "botocore.paginate.Paginator"},
            "get_waiter": {"sends": False, "returns": "botocore.waiter.Waiter"},
            "can_paginate": {"sends": False},
            "generate_presigned_url": {"sends": False},
            "generate_presigned_post": {"sends": False},
            "close": {"sends": False},
        }
    }
    resource, collection, meta = (
        "boto3.resources.base.ServiceResource",
        "boto3.resources.collection.ResourceCollection",
        "boto3.resources.base.ResourceMeta",
    )
    resources: dict[str, Any] = {}
    if with_boto3:
        resources = boto3_resources(folder, names.xform_name, resource, collection, meta)
        injected_client, injected_resource = boto3_injected(folder, operations)
        for name, sends in injected_client.items():
            client["methods"].setdefault(name, {"sends": sends})
        for name, sends in injected_resource.items():
            resources[resource]["methods"].setdefault(name, {"sends": sends})
    session = {
        "methods": {
            "client": {"sends": False, "returns": "botocore.client.BaseClient"},
            "resource": {"sends": False, "returns": resource},
        }
    }
    return {
        "names": {"boto3.session.Session": "boto3.session.Session", "boto3.Session": "boto3.session.Session"},
        "classes": {
            "botocore.client.BaseClient": client,
            "botocore.paginate.Paginator": {"methods": {"paginate": {"sends": True}}},
            "botocore.waiter.Waiter": {"methods": {"wait": {"sends": True}}},
            "boto3.session.Session": session,
            **resources,
        },
        "functions": {
            "boto3.client": {"sends": False, "returns": "botocore.client.BaseClient"},
            "boto3.resource": {"sends": False, "returns": resource},
        },
        "services": services,
        "hosts": ["*.amazonaws.com"],
        # The type stubs of boto3's clients (mypy-boto3-*, types-boto3-*): an annotation with one
        # of their `<Service>Client` classes declares a boto3 client.
        "stubs": {"prefixes": ["mypy_boto3_", "types_boto3_"], "suffix": "Client", "means": "boto3.client()"},
    }


def discovery_resources(folder: Path, model: dict[str, Any]) -> None:
    """googleapiclient's services are built at run time from the discovery documents the
    library ships (``discovery_cache/documents/*.json``): every resource and method they name,
    called on a service, gives back a local builder; only ``execute()`` sends. Added to the
    scanned model as the class ``build()`` returns."""
    names: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        for name, resource in node.get("resources", {}).items():
            names.add(name)
            walk(resource)
        names.update(node.get("methods", {}))

    for document in sorted((folder / "googleapiclient" / "discovery_cache" / "documents").glob("*.json")):
        walk(json.loads(document.read_text(encoding="utf-8")))
    resource = "googleapiclient.discovery.Resource"
    methods = {name: {"sends": False, "returns": resource} for name in sorted(names)}
    methods["execute"] = {"sends": True}
    model["classes"][resource] = {"methods": methods}
    model["functions"]["googleapiclient.discovery.build"]["returns"] = resource
    model["names"]["googleapiclient.discovery.build"] = "googleapiclient.discovery.build"


def generate(pin: Pin, cache: Path) -> dict[str, Any]:
    wheels = download([f"{pin.dist}=={pin.version}", *pin.also], cache / "wheels")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for wheel in wheels:
            unpack(wheel, folder)
        if pin.dist in BOTOCORE_SESSIONS:
            body = boto3_model(folder, with_boto3=False)
            hosts = body.pop("hosts")
            body.pop("stubs")
            session = botocore_session(folder, pin.dist)
            body["names"], body["functions"] = session["names"], session["functions"]
            body["classes"] = {name: cls for name, cls in body["classes"].items() if name.startswith("botocore.")}
            body["classes"].update(session["classes"])
            stubs = None
        elif pin.dist in ("boto3", "aioboto3"):
            body = boto3_model(folder)
            hosts = body.pop("hosts")
            stubs = body.pop("stubs")
            if pin.dist == "aioboto3":
                session_class = aioboto3_session(folder)
                body["names"] = {"aioboto3.Session": session_class, "aioboto3.session.Session": session_class}
                body["functions"] = {}  # aioboto3 has no module-level client() / resource()
                # the type stubs of its clients (types-aiobotocore-*): `client: S3Client`
                stubs = {"prefixes": ["types_aiobotocore_"], "suffix": "Client", "means": "aioboto3.Session().client()"}
        else:
            scanner = Scanner(folder, (*pin.roots, *pin.also_roots), (pager for pager, _ in pin.pagers))
            body = prune(scanner.model())
            hosts = scanner.hosts(pin.roots)
            stubs = None
            if pin.dist == "google-api-python-client":
                discovery_resources(folder, body)
    corrected: dict[str, str] = {f"{pager} (iterated)": why for pager, why in pin.pagers}
    for definition, sends, why in pin.corrections:
        owner, _, name = definition.rpartition(".")
        entry = body["functions"].get(definition) or body["classes"].get(owner, {}).get("methods", {}).get(name)
        if entry is None:
            raise SystemExit(f"{pin.dist}: the correction of {definition} names nothing the model holds")
        entry["sends"] = sends
        corrected[definition] = why
    return {
        "corrections": corrected,
        "format": FORMAT,
        "sdk": pin.dist,
        "version": pin.version,
        "versions": pin.versions,
        "vendor": pin.vendor,
        "roots": list(pin.roots),
        "generated_by": "python -m lint_canon.sdks.generate",
        "hosts": hosts,
        **({"stubs": stubs} if stubs else {}),
        **body,
    }


def review(pin: Pin, model: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The pin's documented calls against the model: (wrong verdicts, undecided ones). A wrong
    one keeps the model out: it would silence a call that sends, or report one that does not."""
    judged = SdkModel.from_data(model)
    wrong, undecided = [], []
    for chain, expected in [*((c, True) for c in pin.sends), *((c, False) for c in pin.local)]:
        sends = judged.judge(chain).sends
        if sends is None:
            undecided.append(chain)
        elif sends is not expected:
            wrong.append(f"{chain}: {'sends' if sends else 'local'}, documented {'sends' if expected else 'local'}")
    return wrong, undecided


def file_name(pin: Pin) -> str:
    return f"{pin.dist.lower().replace('_', '-')}-{pin.version.split('.')[0]}.json"


def readme_table() -> str:
    """The README's table of the shipped models."""
    rows = ["| vendor | SDK | scanned | shipped for |", "| --- | --- | --- | --- |"]
    for path in sorted(DATA.glob("*.json")):
        if path.name == "index.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        roots = ", ".join(data["roots"])
        rows.append(f"| {data['vendor']} | `{roots}` ({data['sdk']}) | {data['version']} | {data['versions']} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="distributions to regenerate")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "lint-canon-sdk-cache")
    parser.add_argument("--table", action="store_true", help="print the README's table of the shipped models")
    args = parser.parse_args(argv)
    if args.table:
        sys.stdout.write(readme_table())
        return 0
    DATA.mkdir(exist_ok=True)
    for pin in PINS:
        if args.only and pin.dist not in args.only:
            continue
        model = generate(pin, args.cache)
        wrong, undecided = review(pin, model)
        summary = (
            f"{pin.dist} {pin.version}: {len(model['classes'])} client classes, {len(model['functions'])} functions"
        )
        # A call documented to send that the model cannot decide: the model does not know the
        # SDK's own calls, and an SDK without a model is read more usefully (every call into it).
        wrong += [f"{chain}: not decided, documented sends" for chain in undecided if chain in pin.sends]
        if wrong:
            print(f"{summary}: NOT WRITTEN, the review failed: {'; '.join(wrong)}")
            (DATA / file_name(pin)).unlink(missing_ok=True)
            continue
        (DATA / file_name(pin)).write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        note = f"; undecided: {', '.join(undecided)}" if undecided else ""
        print(f"{summary}, hosts {model['hosts']}{note}")
    write_index(DATA)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
