"""The engine: reading, decoding, parsing, the prefilter, noqa, discovery and workers."""

from __future__ import annotations

from pathlib import Path

from lint_canon.engine.checker import Checker
from lint_canon.engine.suppressions import Selection
from lint_canon_guard.config import load_canon
from tests.conftest import brief, check_paths, run_check


def test_syntax_error_reported_at_its_line_and_run_goes_on(project):
    root = project({"a.py": "import clearbit\ndef f(:\n    pass\n", "b.py": "import clearbit\n"})
    findings = run_check(root)
    assert brief(findings) == [("a.py", 2, 7, "CANON901"), ("b.py", 1, 8, "CANON101")]
    assert findings[0].message == "syntax error: invalid syntax"


def test_libcst_logic_error_is_a_syntax_finding(project):
    # libcst raises CSTLogicError, not ParserSyntaxError, on adjacent t-strings.
    root = project({"a.py": 'import clearbit\nx = t"a" t"b"\n'})
    assert [(f.code, f.line) for f in run_check(root)] == [("CANON901", 2)]


def test_undecodable_file(project):
    root = project({"a.py": b"import clearbit\nx = '\xff\xfe'\n"})
    findings = run_check(root)
    assert brief(findings) == [("a.py", 2, 1, "CANON902")]
    assert findings[0].message == "cannot decode file: invalid start byte"


def test_unknown_coding_cookie(project):
    root = project({"a.py": b"# -*- coding: klingon -*-\nimport clearbit\n"})
    assert brief(run_check(root)) == [("a.py", 1, 1, "CANON902")]


def test_unreadable_file(project):
    root = project({"ok.py": "import clearbit\n"})
    (root / "dangling.py").symlink_to(root / "gone.py")
    findings = run_check(root)
    assert brief(findings) == [("dangling.py", 1, 1, "CANON902"), ("ok.py", 1, 8, "CANON101")]
    assert findings[0].message == "cannot read file: No such file or directory"


def test_coding_cookie_bom_and_crlf(project):
    root = project(
        {
            "latin.py": b"# -*- coding: latin-1 -*-\n" + "s = 'caf\xe9'\nimport clearbit\n".encode("latin-1"),
            "bom.py": b"\xef\xbb\xbfimport clearbit\n",
            "crlf.py": b"x = 1\r\n\r\nimport clearbit\r\n",
        }
    )
    assert brief(run_check(root)) == [
        ("bom.py", 1, 8, "CANON101"),
        ("crlf.py", 3, 8, "CANON101"),
        ("latin.py", 3, 8, "CANON101"),
    ]


def test_new_syntax_parses(project):
    source = """\
        import clearbit

        type Domain = str


        class Box[T]:
            def get[U](self, item: U) -> T | U: ...


        def greet(name):
            return t"hello {name}"


        match name:
            case {"x": 1}:
                pass
        """
    root = project({"a.py": source})
    assert brief(run_check(root)) == [("a.py", 1, 8, "CANON101")]


def test_prefilter_skips_files_without_tokens(project):
    # Not parsed at all: its syntax error is not ours to see.
    root = project({"a.py": "def f(:\n", "b.py": "def g(:\nimport clearbit\n"})
    assert [(f.path, f.code) for f in run_check(root)] == [("b.py", "CANON901")]
    checker = Checker(load_canon(root / "canon.yaml"), Selection(("CANON101",)))
    assert [tuple(n.word for n in group) for group in checker.load().token_groups] == [
        (b"clearbit",),
        (b"subprocess", b"Popen"),
    ]
    assert not checker.may_hold_finding(b"import os\n")
    assert not checker.may_hold_finding(b"import subprocess\nsubprocess.run()\n")
    assert not checker.may_hold_finding(b"import subprocess_tools\nPopen = 1\n")
    assert checker.may_hold_finding(b"from subprocess import Popen\n")
    assert checker.may_hold_finding(b"x = __import__('clearbit')\n")
    assert not checker.may_hold_finding(b"# clearbit is gone\n")
    assert not checker.may_hold_finding(b"import subprocess\n# never call Popen\n")
    assert checker.may_hold_finding(b"import sys, \\\n    subprocess as sp\nsp . Popen\n")
    assert checker.may_hold_finding(b"import subprocess\nfrom subprocess import (\n    PIPE,\n    Popen,\n)\n")


def test_noqa_forms(project):
    source = """\
        import clearbit  # noqa
        import clearbit.a  # noqa: CANON101
        import clearbit.b  # NOQA:CANON101,E501
        import clearbit.c  # noqa: CANON1
        import clearbit.d  # noqa: E501
        import clearbit.e  # noqa:CANON102
        """
    root = project({"a.py": source})
    assert [f.line for f in run_check(root)] == [5, 6]


