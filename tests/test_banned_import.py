"""CANON101: every import form of a banned module or API, and the look-alikes that are fine."""

from __future__ import annotations

import pytest

from tests.conftest import brief, run_check


@pytest.mark.parametrize(
    ("source", "line", "col"),
    [
        ("import clearbit\n", 1, 8),
        ("import os, clearbit.x as y\n", 1, 12),
        ("from clearbit import Company\n", 1, 6),
        ("from clearbit.x import *\n", 1, 6),
        ("import importlib\nmod = importlib.import_module('clearbit')\n", 2, 7),
        ("from importlib import import_module as load\nmod = load('clearbit.enrichment')\n", 2, 7),
        ("x = __import__('clearbit.x')\n", 1, 5),
        ("def f():\n    import clearbit\n", 2, 12),
        ("try:\n    import clearbit\nexcept ImportError:\n    clearbit = None\n", 2, 12),
    ],
)
def test_banned_module_forms(project, source, line, col):
    root = project({"app.py": source})
    assert brief(run_check(root)) == [("app.py", line, col, "CANON101")]


@pytest.mark.parametrize(
    ("source", "line", "col"),
    [
        ("from subprocess import Popen\n", 1, 24),
        ("from subprocess import Popen as P\n", 1, 24),
        ("import subprocess\nsubprocess.Popen(['ls'])\n", 2, 1),
        ("import subprocess as sp\nsp.Popen(['ls'])\n", 2, 1),
        ("import subprocess as sp\ndef f():\n    return sp.Popen\n", 3, 12),
        ("def f():\n    import subprocess as sp\n    sp.Popen(['ls']).wait()\n", 3, 5),
    ],
)
def test_banned_api_forms(project, source, line, col):
    root = project({"app.py": source})
    assert brief(run_check(root)) == [("app.py", line, col, "CANON101")]


@pytest.mark.parametrize(
    "source",
    [
        "import clearbit_helper\n",
        "from clearbit_helper import x\n",
        "from . import clearbit\n",
        "from .clearbit import Company\n",
        "import subprocess\nsubprocess.run(['ls'])\n",
        "from subprocess import run, PIPE\n",
        "import subprocess\n",
        "x = 'clearbit'\n",
        "import subprocess as sp\ndef f(sp):\n    return sp.Popen\n",
        "def f():\n    subprocess = object()\n    return subprocess.Popen\n",
        "mod = __import__('.clearbit')\n",
        "mod = importlib.import_module(name)\n",
    ],
)
def test_not_banned(project, source):
    root = project({"pkg/app.py": source})
    assert run_check(root) == []


def test_message_carries_reason_and_end_position(project):
    root = project({"app.py": "import clearbit.enrichment as e\n"})
    [finding] = run_check(root)
    assert (
        finding.message == "'clearbit.enrichment' (under 'clearbit') is banned: Clearbit contract ended; use TOOL-012"
    )
    assert (finding.line, finding.col, finding.end_line, finding.end_col) == (1, 8, 1, 27)
    assert finding.violation == "V-TOOL-002"


def test_import_reported_once_not_at_every_use(project):
    root = project({"app.py": "import clearbit\nclearbit.Company.find('x')\nclearbit.Person\n"})
    assert brief(run_check(root)) == [("app.py", 1, 8, "CANON101")]


def test_allow_in_exempts_the_wrapper(project):
    root = project(
        {
            "ops/shell.py": "from subprocess import Popen\n",
            "ops/other.py": "from subprocess import Popen\n",
        }
    )
    assert brief(run_check(root)) == [("ops/other.py", 1, 24, "CANON101")]


def test_type_checking_imports_ignored_by_default(project):
    source = """\
        from typing import TYPE_CHECKING
        import typing

        if TYPE_CHECKING:
            from clearbit import Company
        if typing.TYPE_CHECKING:
            import clearbit
        else:
            import clearbit
        """
    root = project({"app.py": source})
    assert brief(run_check(root)) == [("app.py", 9, 12, "CANON101")]


def test_type_checking_imports_flagged_when_asked(project):
    from tests.conftest import CANON

    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from clearbit import Company\n"
    root = project({"app.py": source}, canon=CANON + "type_checking_imports: flag\n")
    assert brief(run_check(root)) == [("app.py", 3, 10, "CANON101")]


def test_module_import_after_use_in_function_is_resolved(project):
    source = "def f():\n    return sp.Popen(['ls'])\n\nimport subprocess as sp\n"
    root = project({"app.py": source})
    assert brief(run_check(root)) == [("app.py", 2, 12, "CANON101")]
