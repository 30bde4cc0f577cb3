"""lint-canon: enforce a team's tool canon in Python code, dependency files and PostgreSQL."""

__version__ = "0.1.0"
