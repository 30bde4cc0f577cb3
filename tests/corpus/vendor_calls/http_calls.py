"""HTTP clients and the ways a URL is spelled, all towards unregistered external hosts."""

import urllib.request
from urllib.parse import urljoin
from urllib.request import Request, urlopen

import aiohttp
import httpx
import requests
import urllib3

ZEROBOUNCE = "https://api.zerobounce.net/v2"
NEVERBOUNCE_HOST = "api.neverbounce.com"


def requests_forms(email, key):
    requests.get("https://api.zerobounce.net/v2/validate")  # CANON201
    requests.post(url="https://api.kickbox.com/v2/verify")  # CANON201
    requests.request("GET", f"{ZEROBOUNCE}/getcredits", params={"api_key": key})  # CANON201
    requests.get(ZEROBOUNCE + "/validate?email=" + email)  # CANON201
    requests.get(("https://api.emailable.com" "/v1/verify"))  # CANON201
    requests.get("https://api.zerobounce.net/v2/{}".format(email))  # CANON201
    requests.get("https://api.zerobounce.net/v2/%s" % email)  # CANON201
    requests.get(f"https://{NEVERBOUNCE_HOST}/v4/single/check")  # CANON201
    requests.get(urljoin(ZEROBOUNCE, "validate"))  # CANON201
    url = f"{ZEROBOUNCE}/activity"
    requests.get(url)  # CANON201


def sessions():
    session = requests.Session()
    session.get("https://api.zerobounce.net/v2/validate")  # CANON201
    with requests.session() as s:
        s.post("https://api.zerobounce.net/v2/validatebatch")  # CANON201


class Verifier:
    BASE = "https://api.zerobounce.net/v2"

    def __init__(self):
        self.http = requests.Session()

    def validate(self, email):
        return self.http.get(self.BASE + "/validate", params={"email": email})  # CANON201

    @classmethod
    def credits(cls):
        return requests.get(f"{cls.BASE}/getcredits")  # CANON201

    @staticmethod
    def activity():
        return requests.get(Verifier.BASE + "/activity")  # CANON201


def httpx_forms():
    httpx.get("https://api.zerobounce.net/v2/validate")  # CANON201
    with httpx.Client(base_url="https://api.zerobounce.net") as client:
        client.get("/v2/validate")  # CANON201
        client.request("POST", "/v2/validatebatch")  # CANON201
    httpx.Client(base_url="https://api.kickbox.com").post("/v2/verify")  # CANON201


async def async_forms():
    async with httpx.AsyncClient() as client:
        await client.get("https://api.zerobounce.net/v2/validate")  # CANON201
    async with aiohttp.ClientSession() as session:
        async with session.get("https://api.zerobounce.net/v2/validate") as response:  # CANON201
            await response.json()
    async with aiohttp.ClientSession("https://api.kickbox.com") as session:
        await session.post("/v2/verify")  # CANON201
    async with aiohttp.request("GET", "https://api.emailable.com/v1/verify") as response:  # CANON201
        return response


def urllib_forms(email):
    urlopen("https://api.zerobounce.net/v2/validate")  # CANON201
    urllib.request.urlopen(Request("https://api.kickbox.com/v2/verify"))  # CANON201
    request = Request(f"https://api.emailable.com/v1/verify?email={email}")
    urlopen(request)  # CANON201
    pool = urllib3.PoolManager()
    pool.request("GET", "https://api.zerobounce.net/v2/validate")  # CANON201
    urllib3.request("GET", "https://api.kickbox.com/v2/verify")  # CANON201
    urllib3.HTTPSConnectionPool("api.emailable.com").request("GET", "/v1/verify")  # CANON201
