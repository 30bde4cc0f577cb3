"""What must stay silent: unknown URLs, our own services, look-alikes, strings and references."""

import logging

import requests

DOCS = "https://api.zerobounce.net/docs"
LOG = logging.getLogger(__name__)


def unknown(url, region, path):
    requests.get(url)
    requests.get(f"https://{region}.api.zerobounce.net/v2")
    requests.get("{}/v2/validate".format(url))
    requests.get(path + "/v2")
    requests.get(config()["url"])


def ours():
    requests.get("http://localhost:8080/health")
    requests.get("http://127.0.0.1:5000/x")
    requests.get("http://10.0.3.7/internal")
    requests.get("http://billing:8080/invoices")
    requests.get("https://orders.internal.example.com/v1/orders")
    requests.get("https://internal.example.com/")
    requests.get("http://[::1]:9000/")


def strings_and_references():
    LOG.info("calling https://api.zerobounce.net/v2/validate")
    print(DOCS)
    fetch = requests.get
    prepared = requests.Request("GET", DOCS)
    return fetch, prepared


def shadowed(requests):
    return requests.get(DOCS)


def config():
    return {"url": DOCS}
