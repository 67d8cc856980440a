"""``harness plan`` on the embedded default: the bundled target is named as runs name it, so
the plan takes its durations from the runs before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import harness

pytestmark = pytest.mark.e2e


def test_the_plan_of_the_bundled_target_uses_its_recent_runs(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    before = harness(tmp_path, "plan", "--scenario", "alb-routing", "--state-dir", state)
    assert before.returncode == 0, before.stderr
    assert "on reference (1 bundled reference target(s)" in before.stdout
    assert "durations from 0 recent run(s)" in before.stdout
    assert "nothing timed yet" in before.stdout
    # alb-routing needs a container and the bundled target starts cold: one warm-up, as long
    # as the bundled target's cold start (FAST_TARGET's 0.3 s), not the SLA's 60 s.
    assert "Warm-ups paid: 1, 0.3s each" in before.stdout
    assert "(warm-up)" in before.stdout

    ran = harness(tmp_path, "run", "--scenario", "alb-routing", "--state-dir", state)
    assert ran.returncode == 0, ran.stdout + ran.stderr

    after = harness(tmp_path, "plan", "--scenario", "alb-routing", "--state-dir", state)
    assert after.returncode == 0, after.stderr
    assert "durations from 1 recent run(s)" in after.stdout
    assert "nothing timed yet" not in after.stdout
