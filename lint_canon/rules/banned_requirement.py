"""CANON102 banned-requirement: a banned distribution declared as a dependency.

Names compare as PEP 503 normalises them (``Clearbit_SDK`` is ``clearbit-sdk``), in requirements
files (with their ``-r`` / ``-c`` includes) and in pyproject.toml (PEP 621 dependencies and
optional dependencies, PEP 735 dependency groups, build requirements, Poetry's tables).
A ban's ``allow_in`` is matched against the file that names the package: a requirement reached
through ``-r other.txt`` is allowed or not as ``other.txt`` is, whichever file included it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from lint_canon.canon.globs import match_path
from lint_canon.output.codes import rule_info
from lint_canon.project.dependencies import Dependency
from lint_canon.rules.base import DependencyReport, DependencyRule
from lint_canon_guard.config import Canon, canonicalize_name


class BannedRequirement(DependencyRule):
    info = rule_info("CANON102")

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        return any(ban.packages for ban in canon.banned)

    def check(self, dependencies: Iterable[Dependency], relpath: str) -> Iterator[DependencyReport]:
        root = os.path.abspath(self.canon.root)
        for dep in dependencies:
            ban = self.canon.banned_package(dep.name)
            if ban is None or (ban.allow_in and match_path(_relpath(dep, root, relpath), ban.allow_in)):
                continue
            normal = canonicalize_name(dep.name)
            shown = f"'{dep.name}'" if dep.name == normal else f"'{dep.name}' ({normal})"
            yield DependencyReport(dep, self.codes[0], f"banned package {shown}: {ban.reason}")


def _relpath(dep: Dependency, root: str, checked: str) -> str:
    """POSIX path of the file naming ``dep``, relative to the canon's folder (its display path
    when outside); ``checked``, the checked file's, when the dependency does not say."""
    if not dep.file:
        return checked
    absolute = os.path.abspath(dep.file)
    prefix = root.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return Path(dep.path).as_posix()
