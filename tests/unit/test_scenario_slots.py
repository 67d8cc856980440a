"""A plan never runs more scenarios at once than the run_scenario function's reserved
concurrency: beyond it, AWS (and the local engine) throttles the invocations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from harness.config import HarnessConfig
from harness.layout import function_spec
from harness.planning.plan import plan_run
from harness.wire import RunPlan, RunRequest, TargetResource
from tests.fakes import definition
from tests.unit.test_schedule import pool_config as schedule_pool

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
# Twenty scenarios that only call the API: any number of them may share a target.
CATALOGUE = {
    entry.name: entry
    for entry in (
        replace(
            definition(f"reader-{n:02d}"),
            disrupts=frozenset(),
            uses=frozenset({TargetResource.API}),
        )
        for n in range(20)
    )
}


def pool_config(size: int, **deploy: object) -> HarnessConfig:
    """The planner tests' pool, with room in group "g" for every scenario at once."""
    data = schedule_pool(size).model_dump(mode="json", exclude_unset=True)
    data["groups"] = {"g": {"max_concurrency": 40}}
    data["selection"] = {"map": {}}  # the default map names the built-in scenarios
    data["deploy"] = deploy
    return HarnessConfig.model_validate(data)


def most_at_once(plan: RunPlan) -> int:
    """Lanes run at the same time, groups of a lane one after another, a group's scenarios up
    to its max_concurrency at once (counted on the plan, not with the planner's helper)."""
    return sum(
        max(min(group.max_concurrency, len(group.scenarios)) for group in lane.groups)
        for lane in plan.lanes
    )


def test_the_default_reserved_concurrency_caps_a_pool() -> None:
    slots = function_spec("run_scenario").reserved_concurrency
    assert slots == 10
    plan = plan_run(RunRequest(), pool_config(3), CATALOGUE, NOW)
    assert len(plan.lanes) == 3
    assert most_at_once(plan) <= slots
    assert [group.max_concurrency for group in plan.groups] == [3, 3, 3]


@pytest.mark.parametrize(("reserved", "pool", "lanes", "share"), [(2, 3, 2, 1), (40, 3, 1, 40)])
def test_a_deploy_override_of_the_reserved_concurrency_is_the_cap(
    reserved: int, pool: int, lanes: int, share: int
) -> None:
    config = pool_config(pool, functions={"run_scenario": {"reserved_concurrency": reserved}})
    plan = plan_run(RunRequest(), config, CATALOGUE, NOW)
    assert len(plan.lanes) == lanes
    assert {group.max_concurrency for group in plan.groups} == {share}
    assert most_at_once(plan) <= reserved
