"""The planner's constraints on literal plans: two scenarios where one disrupts what the
other uses never run at the same time on one target; durations only order and balance."""

from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime

import pytest

from harness.config import HarnessConfig
from harness.planning.estimates import estimate_durations
from harness.planning.explain import explain
from harness.planning.plan import lay_out, plan_run
from harness.planning.schedule import Job, conflict, lower_bound, makespan, schedule
from harness.scenarios.catalogue import BUILT_IN_SCENARIOS
from harness.wire import (
    Metric,
    RunPlan,
    RunRequest,
    RunSummary,
    ScenarioResult,
    ServiceState,
    Status,
    TargetResource,
)

NOW = datetime(2026, 11, 24, 5, 33, 49, tzinfo=UTC)
CATALOGUE = {definition.name: definition for definition in BUILT_IN_SCENARIOS}
EDIT, TABLE, API = (
    TargetResource.EDIT_SERVICE,
    TargetResource.SESSIONS_TABLE,
    TargetResource.API,
)


def pool_config(size: int) -> HarnessConfig:
    return HarnessConfig.model_validate(
        {
            "target": {"name": "pool", "endpoint": "http://127.0.0.1:9"},
            "targets": [
                {
                    "name": f"t{n}",
                    "endpoint": f"http://127.0.0.1:{9000 + n}",
                    "ecs_service": f"edit-{n}",
                    "sessions_table": f"sessions-{n}",
                }
                for n in range(1, size + 1)
            ],
        }
    )


def conflicts_at_once(plan: RunPlan) -> list[str]:
    """Every pair of scenarios the plan may run at the same time on one target, and why it
    must not. Scenarios of one group may overlap; groups of a lane never do; lanes are on
    different targets. So: pairs inside each group, and lanes sharing a target."""
    problems = []
    for group in plan.groups:
        for a, b in itertools.combinations(group.scenarios, 2):
            for first, second in ((a, b), (b, a)):
                shared = set(first.disrupts) & (set(second.uses) | set(second.disrupts))
                if shared:
                    problems.append(f"{first.name} disrupts {shared} used by {second.name}")
    members = [lane.target.name for lane in plan.lanes]
    if len(set(members)) != len(members):
        problems.append(f"two lanes on one target: {members}")
    return problems


def job(
    name: str,
    seconds: float,
    disrupts: frozenset[TargetResource] = frozenset(),
    uses: frozenset[TargetResource] = frozenset({EDIT, API}),
    needs: ServiceState = ServiceState.ANY,
    leaves: ServiceState = ServiceState.ANY,
) -> Job:
    return Job(name, seconds, disrupts, uses, needs, leaves)


@pytest.mark.parametrize("size", [1, 2, 3, 6])
def test_the_built_in_suite_never_runs_conflicting_scenarios_together(size: int) -> None:
    plan = plan_run(RunRequest(), pool_config(size), CATALOGUE, NOW)
    assert conflicts_at_once(plan) == []
    assert sorted(s.name for s in plan.scenarios) == sorted(CATALOGUE)
    # Nothing timed: every scenario and every warm-up is expected to take 60 s, so a warm group
    # follows cold-start on its target (no warm-up) rather than taking a fifth, cold one.
    assert len(plan.lanes) == min(size, 4)
    for lane in plan.lanes:
        needs = [group.needs for group in lane.groups]
        assert ServiceState.COLD not in needs[1:]  # a cold group comes first on its lane


