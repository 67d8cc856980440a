"""The scenario-plugin example of docs/scenarios.md, installed for real with pip (offline:
no dependencies, no build isolation) into a folder that tests put on the path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from harness.layout import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "harness-preview-assets"
DISTRIBUTION = "harness-preview-assets"
SCENARIO = "preview-assets"


def install_example(workdir: Path) -> Path:
    """pip-install the example into ``workdir/site``; returns that folder."""
    source = workdir / "source"
    shutil.copytree(EXAMPLE, source)  # setuptools builds in the source tree: keep docs/ clean
    site = workdir / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return site
