"""A scenario plugin, installed with pip, is listed by ``harness scenarios`` with its origin
and runs through ``harness run`` on the local engine like a built-in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.layout import PROJECT_ROOT
from tests.plugin_example import DISTRIBUTION, EXAMPLE, SCENARIO

pytestmark = pytest.mark.e2e


def harness(site: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "HARNESS__REFERENCE_TARGET__COLD_START_SECONDS": "0.3",
        "HARNESS__LOCAL__STATE_DIR": str(tmp_path / "state"),
    }
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_installed_plugin_is_listed_and_runs(plugin_site: Path, tmp_path: Path) -> None:
    listed = harness(plugin_site, tmp_path, "scenarios")
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith(SCENARIO))
    assert f"from=plugin {DISTRIBUTION} 0.1.0 (harness_preview_assets:DEFINITION)" in line
    assert "from=built-in" in listed.stdout  # the built-ins are still there

    ran = harness(plugin_site, tmp_path, "run", "--scenario", SCENARIO)

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"{SCENARIO} pass" in ran.stdout
    assert "preview_ready_seconds" in ran.stdout


def test_without_the_plugin_the_scenario_is_unknown(tmp_path: Path) -> None:
    ran = harness(tmp_path / "empty", tmp_path, "run", "--scenario", SCENARIO)

    assert ran.returncode == 2
    assert f"unknown scenario '{SCENARIO}'" in ran.stderr


def test_the_docs_show_the_example_as_it_is() -> None:
    docs = (PROJECT_ROOT / "docs" / "scenarios.md").read_text()
    shown = re.search(r"```python\n# harness_preview_assets.py\n(.*?)```", docs, re.DOTALL)

    assert shown is not None
    assert shown.group(1) in (EXAMPLE / "harness_preview_assets.py").read_text()


def test_a_broken_plugin_stops_the_cli_with_exit_2(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "broken_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[harness.scenarios]\npreview_assets = broken_plugin_module:DEFINITION\n"
    )

    listed = harness(site, tmp_path, "scenarios")

    assert listed.returncode == 2
    assert "scenario plugin 'preview_assets' from plugin broken-plugin 0.1" in listed.stderr
    assert "failed to load: ModuleNotFoundError" in listed.stderr
