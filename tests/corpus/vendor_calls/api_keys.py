"""Secret-looking environment variables: owned by a tool, or not."""

import os
from os import environ, getenv

SENDGRID = "SENDGRID_API_KEY"

hunter = os.environ["HUNTER_API_KEY"]
apollo = os.environ.get("APOLLO_API_KEY")
anthropic_key = getenv("ANTHROPIC_API_KEY")

openai_key = os.environ["OPENAI_API_KEY"]  # CANON203
sendgrid = os.getenv(SENDGRID)  # CANON203
slack = environ.get("SLACK_BOT_TOKEN", "")  # CANON203
stripe = os.environ.setdefault("STRIPE_SECRET_KEY", "")  # CANON203
github = environ["GITHUB_TOKEN"]  # CANON203

region = os.environ["AWS_REGION"]
tokens = os.getenv("MAX_TOKENS")
home = environ.get("HOME")
dynamic = os.environ[f"{region}_API_KEY"]
