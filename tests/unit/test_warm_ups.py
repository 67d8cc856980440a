"""Warm-ups in the plan: every target starts with the edit service cold, and a group that
needs it warm there waits for a cold start in its setup (a warm-up), unless a group before it
on that target left the service warm. Literal plans, so each expectation can be checked by
hand."""

from __future__ import annotations

import itertools
import random

import pytest

from harness.config import HarnessConfig
from harness.planning.estimates import estimate_warm_up
from harness.planning.explain import explain
from harness.planning.plan import lay_out
from harness.planning.pool import reference_planning
from harness.planning.schedule import Group, Job, conflict, lane_seconds, lower_bound, schedule
from harness.planning.schedule import warm_ups as warm_ups_of
from harness.wire import RunRequest, ServiceState, Status, TargetResource
from tests.unit.test_schedule import CATALOGUE, NOW, pool_config, rows_by_scenario, run_of

COLD, WARM, ANY = ServiceState.COLD, ServiceState.WARM, ServiceState.ANY
EDIT, API = TargetResource.EDIT_SERVICE, TargetResource.API


def job(name: str, seconds: float, needs: ServiceState = ANY, leaves: ServiceState = ANY) -> Job:
    """A scenario that has its target to itself (it disrupts the edit service)."""
    return Job(name, seconds, frozenset({EDIT}), frozenset({API}), needs, leaves)


def cold_start(seconds: float) -> Job:
    return job("cold-start", seconds, needs=COLD, leaves=WARM)


def names(groups: list[Group]) -> list[list[str]]:
    return [[j.name for j in group.jobs] for group in groups]


def test_a_warm_group_on_a_cold_target_pays_one_warm_up() -> None:
    laid_out = schedule([job("warm", 2.0, needs=WARM)], lanes=1, warm_up=1.5)
    lane = laid_out.lanes[0]
    assert lane.warm_ups == [True]
    assert (lane.warm_up_seconds, laid_out.seconds) == (1.5, 3.5)
    on_a_warm_target = schedule([job("warm", 2.0, needs=WARM)], 1, warm_up=1.5, start=WARM)
    assert (on_a_warm_target.lanes[0].warm_ups, on_a_warm_target.seconds) == ([False], 2.0)
    indifferent = schedule([job("any", 2.0)], lanes=1, warm_up=1.5)
    assert (indifferent.lanes[0].warm_ups, indifferent.seconds) == ([False], 2.0)


def test_leaving_the_service_warm_spares_the_next_group_and_leaving_it_cold_does_not() -> None:
    warmer = Group([cold_start(1.0)])
    keeps_warm = Group([job("failure-recovery", 1.0, needs=WARM, leaves=WARM)])
    warm = Group([job("warm", 1.0, needs=WARM)])
    to_zero = Group([job("routing-at-zero", 1.0, needs=WARM, leaves=COLD)])
    assert warm_ups_of([warmer, warm, to_zero, warm]) == [False, False, False, True]
    assert warm_ups_of([keeps_warm, warm]) == [True, False]
    assert warm_ups_of([warm, to_zero, warm]) == [True, False, True]
    # One lane orders its groups to pay the fewest: cold-start first, routing-at-zero last.
    lane = schedule([to_zero.jobs[0], warm.jobs[0], warmer.jobs[0]], lanes=1, warm_up=1.0).lanes[0]
    assert names(lane.groups) == [["cold-start"], ["warm"], ["routing-at-zero"]]
    assert (lane.warm_ups, lane.seconds) == ([False, False, False], 3.0)
    # Two groups that leave the service at zero: the second pays again.
    twice = schedule(
        [job("zero-1", 1.0, WARM, COLD), job("zero-2", 0.5, WARM, COLD)], lanes=1, warm_up=1.0
    )
    assert (twice.lanes[0].warm_ups, twice.seconds) == ([True, True], 3.5)


def test_warm_groups_go_after_one_that_leaves_the_service_warm_when_that_ends_sooner() -> None:
    jobs = [cold_start(2.0), job("w1", 1.5, needs=WARM), job("w2", 1.4, needs=WARM)]
    laid_out = schedule(jobs, lanes=2, warm_up=1.0)
    assert [names(lane.groups) for lane in laid_out.lanes] == [
        [["cold-start"], ["w2"]],  # 3.4 s, no warm-up
        [["w1"]],  # 1.0 s warm-up + 1.5 s
    ]
    assert [lane.warm_ups for lane in laid_out.lanes] == [[False, False], [True]]
    assert laid_out.seconds == pytest.approx(3.4)
    # Planned as if warm-ups were free, w2 follows w1 and really takes 1.0 + 1.5 + 1.4 s.
    blind = schedule(jobs, lanes=2)
    assert [names(lane.groups) for lane in blind.lanes] == [[["cold-start"]], [["w1"], ["w2"]]]
    assert max(lane_seconds(lane.groups, 1.0) for lane in blind.lanes) == pytest.approx(3.9)


