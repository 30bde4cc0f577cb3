"""Generated spellings for the prefilter's differential test: small files that the rules DO
report, each spelled the way real code (or a pull request that wants to slip past) spells it —
names built with ``+``, f-strings, ``.format`` and ``%``, constants, aliases, continuations,
comments inside import parentheses, odd case, escapes, coding cookies — each written once
more in one other way, in turn (a BOM, CRLF or lone-CR line ends, tabs, a form feed, a
``latin-1`` cookie, a BOM with a cookie), and the first of each code in all of them.

``spellings()`` gives ``Spelling(name, code, data)``: ``code`` is the finding the file must
give when the rules run without the prefilter. ``pending`` names an engine feature that is
being added elsewhere (``from m import *`` binding banned names, ``lazy import``, NFKC
identifiers): until it lands the rules may not report the file, but the prefilter must
already let it through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CANON = """\
version: 1
hubs: [HUB-COMPANY-TARGET, HUB-PEOPLE, HUB-BLOG]
tools:
  - id: TOOL-008
    vendor: hunter
    hubs: [HUB-COMPANY-TARGET]
    interactions: [ENRICH]
    modules: [pyhunter]
    hosts: [api.hunter.io]
    api_key_env: HUNTER_API_KEY
  - id: TOOL-012
    vendor: apollo
    hubs: [HUB-PEOPLE]
    interactions: [READ]
    hosts: ["*.apollo.io"]
    api_key_env: APOLLO_API_KEY
banned:
  - reason: "Clearbit contract ended"
    modules: [clearbit]
    hosts: ["*.clearbit.com"]
  - reason: "spawn processes through ops/shell.py only"
    modules: [subprocess.Popen, os.system, xmlrpc.client]
vendor_modules: [acme_enrich]
allowed_hosts: ["*.internal.example.com"]
guard:
  decorators: [lint_canon.guard.enforce_tool_canon]
