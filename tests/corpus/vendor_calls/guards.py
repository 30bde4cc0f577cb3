"""Guard recognition (aliases, keywords, constants) and the guard's arguments."""

import lint_canon.guard as canon_guard
import requests
from ops.enforcement.tool_canon_guard import enforce_tool_canon as legacy_guard

from lint_canon.guard import InteractionType, enforce_tool_canon

HUNTER = "TOOL-008"
HUB = "HUB-COMPANY-TARGET"
HUNTER_URL = "https://api.hunter.io/v2"
APOLLO_URL = "https://api.apollo.io/v1"

requests.get(f"{HUNTER_URL}/account")  # CANON301


class Client:
    status = requests.get(HUNTER_URL + "/status")  # CANON301


@enforce_tool_canon(HUNTER, HUB, InteractionType.ENRICH)
def by_constants(domain, gate_state):
    return requests.get(f"{HUNTER_URL}/domain-search", params={"domain": domain})


@canon_guard.enforce_tool_canon(tool_id="TOOL-012", interaction_type="READ", hub_id="HUB-PEOPLE")
def by_keywords(name, gate_state):
    return requests.get(APOLLO_URL + "/people/search", params={"q": name})


@legacy_guard("TOOL-008", "HUB-COMPANY-TARGET", canon_guard.InteractionType.VALIDATE)
def by_legacy_name(email, gate_state):
    return requests.get(f"{HUNTER_URL}/email-verifier", params={"email": email})


@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
async def guarded_async(domain, gate_state):
    return list(map(lambda d: requests.get(f"{HUNTER_URL}/domain-search?domain={d}"), [domain]))


@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
def nested(domain, gate_state):
    def inner():
        return requests.get(f"{HUNTER_URL}/domain-search")  # CANON301

    return inner


@enforce_tool_canon("TOOL-999", "HUB-COMPANY-TARGET", InteractionType.ENRICH)  # CANON302
def unknown_tool(domain, gate_state):
    return requests.get(f"{HUNTER_URL}/domain-search")


@enforce_tool_canon("TOOL-008", "HUB-PEOPLE", InteractionType.ENRICH)  # CANON303
def out_of_scope(domain, gate_state):
    return requests.get(f"{HUNTER_URL}/domain-search")


@enforce_tool_canon("TOOL-008", "HUB-COMPANY-TARGET", "WRITE")  # CANON304
def wrong_interaction(domain, gate_state):
    return requests.get(f"{HUNTER_URL}/domain-search")


@enforce_tool_canon("TOOL-008", HUB, InteractionType.ENRICH)
def mismatch(domain, gate_state):
    requests.get(f"{HUNTER_URL}/domain-search")
    return requests.post(f"{APOLLO_URL}/mixed_people/search")  # CANON305


@enforce_tool_canon("TOOL-012", "HUB-PEOPLE", InteractionType.READ)
def guard_names_other_tool_than_banned_call(domain, gate_state):
    return requests.get("https://person.clearbit.com/v2/people")  # CANON202


def decorated_otherwise(domain):
    return requests.get(f"{HUNTER_URL}/domain-search")  # CANON301
