"""Vendor SDK calls: unregistered (built-in list, vendor_modules), registered, constructors."""

import acme_enrich
import anthropic as ai
import openai
from openai import OpenAI
from pyhunter import PyHunter

from lint_canon.guard import InteractionType
from lint_canon.guard import enforce_tool_canon as guard


def summarise(text):
    openai.ChatCompletion.create(model="gpt-4", messages=[text])  # CANON201
    client = OpenAI()
    client.chat.completions.create(model="gpt-4o", messages=[text])  # CANON201
    return OpenAI().models.list()  # CANON201


def score(lead):
    return acme_enrich.score(lead)  # CANON201


class Writer:
    def __init__(self):
        self.llm = ai.Anthropic()

    def draft(self, topic):
        return self.llm.messages.create(model="claude", messages=[topic])  # CANON301

    @guard("TOOL-030", "HUB-BLOG", InteractionType.READ)
    def guarded_draft(self, topic, gate_state):
        return self.llm.messages.create(model="claude", messages=[topic])


@guard("TOOL-008", "HUB-COMPANY-TARGET", InteractionType.ENRICH)
def find_emails(domain, gate_state):
    hunter = PyHunter("key")
    return hunter.domain_search(domain)


def unguarded_emails(domain):
    return PyHunter("key").domain_search(domain)  # CANON301


def not_calls():
    try:
        raise openai.APIError("quota")
    except openai.RateLimitError:
        pass
    message = OpenAI
    return message