"""


@dataclass(frozen=True)
class Spelling:
    name: str
    code: str
    data: bytes
    pending: str = ""


# --- CANON101: banned modules and APIs ---------------------------------------------------

BANNED_IMPORTS = [
    "import clearbit\n",
    "import clearbit.enrichment as cb\n",
    "from clearbit import Enrichment\n",
    "from clearbit.enrichment import find\n",
    "import  clearbit\n",
    "import sys, clearbit\n",
    "import sys, \\\n    clearbit\n",
    "import sys;  import clearbit\n",
    "import sys ;import clearbit\n",
    "import sys;from clearbit import x\n",
    "if True:  import clearbit\n",
    "if True:\timport clearbit\n",
    "if True :from clearbit import x\n",
    "try: import clearbit\nexcept ImportError: pass\n",
    "def f():\n    import clearbit\n    return clearbit\n",
    "class C:\n    import clearbit as cb\n",
    "from \\\n    clearbit import x\n",
    "from clearbit \\\n    import x\n",
    "import \\\n    clearbit\n",
    "from clearbit . enrichment import find\n",
    "import clearbit . enrichment\n",
    "\x0cimport clearbit\n",
    "from subprocess import Popen\n",
    "from subprocess import Popen as P\n",
    "from subprocess import (\n    PIPE,  # a pipe (see below)\n    Popen,\n)\n",
    "from subprocess import (  # no Popen here)\n    call,\n    Popen)\n",
    "from subprocess import call, \\\n    Popen\n",
    "from subprocess import(Popen)\n",
    "import subprocess\nsubprocess.Popen(['ls'])\n",
    "import subprocess as sp\nsp.Popen(['ls'])\n",
    "import subprocess\nsubprocess . Popen(['ls'])\n",
    "import subprocess\nsubprocess.\\\n    Popen(['ls'])\n",
    "import subprocess\n(subprocess\n    .Popen)(['ls'])\n",
    "import subprocess\nrun = (subprocess  # the module\n    .Popen)\n",
    "import subprocess\nrun = (subprocess  # see http://x.org/a.Popen\n    .Popen)\n",
    "import os\nos.system('ls')\n",
    "import os.path\nos.system('ls')\n",
    "import os as o\no . system('ls')\n",
    "from os import system as run\nrun('ls')\n",
    "def f():\n    import os as o\n    return o.system('ls')\n",
    "import xmlrpc.client\n",
    "import xmlrpc . client as xc\n",
    "from xmlrpc import client\n",
    "from xmlrpc import client as c\n",
    "import xmlrpc\nxmlrpc.client.ServerProxy('x')\n",
    "from xmlrpc . client import ServerProxy\n",
    "import importlib\nimportlib.import_module('clearbit')\n",
    "from importlib import import_module as load\nload('clearbit.enrichment')\n",
    "__import__('clearbit')\n",
    "import importlib\nimportlib.import_module('subprocess.Popen')\n",
    "import importlib\nimportlib.import_module('clear\\x62it')\n",
    "import importlib\nimportlib.import_module('clear\\142it')\n",
    "import importlib\nimportlib.import_module('clear\\N{LATIN SMALL LETTER B}it')\n",
    "import importlib\nimportlib.import_module('clear\\\nbit')\n",
    "import importlib\nimportlib.import_module('os.sy\\u0073tem')\n",
    "import importlib\nimportlib.import_module(r'clearbit')\n",
    "import importlib\nimportlib.import_module('''clearbit''')\n",
]
PENDING_BANNED_IMPORTS = [
    ("star", "from subprocess import *\nPopen(['ls'])\n"),
    ("star", "from os import *\nsystem('ls')\n"),
    ("star", "from xmlrpc.client import *\nServerProxy('x')\n"),
    ("lazy", "lazy import clearbit\n"),
    ("lazy", "lazy from subprocess import Popen\n"),
    ("lazy", "lazy  from clearbit import x\n"),
    ("lazy", "lazy import subprocess as sp\nsp.Popen(['ls'])\n"),
    ("nfkc", "import \uff43\uff4c\uff45\uff41\uff52\uff42\uff49\uff54\n"),
    ("nfkc", "import subprocess\nsubprocess.\uff30open(['ls'])\n"),
    ("nfkc", "import \uff4fs\n\uff4fs.system('ls')\n"),
    ("nfkc", "from subprocess import \uff30open\n"),
]

# --- CANON201: unregistered vendors -------------------------------------------------------

_ZB = "api.zerobounce.net"
UNREGISTERED_CALLS = [
    f"import requests\nrequests.get('https://{_ZB}/v2/validate')\n",
    "import requests\nrequests.get('HTTPS://API.ZeroBounce.NET/v2')\n",
    f"import requests\nrequests.get('https://{_ZB}./v2')\n",
    f"import requests\nrequests.get('https://user:pw@{_ZB}:443/v2')\n",
    f"import requests\nrequests.post(url='https://{_ZB}/v2')\n",
    f"from requests import post as send\nsend('https://{_ZB}/v2')\n",
    f"import requests as r\nr.request('GET', 'https://{_ZB}/v2')\n",
    f"import requests\nBASE = 'https://{_ZB}'\nrequests.get(BASE + '/v2')\n",
    f"import requests\nHOST = '{_ZB}'\nrequests.get(f'https://{{HOST}}/v2')\n",
    f"import requests\nSCHEME = 'https'\nrequests.get(SCHEME + '://{_ZB}/v2')\n",
    f"import requests\nrequests.get('https://{_ZB}/%s' % 'v2')\n",
    f"import requests\nrequests.get('https://{_ZB}/{{}}'.format('v2'))\n",
    f"import requests\nrequests.get('https:/' + '/{_ZB}/v2')\n",
    f"import requests\nrequests.get('https:' '//{_ZB}/v2')\n",
    f"import requests\nrequests.get('https:'\n    '//{_ZB}/v2')\n",
    f"import requests\nrequests.get('https:' \\\n    '//{_ZB}/v2')\n",
    f"import requests\nrequests.get(('https:'\n    # the host\n    '//{_ZB}/v2'))\n",
    f"import requests\nSLASHES = '//'\nrequests.get(f'https:{{SLASHES}}{_ZB}/v2')\n",
    f"import requests\nrequests.get('https\\x3a//{_ZB}/v2')\n",
    f"import requests\nrequests.get('https\\072//{_ZB}/v2')\n",
    f"import requests\nrequests.get('https\\u003A//{_ZB}/v2')\n",
    f"import requests\nrequests.get('https\\N{{COLON}}//{_ZB}/v2')\n",
    f"import requests\nrequests.get('https:\\x2f/{_ZB}/v2')\n",
    f"import requests\nrequests.get('https:\\\n//{_ZB}/v2')\n",
    f"import requests\nCOLON = ':'\nrequests.get('https' + COLON + '//{_ZB}/v2')\n",
    f"import requests\nclass Z:\n    BASE = 'https://{_ZB}'\n\n    def f(self):\n        return requests.get(self.BASE + '/v2')\n",
    f"import requests\nsession = requests.Session()\nsession.get('https://{_ZB}/v2')\n",
    f"import requests\nwith requests.Session() as s:\n    s.get('https://{_ZB}/v2')\n",
    f"import httpx\nclient = httpx.Client(base_url='https://{_ZB}')\nclient.get('/v2')\n",
    f"import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n        await c.stream('GET', 'https://{_ZB}/v2')\n",
    f"import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n        await s.ws_connect('wss://{_ZB}/v2')\n",
    f"from urllib.request import urlopen, Request\nurlopen(Request('https://{_ZB}/v2'))\n",
    f"import urllib.request\nurllib.request.urlopen('https://{_ZB}/v2')\n",
    f"from urllib.parse import urljoin\nimport requests\nrequests.get(urljoin('https://{_ZB}', 'v2'))\n",
    f"import urllib3\nurllib3.PoolManager().request('GET', 'https://{_ZB}/v2')\n",
    f"import urllib3\npool = urllib3.HTTPSConnectionPool('{_ZB}')\npool.request('GET', '/v2')\n",
    "from urllib3 import HTTPSConnectionPool as Pool\nPool('API.ZEROBOUNCE.NET').urlopen('GET', '/v2')\n",
    "from urllib3 import HTTPConnectionPool\nHOST = 'API.ZEROBOUNCE.NET'\nHTTPConnectionPool(HOST).request('GET', '/v2')\n",
    f"import urllib3\nurllib3.connection_from_url('https://{_ZB}').request('GET', '/v2')\n",
    "import acme_enrich\nacme_enrich.lookup(1)\n",
    "from acme_enrich.client import lookup\nlookup(1)\n",
    "import openai\nopenai.completions.create()\n",
    "import openai as oa\nclient = oa.OpenAI()\nclient.chat.completions.create()\n",
    "from stripe import Charge\nCharge.create(amount=1)\n",
    "import importlib\nimport stripe\nstripe.Charge.create(amount=1)\n",
]
PENDING_UNREGISTERED_CALLS = [
    ("star", f"from requests import *\nget('https://{_ZB}/v2')\n"),
    ("lazy", f"lazy import requests\nrequests.get('https://{_ZB}/v2')\n"),
    ("lazy", "lazy import acme_enrich\nacme_enrich.lookup(1)\n"),
    ("nfkc", f"import \uff52equests\nrequests.\uff47et('https://{_ZB}/v2')\n"),
]

# --- CANON202: banned hosts ---------------------------------------------------------------

BANNED_CALLS = [
    "import requests\nrequests.get('https://person.clearbit.com/v2')\n",
    "import requests\nrequests.get('https://PERSON.Clearbit.COM/v2')\n",
    "import requests\nrequests.get('HTTPS://CLEARBIT.COM')\n",
    "import requests\nrequests.get('https://person.clearbit.com./v2')\n",
    "import requests\nSUB = 'person'\nrequests.get(f'https://{SUB}.clearbit.com/v2')\n",
    "import requests\nDOMAIN = 'clearbit.com'\nrequests.get(f'https://person.{DOMAIN}/v2')\n",
    "import requests\nrequests.get('https://person.clear' + 'bit.com/v2')\n",
    "import requests\nrequests.get('https://person.clearbit' '.com/v2')\n",
    "import requests\nrequests.get('https://person.clearbit\\x2ecom/v2')\n",
    "import requests\nrequests.get('https://person.\\x63learbit.com/v2')\n",
    "import requests\nrequests.get('https://Person.ClearBit.Com/%s' % 'v2')\n",
    "import requests\nrequests.get('https://person.clearbit.com/{}'.format('v2'))\n",
    "import requests\nBASE = 'https://person.clearbit.com'\ndef f():\n    return requests.get(BASE + '/v2')\n",
    "import httpx\nhttpx.Client(base_url='https://person.clearbit.com').get('/v2')\n",
    "import urllib3\nurllib3.HTTPSConnectionPool('Person.Clearbit.Com').request('GET', '/v2')\n",
    "from urllib.request import urlopen\nurlopen(f'https://logo.clearbit.com/{1}')\n",
    # a host in full-width letters or dots: IDNA maps it to the same host
    "import requests\nrequests.get('https://person.\uff43learbit.com/v2')\n",
    "import requests\nrequests.get('https://person\uff0eclearbit\u3002com/v2')\n",
]
PENDING_BANNED_CALLS: list[tuple[str, str]] = []

# --- CANON203: secret-looking environment variables -------------------------------------

API_KEYS = [
    "import os\nos.environ['ZEROBOUNCE_API_KEY']\n",
    "import os\nos.getenv('ACME_SECRET_KEY')\n",
    "import os\nos.environ['STRIPE_SECRET_KEY']\n",
    "import os\nos.environ.get('acme_token')\n",
    "import os\nos.environ['Acme_Api_Key']\n",
    "import os\nos.environ['ACME_APIKEY']\n",
    "import os\nos.environ['AWS_ACCESS_KEY']\n",
    "import os\nos.environ['SSH_PRIVATE_KEY']\n",
    "import os\nos.environ['ACME_AUTH_KEY']\n",
    "import os\nos.environ['ACME_SECRET']\n",
    "import os\nos.environ['TOKEN']\n",
    "import os\nos.environ.setdefault('ACME_TOKEN', '')\n",
    "import os\ntoken = os.environ.pop('ACME_TOKEN')\n",  # as a statement it only clears: not a read
    "import os\nos.getenv(key='ACME_TOKEN')\n",
    "import os\nos.environ['''ACME_TOKEN''']\n",
    "import os\nos.environ[r'ACME_TOKEN']\n",
    "import os\nos.environ['ACME_' + 'TOKEN']\n",
    "import os\nos.environ['ACME_TO' + 'KEN']\n",
    "import os\nos.environ['ACME_TOK' 'EN']\n",
    "import os\nos.environ['ACME_TOK'\n    'EN']\n",
    "import os\nos.environ['ACME_TOK' \\\n    'EN']\n",
    "import os\nos.environ[('ACME_T'  # the prefix\n    'OKEN')]\n",
    "import os\nPREFIX = 'ACME'\nos.environ[f'{PREFIX}_TOKEN']\n",
    "import os\nSUFFIX = 'TOKEN'\nos.environ[f'ACME_{SUFFIX}']\n",
    "import os\nSUFFIX = 'OKEN'\nos.environ['ACME_T' + SUFFIX]\n",
    "import os\nos.environ[f\"ACME_TOK{'EN'}\"]\n",
    "import os\nos.environ['ACME_TOKE\\x4e']\n",
    "import os\nos.environ['ACME_TOKE\\116']\n",
    "import os\nos.environ['ACME_TOKE\\N{LATIN CAPITAL LETTER N}']\n",
    "import os\nos.environ['ACME_SECRET_K\\u0045Y']\n",
    "import os\nos.environ['ACME_TOK\\\nEN']\n",
    "import os\nNAME = 'ACME_TOKEN'\nos.environ[NAME]\n",
    "import os\nclass Keys:\n    NAME = 'ACME_TOKEN'\n\n    def read(self):\n        return os.environ[self.NAME]\n",
    "import os\nclass Keys:\n    NAME = 'ACME_TOKEN'\n\nos.environ[Keys.NAME]\n",
    "import os as o\no.environ['ACME_TOKEN']\n",
    "import os.path\nos.environ['ACME_TOKEN']\n",
    "from os import environ as env\nenv['ACME_TOKEN']\n",
    "from os import getenv\ngetenv('acme_api_key')\n",
    "from os import (\n    environ,  # the environment\n)\nenviron.get('ACME_TOKEN')\n",
    "import os\nos . environ [ 'ACME_TOKEN' ]\n",
    "import os\n(os\n .environ)['ACME_TOKEN']\n",
]
PENDING_API_KEYS = [
    ("star", "from os import *\nenviron['ACME_TOKEN']\n"),
    ("star", "from os import *\ngetenv('ACME_TOKEN')\n"),
    ("lazy", "lazy import os\nos.environ['ACME_TOKEN']\n"),
    ("nfkc", "import os\nos.\uff45nviron['ACME_TOKEN']\n"),
]

# --- CANON301: registered vendor calls without the guard ---------------------------------

MISSING_GUARDS = [
    "import pyhunter\n\ndef f(k):\n    return pyhunter.PyHunter(k).domain_search('x.com')\n",
    "from pyhunter import PyHunter as PH\n\ndef f(k):\n    return PH(k).domain_search('x.com')\n",
    "import pyhunter\npyhunter.PyHunter('k').domain_search('x.com')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api.hunter.io/v2/domain-search')\n",
    "import requests\n\ndef f():\n    return requests.get('https://API.Hunter.IO/v2')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api.hunter.io./v2')\n",
    "import requests\nSUB = 'api'\n\ndef f():\n    return requests.get(f'https://{SUB}.hunter.io/v2')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api.' + 'hunter.io/v2')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api.hun' 'ter.io/v2')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api\\x2ehunter.io/v2')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api.hunter.io/v2/%s' % 'x')\n",
    "import requests\n\ndef f():\n    return requests.get('https://api.hunter.io/{}'.format('v2'))\n",
    "from urllib.parse import urljoin\nimport requests\n\ndef f():\n    return requests.get(urljoin('https://API.HUNTER.IO', 'v2'))\n",
    "import httpx\n\ndef f():\n    with httpx.Client(base_url='https://api.hunter.io') as c:\n        return c.get('/v2')\n",
    "import urllib3\n\ndef f():\n    return urllib3.HTTPSConnectionPool('api.hunter.io').request('GET', '/v2')\n",
    "import urllib3\n\ndef f():\n    return urllib3.HTTPSConnectionPool('Api.Hunter.Io').request('GET', '/v2')\n",
    "import requests\n\ndef f():\n    return requests.get('https://people.apollo.io/v1')\n",
    "import requests\n\ndef f():\n    return requests.get('https://APOLLO.IO./v1')\n",
    "import requests\nDOMAIN = 'apollo.io'\n\ndef f():\n    return requests.get('https://x.' + DOMAIN + '/v1')\n",
    "import requests\nclass Apollo:\n    BASE = 'https://api.apollo.io'\n\n    def f(self):\n        return requests.get(self.BASE + '/v1')\n",
]
PENDING_MISSING_GUARDS = [
    ("lazy", "lazy import pyhunter\n\ndef f(k):\n    return pyhunter.PyHunter(k).domain_search('x.com')\n"),
    ("star", "from requests import *\n\ndef f():\n    return get('https://api.hunter.io/v2')\n"),
]

# --- CANON302-305: the guard's arguments -------------------------------------------------

_GUARD_HEADS = [
    ("from lint_canon.guard import InteractionType, enforce_tool_canon\n", "enforce_tool_canon"),
    ("from lint_canon.guard import InteractionType, enforce_tool_canon as guard\n", "guard"),
    ("import lint_canon.guard as g\nfrom lint_canon.guard import InteractionType\n", "g.enforce_tool_canon"),
    ("from lint_canon import guard\nfrom lint_canon.guard import InteractionType\n", "guard.enforce_tool_canon"),
    ("import lint_canon.guard\nfrom lint_canon.guard import InteractionType\n", "lint_canon.guard.enforce_tool_canon"),
    (
        "from lint_canon.guard import (\n    InteractionType,  # enums\n    enforce_tool_canon,\n)\n",
        "enforce_tool_canon",
    ),
    ("from lint_canon.guard import InteractionType, \\\n    enforce_tool_canon\n", "enforce_tool_canon"),
]


def _guarded(head: str, decorator: str, args: str, body: str = "    return 1\n", before: str = "") -> str:
    return f"{head}{before}\n\n@{decorator}({args})\ndef f(gate_state=None):\n{body}"


_HUNTER_CALL = "    import requests\n    return requests.get('https://api.hunter.io/v2')\n"
_APOLLO_CALL = "    import requests\n    return requests.get('https://api.apollo.io/v1')\n"


def _guard_variants() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for head, decorator in _GUARD_HEADS:
        out.append(("CANON302", _guarded(head, decorator, "'TOOL-999', 'HUB-COMPANY-TARGET', InteractionType.ENRICH")))
        out.append(("CANON303", _guarded(head, decorator, "'TOOL-008', 'HUB-PEOPLE', InteractionType.ENRICH")))
        out.append(("CANON304", _guarded(head, decorator, "'TOOL-008', 'HUB-COMPANY-TARGET', InteractionType.READ")))
        out.append(
            ("CANON305", _guarded(head, decorator, "'TOOL-012', 'HUB-PEOPLE', InteractionType.READ", _HUNTER_CALL))
        )
    head, decorator = _GUARD_HEADS[0]
    out += [
        ("CANON302", _guarded(head, decorator, "TOOL, 'HUB-COMPANY-TARGET', 'ENRICH'", before="TOOL = 'TOOL-999'")),
        ("CANON302", _guarded(head, decorator, "'TOOL-' + '999', 'HUB-COMPANY-TARGET'")),
        ("CANON302", _guarded(head, decorator, "f'TOOL-{N}', 'HUB-COMPANY-TARGET'", before="N = '999'")),
        ("CANON302", _guarded(head, decorator, "tool_id='TOOL-999'")),
        ("CANON303", _guarded(head, decorator, "'TOOL-008', hub_id='HUB-' + 'BLOG'")),
        ("CANON304", _guarded(head, decorator, "'TOOL-008', 'HUB-COMPANY-TARGET', interaction_type='READ'")),
        ("CANON304", _guarded(head, decorator, "'TOOL-012', 'HUB-PEOPLE', InteractionType.WRITE")),
        ("CANON305", _guarded(head, decorator, "'TOOL-008', 'HUB-COMPANY-TARGET', 'ENRICH'", _APOLLO_CALL)),
        (
            "CANON305",
            _guarded(
                head,
                decorator,
                "'TOOL-012', 'HUB-PEOPLE', 'READ'",
                "    import pyhunter\n    return pyhunter.PyHunter('k').domain_search('x.com')\n",
            ),
        ),
    ]
    return out


PENDING_GUARDS = [
    (
        "star",
        "CANON302",
        "from lint_canon.guard import *\n\n@enforce_tool_canon('TOOL-999', 'HUB-PEOPLE')\ndef f():\n    pass\n",
    ),
    (
        "lazy",
        "CANON302",
        "lazy from lint_canon.guard import enforce_tool_canon\n\n@enforce_tool_canon('TOOL-999', 'HUB-PEOPLE')\ndef f():\n    pass\n",
    ),
]

# --- files that are only right as they are (no other writing) ------------------------------

AS_WRITTEN = [
    # UTF-7: Python decodes "+AGk-" as "i" (the prefilter judges the decoded text too)
    ("CANON101", b"# -*- coding: utf-7 -*-\n+AGk-mport clearbit\n"),
    ("CANON203", b"# -*- coding: utf-7 -*-\nimport os\nos.+AGU-nviron['ACME_TOKEN']\n"),
    ("CANON201", b"# coding=cp1252\n# \x93quoted\x94\nimport requests\nrequests.get('https://api.zerobounce.net')\n"),
    ("CANON101", b"\xef\xbb\xbfimport clearbit\r\n"),
    ("CANON203", "import os\n# caf\u00e9\nos.environ['\u00c9T\u00c9_TOKEN']\n".encode()),
]

# --- the same files, written otherwise ---------------------------------------------------


def _bom(source: bytes) -> bytes:
    return b"\xef\xbb\xbf" + source


def _crlf(source: bytes) -> bytes:
    return source.replace(b"\n", b"\r\n")


def _cr(source: bytes) -> bytes:
    return source.replace(b"\n", b"\r")


def _tabs(source: bytes) -> bytes:
    source = re.sub(rb"(?m)^((?:    )+)", lambda m: b"\t" * (len(m.group(1)) // 4), source)
    return re.sub(rb"(?m)^(import|from) ", rb"\1\t", source)


def _latin1(source: bytes) -> bytes:
    return b"# -*- coding: latin-1 -*-\n# r\xe9sum\xe9 of the caf\xe9\n" + source


def _formfeed(source: bytes) -> bytes:
    return b"\x0c\n" + source.replace(b"\nimport ", b"\n\x0cimport ")


def _bom_cookie(source: bytes) -> bytes:
    return b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n" + source


WRITINGS = {
    "bom": _bom,
    "crlf": _crlf,
    "cr": _cr,
    "tabs": _tabs,
    "latin1": _latin1,
    "formfeed": _formfeed,
    "bomcookie": _bom_cookie,
}


def spellings() -> list[Spelling]:
    plain: list[tuple[str, str, str]] = []  # (code, source, pending)
    plain += [("CANON101", s, "") for s in BANNED_IMPORTS]
    plain += [("CANON101", s, p) for p, s in PENDING_BANNED_IMPORTS]
    plain += [("CANON201", s, "") for s in UNREGISTERED_CALLS]
    plain += [("CANON201", s, p) for p, s in PENDING_UNREGISTERED_CALLS]
    plain += [("CANON202", s, "") for s in BANNED_CALLS]
    plain += [("CANON202", s, p) for p, s in PENDING_BANNED_CALLS]
    plain += [("CANON203", s, "") for s in API_KEYS]
    plain += [("CANON203", s, p) for p, s in PENDING_API_KEYS]
    plain += [("CANON301", s, "") for s in MISSING_GUARDS]
    plain += [("CANON301", s, p) for p, s in PENDING_MISSING_GUARDS]
    plain += [(code, s, "") for code, s in _guard_variants()]
    plain += [(code, s, p) for p, code, s in PENDING_GUARDS]
    out: list[Spelling] = []
    counts: dict[str, int] = {}
    labels = list(WRITINGS)
    for i, (code, source, pending) in enumerate(plain):
        n = counts[code] = counts.get(code, 0) + 1
        data = source.encode("utf-8")
        out.append(Spelling(f"{code}_{n:03d}", code, data, pending))
        if pending or not data.isascii():
            continue
        # Each file written otherwise once more (the line ends, BOMs and cookies must not
        # matter), in turn; the first of each code in every way.
        for label in labels if n == 1 else [labels[i % len(labels)]]:
            out.append(Spelling(f"{code}_{n:03d}_{label}", code, WRITINGS[label](data)))
    for i, (code, data) in enumerate(AS_WRITTEN, 1):
        out.append(Spelling(f"{code}_as_written_{i}", code, data))
    return out


def write_spellings(folder: Path) -> list[Spelling]:
    """Write the canon and every spelling into ``folder``; return the spellings."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "canon.yaml").write_text(CANON)
    found = spellings()
    for spelling in found:
        (folder / f"{spelling.name}.py").write_bytes(spelling.data)
    return found
