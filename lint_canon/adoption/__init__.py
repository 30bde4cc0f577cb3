"""Adopting lint-canon on an existing repository: what it uses today (``inventory``) and a
draft canon made from that (``init``)."""
