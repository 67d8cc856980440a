"""The cost estimate on literal usage and plans, the month to date, and the budget gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness import layout
from harness.config import HarnessConfig
from harness.errors import BudgetExceededError, ConfigError
from harness.judge.budget import decide, month_to_date
from harness.judge.cost import Usage, estimate_plan, estimate_run, memory_gb
from harness.judge.prices import prices_for
from harness.judge.transitions import count_steps
from harness.planning.budget import gate_plan
from harness.planning.plan import plan_run
from harness.scenarios import catalogue
from harness.wire import RunPlan, RunRequest, ScenarioResult, Status
from tests.fakes import FakeHistoryStore
from tests.unit.test_sla import run as summary_of

NOW = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
CONFIG = HarnessConfig.model_validate({"target": {"endpoint": "http://t"}})


def plan_shape(groups: list[int], lanes: int = 1) -> dict[str, Any]:
    """A Plan output with ``groups[i]`` scenarios in group i, the groups dealt over ``lanes``."""
    specs = [
        {
            "name": f"g{g}",
            "scenarios": [{"name": f"s{g}-{i}", "group": f"g{g}"} for i in range(n)],
        }
        for g, n in enumerate(groups)
    ]
    return {"run": {}, "lanes": [{"groups": specs[lane::lanes]} for lane in range(lanes)]}


def test_usage_is_priced_per_service() -> None:
    usage = Usage(
        transitions=1000, invocations=1_000_000, lambda_gb_seconds=1000, fargate_vcpu_seconds=3600,
        fargate_gb_seconds=3600, dynamodb_writes=1_000_000, dynamodb_reads=1_000_000,
        s3_puts=1000, s3_gets=1000, log_bytes=1024**3,
    )  # fmt: skip
    priced = usage.priced(prices_for("us-east-1"))
    assert priced["step_functions"] == pytest.approx(0.025)
    assert priced["lambda"] == pytest.approx(0.0166667 + 0.20)
    assert priced["fargate"] == pytest.approx(0.04048 + 0.004445)
    assert priced["dynamodb"] == pytest.approx(0.625 + 0.125)
    assert priced["s3"] == pytest.approx(0.005 + 0.0004)
    assert priced["logs"] == pytest.approx(0.50)


def test_unknown_price_region_is_refused() -> None:
    with pytest.raises(ConfigError, match="eu-central-9"):
        prices_for("eu-central-9")


def test_steps_grow_per_group_and_per_scenario() -> None:
    definition = layout.suite_definition()
    one = count_steps(definition, plan_shape([1]))
    more_scenarios = count_steps(definition, plan_shape([2]))
    more_groups = count_steps(definition, plan_shape([1, 1]))
    per_scenario = more_scenarios.transitions - one.transitions
    per_group = more_groups.transitions - one.transitions - per_scenario
    assert per_scenario >= 1 and per_group >= 1
    fifty = count_steps(definition, plan_shape([20, 20, 10]))
    base = one.transitions - per_group - per_scenario
    assert fifty.transitions == base + 3 * per_group + 50 * per_scenario
    assert fifty.map_items["RunScenarios"] == 50
    # Lanes cost one RunLanes iteration each: the RunGroups Map state and LaneDone entered
    # once per lane.
    spread = count_steps(definition, plan_shape([20, 20, 10], lanes=3))
    assert spread.transitions == fifty.transitions + 2 * 2
    assert spread.invocations == fifty.invocations


def test_a_fanned_out_scenario_runs_a_lambda_per_batch_and_a_judge() -> None:
    definition = layout.suite_definition()
    plain, fanned = plan_shape([1]), plan_shape([1])
    spec = fanned["lanes"][0]["groups"][0]["scenarios"][0]
    spec["fanOut"] = {"batches": [{"index": i} for i in range(4)], "distributed": False}
    steps = count_steps(definition, fanned)
    assert steps.invocations["${RunUserBatchFunctionArn}"] == 4
    assert steps.invocations["${JudgeLoadFunctionArn}"] == 1
    assert steps.invocations["${RunScenarioFunctionArn}"] == 0
    assert count_steps(definition, plain).invocations["${RunScenarioFunctionArn}"] == 1
    result = ScenarioResult(scenario="s0-0", group="g0", status=Status.PASS, duration_seconds=60)
    one = estimate_run(definition, plain, [result], CONFIG).by_scenario["s0-0"]
    four = estimate_run(definition, fanned, [result], CONFIG)
    # Four batch Lambdas as long as the scenario instead of one (the Fargate task is the same).
    memory = memory_gb(CONFIG)
    extra_gb_seconds = 60 * (
        4 * memory["${RunUserBatchFunctionArn}"] - memory["${RunScenarioFunctionArn}"]
    )
    prices = prices_for("us-east-1")
    extra = extra_gb_seconds * prices.lambda_gb_second + 3 * prices.lambda_request
    extra += 3 * CONFIG.cost.log_bytes_per_invocation / 1024**3 * prices.logs_ingested_gb
    assert four.by_scenario["s0-0"] == pytest.approx(one + extra, rel=1e-3)


def test_scenario_costs_add_up_to_less_than_the_run() -> None:
    plan = plan_shape([2, 1])
    results = [
        ScenarioResult(scenario=f"s{g}-{i}", group=f"g{g}", status=Status.PASS, duration_seconds=60)
        for g, n in enumerate([2, 1])
        for i in range(n)
    ]
    cost = estimate_run(layout.suite_definition(), plan, results, CONFIG)
    # One minute of a 512 MB Lambda and of a 0.5 vCPU / 1 GB Fargate task; one invocation,
    # one transition, 2 KB of logs.
    expected = 60 * (0.5 * 0.0000166667 + 0.5 * 0.04048 / 3600 + 1.0 * 0.004445 / 3600)
    expected += 0.20 / 1e6 + 0.025 / 1e3 + 2048 / 1024**3 * 0.50
    assert cost.by_scenario["s0-0"] == pytest.approx(expected, rel=1e-3)
    assert sum(cost.by_scenario.values()) < cost.total_usd < 3 * expected + 0.01
    assert cost.by_service["fargate"] > cost.by_service["step_functions"]
    same = estimate_plan(layout.suite_definition(), plan, {r.scenario: 60 for r in results}, CONFIG)
    assert same.total_usd == cost.total_usd


def test_month_to_date_counts_this_month_and_prorates_the_fixed_cost() -> None:
    runs = [summary_of(1, [], cost=2.0), summary_of(2, [], cost=3.0)]
    last_month = summary_of(3, [], cost=50.0).model_copy(
        update={"started_at": datetime(2026, 10, 31, tzinfo=UTC)}
    )
    spent = month_to_date([*runs, last_month], NOW, fixed_monthly_usd=30.0)
    assert spent == pytest.approx(5.0 + 30.0 * 15 / 30)


@pytest.mark.parametrize(
    ("action", "spent", "smoke", "expected"),
    [
        ("refuse", 99.0, 0.1, "refuse"),
        ("refuse", 90.0, 0.1, "run"),
        ("smoke", 99.0, 0.5, "smoke"),
        ("smoke", 99.8, 0.5, "refuse"),  # not even the smoke suite fits
        ("off", 500.0, None, "run"),
    ],
)
def test_budget_decision(action: str, spent: float, smoke: float | None, expected: str) -> None:
    config = CONFIG.model_copy(
        update={"cost": CONFIG.cost.model_copy(update={"over_budget": action})}
    )
    decision = decide(config, spent, run_estimate_usd=2.0, smoke_estimate_usd=smoke)
    assert decision.action == expected
    if expected == "refuse":
        assert "monthly_budget_usd" in decision.message and "$100.00" in decision.message


def gate(action: str, spent: float) -> RunPlan:
    config = CONFIG.model_copy(
        update={"cost": CONFIG.cost.model_copy(update={"over_budget": action})}
    )
    request = RunRequest(suite="full", run_id="r-budget")
    plan = plan_run(request, config, catalogue(), now=NOW)
    store = FakeHistoryStore()
    store.save_run(
        summary_of(1, [], cost=spent).model_copy(update={"started_at": NOW - timedelta(days=1)})
    )
    return gate_plan(
        plan, request, config, lambda: store, NOW,
        replan=lambda changed: plan_run(changed, config, catalogue(), now=NOW),
    )  # fmt: skip


def test_gate_lets_a_run_through_within_budget() -> None:
    assert gate("refuse", 10.0).run.suite == "full"


def test_gate_refuses_with_a_clear_message() -> None:
    with pytest.raises(BudgetExceededError, match=r"refused, over budget: month to date \$99.99"):
        gate("refuse", 99.99)


def test_gate_downgrades_to_smoke_keeping_the_run_id() -> None:
    plan = gate("smoke", 99.97)
    assert plan.run.suite == "smoke" and plan.run.run_id == "r-budget"
    assert [s.name for s in plan.scenarios] == ["cold-start", "alb-routing", "routing-at-zero"]
    assert "running the smoke suite" in plan.notices[0]
