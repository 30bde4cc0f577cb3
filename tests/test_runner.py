"""The run in named parts: the canon of each folder found once, discovery, per-canon checking."""

from __future__ import annotations

from pathlib import Path

import lint_canon_guard.config
from lint_canon.engine.discovery import CanonFinder
from lint_canon.engine.runner import check_run
from lint_canon.engine.suppressions import Selection


def test_each_canon_is_looked_up_once_per_folder_and_loaded_once(tmp_path, monkeypatch):
    (tmp_path / "canon.yaml").write_text('version: 1\nbanned:\n  - reason: "no"\n    modules: [clearbit]\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "canon.yaml").write_text('version: 1\nbanned:\n  - reason: "no"\n    modules: [requests]\n')
    for i in range(30):
        for top in (tmp_path, tmp_path / "svc"):
            folder = top / f"pkg{i}" / "sub"
            folder.mkdir(parents=True)
            (folder / "m.py").write_text("import clearbit\nimport requests\n")
    loads: list[str] = []
    original = lint_canon_guard.config.load_canon

    def counting(path):
        loads.append(Path(path).relative_to(tmp_path).as_posix())
        return original(path)

    monkeypatch.setattr(lint_canon_guard.config, "load_canon", counting)
    monkeypatch.chdir(tmp_path)
    run = check_run([Path(".")], Selection(), jobs=1)
    assert sorted(loads) == ["canon.yaml", "svc/canon.yaml"]
    by_canon = {(f.path.startswith("svc/"), f.message.split("'")[1]) for f in run.findings}
    assert by_canon == {(False, "clearbit"), (True, "requests")}
    assert len(run.findings) == 60


def test_the_finder_remembers_every_folder_it_passed(tmp_path):
    (tmp_path / "canon.yaml").write_text("version: 1\n")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    finder = CanonFinder()
    canon = finder.canon_for(str(deep))
    assert canon is not None and canon.path == tmp_path / "canon.yaml"
    (tmp_path / "a" / "canon.yaml").write_text("version: 1\n")  # found now only by a new finder
    assert finder.canon_for(str(tmp_path / "a" / "b")) is canon
    assert CanonFinder().canon_for(str(tmp_path / "a" / "b")).path == tmp_path / "a" / "canon.yaml"
