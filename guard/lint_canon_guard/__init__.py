"""lint-canon-guard: the tool canon at run time, for services that do not run the linter.

The canon model and its loader (``lint_canon_guard.config``), the guard
(``lint_canon_guard.guard``: ``enforce_tool_canon``, ``ToolCanonGuard``) and where its violations
go (``lint_canon_guard.sinks``: logging, PostgreSQL, any callable). It needs PyYAML, and psycopg
for the PostgreSQL sink (``pip install 'lint-canon-guard[postgres]'``). ``lint_canon.guard``,
which this distribution installs too, is the same guard under the name existing code imports.
"""

__version__ = "0.1.0"