def test_literal_plan_on_three_targets_balances_by_duration() -> None:
    durations = {
        "cold-start": 1.2,
        "session-persistence": 2.5,
        "concurrent-sessions": 2.2,
        "alb-routing": 0.6,
        "failure-recovery": 1.9,
        "routing-at-zero": 0.7,
    }
    history = [run_of(durations, cold_start=1.0)]
    plan = lay_out(RunRequest(), pool_config(3), CATALOGUE, NOW, history).plan
    lanes = {
        lane.target.name: [sorted(s.name for s in g.scenarios) for g in lane.groups]
        for lane in plan.lanes
    }
    # t1 and t2 start cold and wait 1 s for a container; t3's groups ride on cold-start's.
    # (Before warm-ups were planned, routing-at-zero went to t2 and the plan said 3.1 s; with
    # t2's warm-up that plan really took 3.9 s.)
    assert lanes == {
        "t1": [["session-persistence"]],
        "t2": [["alb-routing", "concurrent-sessions"]],
        "t3": [["cold-start"], ["failure-recovery"], ["routing-at-zero"]],
    }
    assert [lane.expected_seconds for lane in plan.lanes] == pytest.approx([3.5, 3.2, 3.8])
    assert [[g.warm_up_seconds for g in lane.groups] for lane in plan.lanes] == [
        [1.0],
        [1.0],
        [0.0, 0.0, 0.0],
    ]
    assert plan.expected_seconds == pytest.approx(3.8)  # t3: 1.2 + 1.9 + 0.7
    assert conflicts_at_once(plan) == []


def test_disrupting_a_resource_conflicts_with_using_it_but_not_with_disjoint_ones() -> None:
    stopper = job("stopper", 1, disrupts=frozenset({EDIT}))
    reader = job("reader", 1, uses=frozenset({EDIT, API}))
    table_only = job("table-only", 1, uses=frozenset({TABLE}))
    assert conflict(stopper, reader) == "stopper disrupts edit-service, which reader uses"
    assert conflict(reader, stopper) is not None
    assert conflict(stopper, table_only) is None
    assert conflict(reader, table_only) is None
    laid_out = schedule([stopper, reader, table_only], lanes=1)
    groups = [sorted(j.name for j in g.jobs) for g in laid_out.lanes[0].groups]
    assert ["reader", "stopper"] not in groups
    assert any("table-only" in g and len(g) == 2 for g in groups)


def test_a_group_marked_not_parallel_keeps_its_scenarios_apart() -> None:
    a = Job("a", 1, frozenset(), frozenset({API}), label="load", label_exclusive=True)
    b = Job("b", 1, frozenset(), frozenset({API}), label="load")
    assert conflict(a, b) is not None
    assert all(len(g.jobs) == 1 for g in schedule([a, b], lanes=1).lanes[0].groups)


def test_cold_and_warm_scenarios_never_share_a_setup() -> None:
    cold = job("cold", 1, uses=frozenset({API}), needs=ServiceState.COLD)
    warm = job("warm", 1, uses=frozenset({API}), needs=ServiceState.WARM)
    any_state = job("any", 1, uses=frozenset({API}))
    laid_out = schedule([warm, cold, any_state], lanes=1)
    groups = laid_out.lanes[0].groups
    assert all({ServiceState.COLD, ServiceState.WARM} - {j.needs for j in g.jobs} for g in groups)
    assert groups[0].needs is ServiceState.COLD


def test_random_job_sets_never_put_conflicting_jobs_in_one_group() -> None:
    rng = random.Random(7)
    resources = list(TargetResource)
    for _ in range(200):
        jobs = [
            job(
                f"j{n}",
                round(rng.uniform(0.1, 5), 2),
                disrupts=frozenset(rng.sample(resources, rng.choice([0, 0, 1]))),
                uses=frozenset(rng.sample(resources, rng.randint(0, 3))),
            )
            for n in range(rng.randint(1, 12))
        ]
        lanes = rng.randint(1, 4)
        laid_out = schedule(jobs, lanes)
        placed = [j.name for lane in laid_out.lanes for g in lane.groups for j in g.jobs]
        assert sorted(placed) == sorted(j.name for j in jobs)
        assert len(laid_out.lanes) <= lanes
        for lane in laid_out.lanes:
            for group in lane.groups:
                for a, b in itertools.combinations(group.jobs, 2):
                    assert conflict(a, b) is None, (a, b)
        assert laid_out.seconds >= lower_bound(jobs, lanes) - 1e-9


def test_longest_first_balances_exclusive_jobs_over_lanes() -> None:
    jobs = [
        job(f"d{n}", s, disrupts=frozenset({EDIT})) for n, s in enumerate([5, 4, 3, 3, 2, 2, 2])
    ]
    laid_out = schedule(jobs, lanes=3)
    lanes = [[j.seconds for g in lane.groups for j in g.jobs] for lane in laid_out.lanes]
    assert lanes == [[5, 2], [4, 2, 2], [3, 3]]  # longest first, each on the least-loaded lane
    assert laid_out.seconds == 8
    assert lower_bound(jobs, 3) == pytest.approx(7)  # LPT stays within 4/3 of the optimum
    assert laid_out.seconds <= 4 / 3 * lower_bound(jobs, 3)
    assert makespan([3, 3, 2, 2, 2], 2) == 7