def test_file_level_noqa(project):
    root = project({"a.py": "# flake8: noqa\nimport clearbit\n"})
    assert run_check(root) == []


def test_select_and_ignore(project):
    root = project({"a.py": "import clearbit\n", "requirements.txt": "clearbit\n"})
    canon = load_canon(root / "canon.yaml")
    assert [f.code for f in check_paths(Checker(canon, Selection(("CANON102",))), [Path(".")])] == ["CANON102"]
    assert [f.code for f in check_paths(Checker(canon, Selection(("CANON",), ("CANON1",))), [Path(".")])] == []
    assert [f.code for f in check_paths(Checker(canon, Selection(("CANON101",), ("CANON1",))), [Path(".")])] == [
        "CANON101"
    ]


def test_discovery_skips_vendored_and_excluded_folders(project):
    from tests.conftest import CANON

    files = {
        "app.py": "import clearbit\n",
        ".git/hooks/x.py": "import clearbit\n",
        ".venv/lib/x.py": "import clearbit\n",
        "env2/pyvenv.cfg": "home = /usr\n",
        "env2/lib/x.py": "import clearbit\n",
        "node_modules/x.py": "import clearbit\n",
        "build/x.py": "import clearbit\n",
        "pkg.egg-info/x.py": "import clearbit\n",
        "scratch/deep/x.py": "import clearbit\n",
        "src/y.py": "import clearbit\n",
        "src/notes.md": "import clearbit\n",
    }
    root = project(files, canon=CANON + 'exclude: ["scratch/**"]\n')
    assert [f.path for f in run_check(root)] == ["app.py", "src/y.py"]
    # The canon's exclude also holds for files named one by one, as pre-commit names them.
    assert run_check(root, "scratch/deep/x.py") == []


def test_workers_give_the_findings_of_a_serial_run(project):
    files = {f"pkg{i % 7}/m{i}.py": ("import clearbit\n" if i % 3 else "import os\n") for i in range(300)}
    root = project(files)
    serial = run_check(root, jobs=1)
    assert len(serial) == 200
    assert run_check(root, jobs=2) == serial


def test_the_bracket_bomb_regex_finds_what_its_plain_spelling_finds() -> None:
    """BRACKET_BOMB is the plain pattern below rewritten to start with a character set (the
    regex engine then skips to candidates); it must find the same places on any text."""
    import random
    import re

    from lint_canon.engine.checker import BRACKET_BOMB

    plain = re.compile(r"(?:(?:[(\[{]|\bnot\s)[ \t\r\n\\]*){50}")
    rng = random.Random(7)
    texts = ["(" * 50, "x" + "(" * 49, "cannot " + "not " * 49, "cannot " + "not " * 50, "a not " + "( " * 49]
    for _ in range(3000):
        texts.append(
            "".join(
                rng.choice(["(", "[", "{", " ", "\\\n", "not ", "not\t", "not\n"])
                if rng.random() < 0.985
                else rng.choice(["xnot ", "n", "a", "not(", "cannot ", "nota "])
                for _ in range(rng.randint(45, 120))
            )
        )
    spans = [(m.span() if (m := plain.search(text)) else None) for text in texts]
    assert [(m.span() if (m := BRACKET_BOMB.search(text)) else None) for text in texts] == spans
    assert 500 < sum(span is not None for span in spans) < len(texts)  # both kinds of text are there


def test_positions_where_a_statement_s_text_is_written_twice(project):
    """A finding's place is found from the statement it was reported in, whose text is looked
    for in the file: written twice (or inside a longer statement), the place is still its own."""
    root = project(
        {
            "twice.py": "import clearbit\nimport clearbit\n\n\ndef f():\n    import clearbit\n\n\nimport clearbit\n",
            "inner.py": "def g():\n    x = 1\n    import clearbit.enrichment\n\n\nimport clearbit.enrichment\n",
            "decorated.py": "import os\n\n\n@decorator\ndef h():\n    return clearbit\n\n\nimport clearbit\n",
        }
    )
    assert brief(run_check(root)) == [
        ("decorated.py", 9, 8, "CANON101"),
        ("inner.py", 3, 12, "CANON101"),
        ("inner.py", 6, 8, "CANON101"),
        ("twice.py", 1, 8, "CANON101"),
        ("twice.py", 2, 8, "CANON101"),
        ("twice.py", 6, 12, "CANON101"),
        ("twice.py", 9, 8, "CANON101"),
    ]
