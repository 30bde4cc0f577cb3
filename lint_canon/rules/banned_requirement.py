"""CANON102 banned-requirement: a banned distribution declared as a dependency.

Names compare as PEP 503 normalises them (``Clearbit_SDK`` is ``clearbit-sdk``), in requirements
files (with their ``-r`` / ``-c`` includes) and in pyproject.toml (PEP 621 dependencies and
optional dependencies, PEP 735 dependency groups, build requirements, Poetry's tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lint_canon.config import Canon, canonicalize_name
from lint_canon.deps import Dependency
from lint_canon.globs import match_path
from lint_canon.rules.base import DependencyReport, DependencyRule


class BannedRequirement(DependencyRule):
    codes = ("CANON102",)

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        return any(ban.packages for ban in canon.banned)

    def check(self, dependencies: Iterable[Dependency], relpath: str) -> Iterator[DependencyReport]:
        for dep in dependencies:
            ban = self.canon.banned_package(dep.name)
            if ban is None or (ban.allow_in and match_path(relpath, ban.allow_in)):
                continue
            normal = canonicalize_name(dep.name)
            shown = f"'{dep.name}'" if dep.name == normal else f"'{dep.name}' ({normal})"
            yield DependencyReport(dep, self.codes[0], f"banned package {shown}: {ban.reason}")
