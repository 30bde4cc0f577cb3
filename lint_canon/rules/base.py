"""The two shapes of rule: a visitor over Python files, and a check over declared dependencies.
Rules only look and ``report``; the engine reads, parses, positions and filters.

Neither this module nor a rule module imports libcst or the analysis at module level: a run
builds its rule set and their needles (the prefilter) from the classes, and only a file that gets
parsed imports the parser (``lint_canon.analysis.syntax.lazy``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from lint_canon.analysis.syntax.lazy import Visitor
from lint_canon.canon.globs import match_path
from lint_canon.output.findings import Fix, RuleInfo
from lint_canon_guard.config import Ban, Canon

if TYPE_CHECKING:
    import libcst as cst

    from lint_canon.analysis.names import ImportTracker
    from lint_canon.analysis.vendors import Vendors
    from lint_canon.project.dependencies import Dependency


@dataclass(frozen=True, order=True)
class Needle:
    """What the prefilter looks for: a plain ``word`` (a fast ``in`` test on the bytes), then a
    context where it can matter: ``kind`` "import" (the word is the root of an imported module,
    or of an import_module/__import__ string), "prefix" (the word starts the root of an imported
    module: ``mypy_boto3_``), "name" (the last part of the dotted name whose
    other parts are ``heads``: imported by name from its module, or used after a dot that
    follows a name the module's imports bind or one of the heads), or "regex" (``pattern``
    matches). An "import" needle's ``heads``, when given, are the dotted names through which the
    module matters to the rule: a file inside the module's own package that reaches it only by
    relative imports holds the needle only if they reach one of those. See
    ``lint_canon.engine.prefilter``."""

    word: bytes
    pattern: bytes = b""
    kind: str = "regex"
    heads: tuple[bytes, ...] = ()


@dataclass
class Report:
    """A rule's raw report: the engine turns the node into a position."""

    node: cst.CSTNode
    code: str
    message: str
    fix: Fix | None = None


@dataclass
class FileContext:
    """What a rule may know about the file it looks at."""

    path: str  # as displayed
    relpath: str  # POSIX, relative to the canon's folder (for allow_in)
    canon: Canon
    tracker: ImportTracker
    reports: list[Report] = field(default_factory=list)
    star_imports: bool = False  # the file has a `from M import *` (names bound by it are checked)
    _vendors: Vendors | None = None

    @property
    def vendors(self) -> Vendors:
        """Vendor calls and guards of this file, classified once for all rules."""
        if self._vendors is None:
            from lint_canon.analysis.vendors import Vendors  # once per file, and only once parsed

            self._vendors = Vendors(self.canon, self.tracker)
        return self._vendors

    def exempt(self, ban: Ban) -> bool:
        """True when this file is one of the ban's ``allow_in`` wrappers."""
        return bool(ban.allow_in) and match_path(self.relpath, ban.allow_in)


class Rule(Visitor):
    """A rule over Python source: ``visit_*`` methods that call ``report``, driven by the walker
    (``lint_canon.analysis.syntax.walker``) over a libcst tree."""

    info: ClassVar[RuleInfo]
    codes: ClassVar[tuple[str, ...]] = ()  # (info.code,): what --select and noqa match

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _set_codes(cls)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.canon = ctx.canon
        self.names = ctx.tracker

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        """False when the canon gives this rule nothing to look for."""
        return True

    @classmethod
    def tokens(cls, canon: Canon) -> Iterable[tuple[Needle, ...]] | None:
        """Groups of needles: a file can hold a finding of this rule only if it holds every
        needle of at least one group. None: any file may."""
        return None

    def report(self, node: cst.CSTNode, message: str, code: str | None = None, fix: Fix | None = None) -> None:
        self.ctx.reports.append(Report(node, code or self.codes[0], message, fix))


@dataclass(frozen=True)
class DependencyReport:
    dependency: Dependency
    code: str
    message: str


class DependencyRule:
    """A rule over the dependencies that requirements files and pyproject.toml declare."""

    info: ClassVar[RuleInfo]
    codes: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _set_codes(cls)

    def __init__(self, canon: Canon) -> None:
        self.canon = canon

    @classmethod
    def applies(cls, canon: Canon) -> bool:
        return True

    def check(self, dependencies: Iterable[Dependency], relpath: str) -> Iterator[DependencyReport]:
        raise NotImplementedError


@dataclass(frozen=True)
class ProjectReport:
    """A finding of a rule over the whole project (a doc and SQL files), at a file and line."""

    path: Path
    line: int
    code: str
    message: str


class DoneStateRule:
    """A rule over the DONE doc rows and the SQL fn_check_*_done functions."""

    info: ClassVar[RuleInfo]
    codes: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _set_codes(cls)

    def check(self, rows: list[Any], checkers: list[Any]) -> Iterator[ProjectReport]:
        raise NotImplementedError


def _set_codes(cls: type) -> None:
    info = vars(cls).get("info")
    if info is not None:
        cls.codes = (info.code,)  # type: ignore[attr-defined]
