"""The README's map of the package matches the package: every subpackage is in it, with every
module it holds, and nothing the package does not have."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _tree() -> dict[str, str]:
    text = (REPO / "README.md").read_text()
    block = text[text.index("## Layout") :]
    start = block.index("```text\n") + len("```text\n")
    block = block[start : block.index("\n```", start)]
    entries: dict[str, str] = {}
    current = ""
    for line in block.splitlines()[1:]:  # the first line is lint_canon/
        match = re.match(r"  (\S+)\s+(.*)", line)
        if match:
            current = match.group(1)
            entries[current] = match.group(2)
        elif current:
            entries[current] += " " + line.strip()
    return entries


def test_the_readme_tree_is_the_package():
    package = REPO / "lint_canon"
    tree = _tree()
    subpackages = sorted(p.name + "/" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    top = sorted(p.name for p in package.glob("*.py") if not p.name.startswith("__"))
    assert sorted(tree) == sorted(subpackages + top)
    for folder in subpackages:
        said = tree[folder]
        if folder == "rules/":
            continue  # one module per rule: the registry's tests hold those
        modules = {p.name for p in (package / folder).glob("*.py") if p.name != "__init__.py"}
        children = {p.name + "/" for p in (package / folder).iterdir() if (p / "__init__.py").exists()}
        for name in sorted(modules | children):
            assert re.search(rf"(?<![\w/]){re.escape(name)}", said), f"{folder}{name} is not in the README's tree"
        for named in re.findall(r"(?<![\w/.])([a-z_0-9]+(?:\.py|/))", said):
            assert named in modules | children, f"the README's tree names {folder}{named}, which does not exist"