def run_of(
    durations: dict[str, float], status: Status = Status.PASS, cold_start: float | None = None
) -> RunSummary:
    """A run that timed ``durations``; with ``cold_start``, cold-start measured that."""
    results = [
        ScenarioResult(
            scenario=name,
            group="g",
            status=status,
            duration_seconds=seconds,
            metrics=[Metric(name="cold_start_seconds", value=cold_start, unit="seconds")]
            if name == "cold-start" and cold_start is not None
            else [],
        )
        for name, seconds in durations.items()
    ]
    return RunSummary.model_validate(
        {
            "runId": "r",
            "suite": "full",
            "target": "pool",
            "trigger": "cli",
            "startedAt": NOW,
            "finishedAt": NOW,
            "durationSeconds": 1,
            "verdict": "passed",
            "successRate": 1,
            "counts": {},
            "results": [r.to_wire() for r in results],
            "metrics": [],
        }
    )


def test_estimates_are_the_p50_of_recent_runs_and_the_median_for_unknowns() -> None:
    runs = [run_of({"a": 1.0, "b": 4.0}), run_of({"a": 3.0}), run_of({"a": 2.0, "b": 6.0})]
    runs.append(run_of({"a": 99.0}, Status.ERROR))  # errors say nothing about duration
    estimates = estimate_durations(["a", "b", "c"], runs, default_seconds=60)
    assert (estimates["a"].seconds, estimates["a"].runs, estimates["a"].source) == (
        2.0,
        3,
        "history",
    )
    assert estimates["b"].seconds == 5.0
    assert (estimates["c"].seconds, estimates["c"].source) == (3.5, "median")
    assert estimate_durations(["x"], [], default_seconds=60)["x"].source == "default"


def test_a_load_scenario_is_planned_as_batches_of_users() -> None:
    config = HarnessConfig.model_validate(
        {
            **pool_config(1).model_dump(),
            "scenarios": {"concurrent-sessions": {"params": {"users": 120}}},
            "load": {"users_per_batch": 50, "distributed_above_batches": 2},
        }
    )
    plan = plan_run(RunRequest(scenarios=["concurrent-sessions"]), config, CATALOGUE, NOW)
    fan_out = plan.scenarios[0].fan_out
    assert fan_out is not None
    assert [(b.first_user, b.count) for b in fan_out.batches] == [(1, 50), (51, 50), (101, 20)]
    assert fan_out.max_concurrency == 3 and fan_out.distributed is True


def test_the_plan_explains_each_placement_and_the_critical_path() -> None:
    durations = {"cold-start": 1.2, "routing-at-zero": 0.7, "alb-routing": 0.6}
    layout = lay_out(RunRequest(suite="smoke"), pool_config(1), CATALOGUE, NOW, [run_of(durations)])
    text = explain(layout)
    lines = rows_by_scenario(text)
    assert "needs a cold service: first on its lane" in lines["cold-start"]
    assert "disrupts edit-service: runs alone" in lines["routing-at-zero"]
    assert "leaves the service at zero: last on its lane" in lines["routing-at-zero"]
    assert "expected 0.6s (p50 of 1 run(s))" in lines["alb-routing"]
    assert "needs a warm service: cold-start left it warm (no warm-up)" in lines["alb-routing"]
    assert "(warm-up)" not in lines  # cold-start warms the only target
    assert "Expected wall time 2.5s; critical path (*) on t1" in text
    assert "One after another it would take 2.5s" in text


def rows_by_scenario(text: str) -> dict[str, str]:
    """``harness plan``'s table rows by their SCENARIO cell (the one before EXPECTED)."""
    table = text.split("\n\n")[0].splitlines()[1:]
    found = (re.search(r"\s(\S+)\s+[\d.]+s\s", row) for row in table)
    return {match.group(1): row for row, match in zip(table, found, strict=True) if match}