def test_session_persistence_follows_cold_start_on_its_target() -> None:
    durations = {
        "cold-start": 1.3,
        "failure-recovery": 1.2,
        "session-persistence": 1.0,
        "concurrent-sessions": 0.3,
        "alb-routing": 0.1,
        "routing-at-zero": 0.1,
    }
    history = [run_of(durations, cold_start=1.0)]
    layout = lay_out(RunRequest(), pool_config(2), CATALOGUE, NOW, history)
    plan = layout.plan
    lanes = [[sorted(s.name for s in g.scenarios) for g in lane.groups] for lane in plan.lanes]
    assert lanes == [
        [["cold-start"], ["session-persistence"], ["routing-at-zero"]],
        [["failure-recovery"], ["alb-routing", "concurrent-sessions"]],
    ]
    assert [[g.warm_up_seconds for g in lane.groups] for lane in plan.lanes] == [
        [0.0, 0.0, 0.0],
        [1.0, 0.0],
    ]
    assert [lane.expected_seconds for lane in plan.lanes] == pytest.approx([2.4, 2.5])
    assert (layout.warm_up.seconds, layout.warm_up.source) == (1.0, "history")
    text = explain(layout)
    rows = rows_by_scenario(text)
    assert "the target starts cold: this setup waits for a cold start" in rows["(warm-up)"]
    assert "cold-start left it warm (no warm-up)" in rows["session-persistence"]
    assert "spares a group a warm-up" not in rows["session-persistence"]
    assert "critical path (*) on t2: warm-up 1.0s -> failure-recovery 1.2s" in text
    assert "Warm-ups paid: 1, 1.0s each (p50 of 1 cold_start_seconds measurement(s)" in text


def test_conflicting_scenarios_never_share_a_group_when_warm_ups_count() -> None:
    rng = random.Random(11)
    resources = list(TargetResource)
    for _ in range(200):
        jobs = []
        for n in range(rng.randint(1, 12)):
            needs, leaves = rng.choice(list(ServiceState)), rng.choice(list(ServiceState))
            disrupts = set(rng.sample(resources, rng.choice([0, 0, 1])))
            if COLD in (needs, leaves):
                disrupts.add(EDIT)  # the catalogue's rule: a cold service means scaling it
            uses = frozenset(rng.sample(resources, rng.randint(0, 3)))
            seconds = round(rng.uniform(0.1, 5), 2)
            jobs.append(Job(f"j{n}", seconds, frozenset(disrupts), uses, needs, leaves))
        lanes, warm_up = rng.randint(1, 4), rng.choice([0.0, 0.5, 3.0])
        laid_out = schedule(jobs, lanes, warm_up)
        placed = [j.name for lane in laid_out.lanes for g in lane.groups for j in g.jobs]
        assert sorted(placed) == sorted(j.name for j in jobs)
        for lane in laid_out.lanes:
            for group in lane.groups:
                for a, b in itertools.combinations(group.jobs, 2):
                    assert conflict(a, b) is None, (a, b)
                assert {COLD, WARM} - {j.needs for j in group.jobs}  # one setup, one state
            paid = warm_up * sum(lane.warm_ups)
            assert lane.seconds == pytest.approx(sum(g.seconds for g in lane.groups) + paid)
        assert laid_out.seconds >= lower_bound(jobs, lanes, warm_up) - 1e-9


def test_the_lower_bound_counts_the_cheapest_way_to_warm_the_longest_warm_scenario() -> None:
    jobs = [job("session-persistence", 2.5, WARM, WARM), cold_start(1.2)]
    assert lower_bound(jobs, 3, warm_up=1.0) == pytest.approx(3.5)  # a warm-up first
    assert lower_bound(jobs, 3, warm_up=2.0) == pytest.approx(3.7)  # cold-start first
    assert lower_bound(jobs, 3, warm_up=2.0, start=WARM) == pytest.approx(2.5)
    assert schedule(jobs, 3, warm_up=2.0).seconds == pytest.approx(3.7)


def test_the_warm_up_estimate_is_the_p50_of_measured_cold_starts_else_the_config() -> None:
    runs = [run_of({"cold-start": 2.0}, cold_start=value) for value in (1.0, 1.4, 1.2)]
    runs.append(run_of({"cold-start": 9.0}, Status.ERROR, cold_start=9.0))  # says nothing
    estimate = estimate_warm_up(runs, configured_seconds=60.0)
    assert (estimate.seconds, estimate.runs, estimate.source) == (1.2, 3, "history")
    nothing = estimate_warm_up([run_of({"alb-routing": 0.5})], configured_seconds=7.0)
    assert (nothing.seconds, nothing.source) == (7.0, "default")


def test_the_configured_warm_up_defaults_to_the_sla_and_bundled_targets_to_their_own() -> None:
    assert HarnessConfig().warm_up_estimate_seconds == 60.0  # [sla] cold_start_max_seconds
    sla = HarnessConfig.model_validate({"sla": {"cold_start_max_seconds": 30}})
    assert sla.warm_up_estimate_seconds == 30.0
    given = HarnessConfig.model_validate({"planning": {"warm_up_estimate_seconds": 5}})
    assert given.warm_up_estimate_seconds == 5.0
    # The bundled reference target starts in exactly its configured cold start.
    assert reference_planning(HarnessConfig()).warm_up_estimate_seconds == 1.0
    slower = HarnessConfig.model_validate({"reference_target": {"cold_start_seconds": 2.5}})
    assert reference_planning(slower).warm_up_estimate_seconds == 2.5
    assert reference_planning(given).warm_up_estimate_seconds == 5.0
