"""The report as a person sees it: written by the real CLI from a stored history, opened in
headless Chromium (Debian's ``chromium`` package; ``make test`` installs it), with its
scripts run: every chart must have drawn, and the screenshot must show lines and bands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.local.sqlite_history import SqliteHistory
from tests.report_history import history

pytestmark = pytest.mark.e2e
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
# The report's chart colours (harness/report/assets/report.js), as they land on white.
VALUE_LINE = (31, 95, 168)
BAND_FILL = (224, 233, 243)  # rgba(31, 95, 168, 0.14) over white
CHANGE_LINE = (178, 106, 0)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: `make test` installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (`sudo apt-get install chromium`)")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 runs against one target (a step in cold start at run 22), reported by the CLI."""
    state = tmp_path_factory.mktemp("state")
    store = SqliteHistory.in_state_dir(state)
    for run in history(runs=30, step_at=22):
        store.save_run(run)
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "report", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    page = state.resolve() / "reports" / "run-029" / "report.html"
    assert f"Report: {page}" in done.stdout
    return page


def browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def test_every_chart_draws_once_the_scripts_ran(
    chromium: str, report: Path, tmp_path: Path
) -> None:
    dom = browse(
        chromium, tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom", report.as_uri()
    ).stdout
    assert 'data-charts-rendered="5"' in dom, dom[-3000:]
    charts = re.findall(r'<div class="chart"[^>]*data-chart="chart-\d+"[^>]*>', dom)
    assert len(charts) == 5
    assert all(re.search(r'data-rendered="[1-9]\d*"', chart) for chart in charts), charts
    assert not re.search(r"<div[^>]* data-error=", dom)
    assert dom.count("<canvas") >= 5  # uPlot draws each chart on a canvas
    cold = re.search(r'<div class="chart"[^>]*data-chart="chart-3"[^>]*>', dom)
    assert cold is not None
    assert 'data-band-points="20"' in cold.group(0)  # runs 10-29 have a baseline behind them
    assert 'data-change-points="1"' in cold.group(0)


def test_the_screenshot_shows_lines_bands_and_the_change_point(
    chromium: str, report: Path, tmp_path: Path
) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    browse(
        chromium,
        tmp_path / "profile",
        "--virtual-time-budget=10000",
        "--window-size=1280,2200",
        f"--screenshot={shot}",
        report.as_uri(),
    )
    with Image.open(shot) as image:
        pixels = list(image.convert("RGB").getdata())

    def near(colour: tuple[int, int, int], within: int = 4) -> int:
        return sum(
            1 for p in pixels if all(abs(a - b) <= within for a, b in zip(p, colour, strict=True))
        )

    assert near(VALUE_LINE) > 1500, "the value lines are missing"
    assert near(BAND_FILL) > 20000, "the baseline bands are missing"
    assert near(CHANGE_LINE, within=10) > 60, "the change-point marks are missing"
    kept = os.environ.get("HARNESS_KEEP_SCREENSHOT")
    if kept:  # to look at it: HARNESS_KEEP_SCREENSHOT=/tmp/report.png pytest -k screenshot
        shutil.copy(shot, kept)
