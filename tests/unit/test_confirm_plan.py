"""The confirm pass's plan: only the flagged scenarios, in the run's own context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harness.config import HarnessConfig
from harness.planning.confirm import plan_confirmation
from harness.planning.plan import plan_run
from harness.scenarios import catalogue
from harness.wire import (
    JudgedRun,
    RegressionReport,
    RunRequest,
    TargetOverride,
    Verdict,
)
from tests.unit.runs import cold

NOW = datetime(2026, 11, 25, 6, tzinfo=UTC)


def judged(confirm: list[str]) -> JudgedRun:
    """A judged run against a target given only in the request (the config names none)."""
    request = RunRequest(
        run_id="r1", target=TargetOverride(endpoint="https://staging.example"), suite="full"
    )
    plan = plan_run(request, HarnessConfig(), catalogue(), NOW)
    report = RegressionReport(
        run_id="r1", regressions=[], awaiting_confirmation=bool(confirm), confirm_scenarios=confirm
    )
    summary = cold(1, 1.0, run_id="r1")
    return JudgedRun(
        run=plan.run, verdict=Verdict.PASSED, verdict_reason="", summary=summary, regressions=report
    )


def test_only_the_flagged_scenarios_run_again_in_the_runs_own_context() -> None:
    original = judged(["cold-start", "alb-routing"])
    later = NOW + timedelta(minutes=5)
    plan = plan_confirmation(original, HarnessConfig(), catalogue(), later)
    assert [s.name for s in plan.scenarios] == ["cold-start", "alb-routing"]
    assert [g.name for g in plan.groups] == ["lifecycle", "routing"]  # laid out like any run
    # The run's id (and so its cleanup prefix) and target; its own start; suite "confirm".
    assert plan.run.run_id == "r1" and plan.run.client_prefix == original.run.client_prefix
    assert plan.run.target == original.run.target
    assert plan.run.target.name == "staging.example"
    assert (plan.run.suite, plan.run.started_at) == ("confirm", later)
    assert plan.confirmation_of == original
    wire = plan.to_wire()
    assert "confirmationOf" in wire and "groups" in wire and "maxGroupConcurrency" in wire


def test_nothing_flagged_is_nothing_to_plan() -> None:
    with pytest.raises(ValueError, match="nothing to confirm"):
        plan_confirmation(judged([]), HarnessConfig(), catalogue(), NOW)
