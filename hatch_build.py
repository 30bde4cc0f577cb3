"""lint-canon's requirement on lint-canon-guard, written when lint-canon is built (hatchling runs
this metadata hook; ``[tool.hatch.metadata.hooks.custom]`` in pyproject.toml lists the rest).

The two distributions are built from one repository, and lint-canon needs the guard of the same
commit. Built from a source tree that holds ``guard/`` (``pip install .``, ``pip install
git+URL``, pre-commit, the GitHub Action's own checkout), lint-canon requires the guard from that
folder, so no index has to hold it. Built for a release (``LINT_CANON_RELEASE=1``, as
``.github/workflows/release.yml`` builds), it requires ``lint-canon-guard==<its own version>``
from the index: PyPI refuses a direct reference, and the sdist and the wheel built from it carry
that pin.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


class CustomMetadataHook(MetadataHookInterface):
    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        guard = Path(self.root) / "guard"
        release = os.environ.get("LINT_CANON_RELEASE", "").strip().lower() in ("1", "true", "yes")
        if release or not (guard / "pyproject.toml").is_file():
            requirement = f"lint-canon-guard=={metadata['version']}"
        else:
            requirement = f"lint-canon-guard @ {guard.resolve().as_uri()}"
        metadata["dependencies"] = [requirement, *self.config["dependencies"]]
