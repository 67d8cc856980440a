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


def judged(confirm: list[str], config: HarnessConfig | None = None) -> JudgedRun:
    """A judged run against a target given only in the request (the config names none), or
    against the config's pool."""
    target = None if config else TargetOverride(endpoint="https://staging.example")
    request = RunRequest(run_id="r1", target=target, suite="full")
    plan = plan_run(request, config or HarnessConfig(), catalogue(), NOW)
    report = RegressionReport(
        run_id="r1", regressions=[], awaiting_confirmation=bool(confirm), confirm_scenarios=confirm
    )
    summary = cold(1, 1.0, run_id="r1")
    return JudgedRun(
        run=plan.run,
        verdict=Verdict.PASSED,
        verdict_reason="",
        summary=summary,
        regressions=report,
        lanes=plan.lanes,
    )


def pool_config() -> HarnessConfig:
    members = [
        {
            "name": f"staging-{n}",
            "endpoint": f"https://edit-{n}.staging.example",
            "ecs_service": f"edit-{n}",
            "sessions_table": f"sessions-{n}",
        }
        for n in range(1, 4)
    ]
    return HarnessConfig.model_validate({"target": {"name": "staging"}, "targets": members})


def test_only_the_flagged_scenarios_run_again_in_the_runs_own_context() -> None:
    original = judged(["cold-start", "alb-routing"])
    later = NOW + timedelta(minutes=5)
    plan = plan_confirmation(original, HarnessConfig(), catalogue(), later)
    assert [s.name for s in plan.scenarios] == ["cold-start", "alb-routing"]
    # Where and in which group each ran: cold-start needs the service cold, alb-routing warm.
    groups = [([s.name for s in g.scenarios], g.needs.value) for g in plan.groups]
    assert groups == [(["cold-start"], "cold"), (["alb-routing"], "warm")]
    # The run's id (and so its cleanup prefix) and target; its own start; suite "confirm".
    assert plan.run.run_id == "r1" and plan.run.client_prefix == original.run.client_prefix
    assert plan.run.target == original.run.target
    assert plan.run.target.name == "staging.example"
    assert (plan.run.suite, plan.run.started_at) == ("confirm", later)
    assert plan.confirmation_of == original
    wire = plan.to_wire()
    assert "confirmationOf" in wire and "lanes" in wire and "maxGroupConcurrency" in wire


def test_on_a_pool_each_flagged_scenario_runs_again_where_it_ran() -> None:
    """The run's leases cover what it planned: the confirm pass is a subset of its lanes."""
    config = pool_config()
    original = judged(["cold-start", "failure-recovery", "alb-routing"], config)
    where = {
        spec.name: (lane.target.name, group.name)
        for lane in original.lanes
        for group in lane.groups
        for spec in group.scenarios
    }
    plan = plan_confirmation(original, config, catalogue(), NOW)
    again = {
        spec.name: (lane.target.name, group.name)
        for lane in plan.lanes
        for group in lane.groups
        for spec in group.scenarios
    }
    flagged = ("cold-start", "failure-recovery", "alb-routing")
    assert again == {name: where[name] for name in flagged}
    assert len({target for target, _ in again.values()}) > 1  # still at the same time
    assert plan.run.target == original.run.target and plan.run.pool == original.run.pool


def test_a_deployed_harness_confirms_in_the_runs_own_context() -> None:
    """A deployed Plan refuses a run id or an endpoint in a request: the confirm pass sends
    neither, and still runs as the run, on the run's target."""
    original = judged(["cold-start"], pool_config())
    deployed = pool_config()
    deployed.run.deployed = True
    plan = plan_confirmation(original, deployed, catalogue(), NOW)
    assert plan.run.run_id == original.run.run_id and plan.run.target == original.run.target
    assert [s.name for s in plan.scenarios] == ["cold-start"]


def test_nothing_flagged_is_nothing_to_plan() -> None:
    with pytest.raises(ValueError, match="nothing to confirm"):
        plan_confirmation(judged([]), HarnessConfig(), catalogue(), NOW)
