"""What ``vendors`` recognises calls by, as tables: the SDKs of paid services, the HTTP libraries'
functions and clients that send a request, and the SDK models' default hosts. The rules derive
their prefilter needles from the same tables (``lint_canon.rules.needles``); this module imports
no libcst, so that a run that parses nothing never imports it.
"""

from __future__ import annotations

from lint_canon.sdks.model import Models, models_for
from lint_canon_guard.hosts import host_matches

# Common SDKs of paid services: a call into one is a vendor call even if the canon lists no
# tool for it (then it is an unregistered one). `builtin_vendors: false` switches this off.
BUILTIN_VENDOR_MODULES: dict[str, str] = {
    # AI and language models
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "cohere": "Cohere",
    "mistralai": "Mistral AI",
    "google.generativeai": "Google Gemini",
    "google.genai": "Google Gemini",
    "groq": "Groq",
    "replicate": "Replicate",
    "together": "Together AI",
    "voyageai": "Voyage AI",
    "cerebras.cloud.sdk": "Cerebras",
    "ibm_watsonx_ai": "IBM watsonx.ai",
    "huggingface_hub.InferenceClient": "Hugging Face Inference",
    "huggingface_hub.AsyncInferenceClient": "Hugging Face Inference",
    "deepgram": "Deepgram",
    "assemblyai": "AssemblyAI",
    "elevenlabs": "ElevenLabs",
    # enrichment and sales intelligence
    "pyhunter": "Hunter.io",
    "clearbit": "Clearbit",
    "peopledatalabs": "People Data Labs",
    "proxycurl": "Proxycurl",
    "fullcontact": "FullContact",
    # email verification
    "zerobounce": "ZeroBounce",
    "neverbounce": "NeverBounce",
    "kickbox": "Kickbox",
    "emailable": "Emailable",
    # search
    "serpapi": "SerpApi",
    "tavily": "Tavily",
    "exa_py": "Exa",
    "googlemaps": "Google Maps",
    # messaging and email delivery
    "twilio": "Twilio",
    "sendgrid": "SendGrid",
    "mailchimp_marketing": "Mailchimp",
    "mailchimp_transactional": "Mailchimp Transactional",
    "postmarker": "Postmark",
    "vonage": "Vonage",
    "slack_sdk": "Slack",
    # payments
    "stripe": "Stripe",
    "braintree": "Braintree",
    "paypalrestsdk": "PayPal",
    "Adyen": "Adyen",
}

HTTP_LIBRARIES = ("requests", "httpx", "httpx2", "aiohttp", "urllib", "urllib3")
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})

# function or method qualname -> position of the URL argument (its keyword is "url")
HTTP_FUNCTIONS: dict[str, int] = {
    **{f"requests.{verb}": 0 for verb in _VERBS},
    "requests.request": 1,
    **{f"httpx.{verb}": 0 for verb in _VERBS},
    "httpx.request": 1,
    "httpx.stream": 1,
    # httpx2 (2.x) keeps httpx's API
    **{f"httpx2.{verb}": 0 for verb in _VERBS},
    "httpx2.request": 1,
    "httpx2.stream": 1,
    "aiohttp.request": 1,
    "urllib.request.urlopen": 0,
    "urllib3.request": 1,
}
# client class (or factory) -> (methods with the URL first, methods with the method first)
HTTP_CLIENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "requests.Session": (_VERBS, frozenset({"request"})),
    "requests.session": (_VERBS, frozenset({"request"})),
    "requests.sessions.Session": (_VERBS, frozenset({"request"})),
    "httpx.Client": (_VERBS, frozenset({"request", "stream"})),
    "httpx.AsyncClient": (_VERBS, frozenset({"request", "stream"})),
    "httpx2.Client": (_VERBS, frozenset({"request", "stream"})),
    "httpx2.AsyncClient": (_VERBS, frozenset({"request", "stream"})),
    "aiohttp.ClientSession": (_VERBS | {"ws_connect"}, frozenset({"request"})),
    "urllib3.PoolManager": (frozenset(), frozenset({"request", "urlopen"})),
    "urllib3.HTTPConnectionPool": (frozenset(), frozenset({"request", "urlopen"})),
    "urllib3.HTTPSConnectionPool": (frozenset(), frozenset({"request", "urlopen"})),
    "urllib3.connection_from_url": (frozenset(), frozenset({"request", "urlopen"})),
}


# Pools made from a bare host (no URL, no "://"): their requests go to that host.
BARE_HOST_CLIENTS = ("urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool")


def http_qualnames() -> frozenset[str]:
    """Every qualified name of the HTTP tables: functions that send, clients, bare-host pools."""
    return frozenset(HTTP_FUNCTIONS) | frozenset(HTTP_CLIENTS) | frozenset(BARE_HOST_CLIENTS)


def http_call_names(library: str) -> frozenset[str]:
    """The last names of the calls through ``library`` that can send a request: its functions
    (``get``, ``urlopen``) and the methods of its clients."""
    names = {qualname.rsplit(".", 1)[1] for qualname in HTTP_FUNCTIONS if qualname.split(".", 1)[0] == library}
    for client, (url_first, method_first) in HTTP_CLIENTS.items():
        if client.split(".", 1)[0] == library:
            names |= url_first | method_first
    return frozenset(names)


def default_host_covered(host: str, pattern: str) -> bool:
    """Whether an SDK's default host (``api.x.com``, or ``*.x.com`` for many) falls under a
    canon's host ``pattern``."""
    return host == pattern or host_matches(host.removeprefix("*."), pattern)


def shared_models() -> Models:
    """The shipped SDK models (each read when a file first needs it), for what needs no canon."""
    return models_for(None)
