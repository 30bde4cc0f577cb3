"""Look-alike hosts are not the tool or the ban they resemble (they are other vendors)."""

import requests


def lookalikes():
    requests.get("https://evilapollo.io/v1/people")  # CANON201
    requests.get("https://api.hunter.io.evil.com/v2")  # CANON201
    requests.get("https://notclearbit.com/v1")  # CANON201
    requests.get("https://person.clearbit.com.example.org/v2")  # CANON201
    requests.get("https://clearbit.com/v1/people")  # CANON202
    requests.get("https://x.y.clearbit.com/v1")  # CANON202
    requests.get("https://APOLLO.io/v1/health")  # CANON301
