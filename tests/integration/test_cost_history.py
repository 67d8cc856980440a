"""The cost estimate counts what the state machine really does: its step counts are held
against a real execution history of the local engine, not against numbers written here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness import layout
from harness.judge.cost import estimate_run, fanned_out
from harness.judge.transitions import count_steps
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from tests.integration.stacks import isolated_config


def history_counts(engine: LocalEngine, execution_arn: str) -> tuple[int, Counter[str]]:
    """States entered, and Lambda invocations per function, as the history records them."""
    sfn = engine._client("stepfunctions")
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    entered = sum(1 for event in events if event["type"].endswith("StateEntered"))
    invoked: Counter[str] = Counter()
    for event in events:
        details = event.get("taskScheduledEventDetails") or event.get(
            "lambdaFunctionScheduledEventDetails"
        )
        if details:
            invoked[details.get("resource", "?")] += 1
    return entered, invoked


@pytest.mark.parametrize("suite", ["smoke", "full"])
def test_step_counts_match_the_execution_history(
    moto_server: MotoServer, tmp_path: Path, suite: str
) -> None:
    config = isolated_config()
    with LocalEngine(config, tmp_path, moto=moto_server) as engine:
        outcome = engine.run({"suite": suite}, name=f"cost-{suite}-{tmp_path.name[-8:]}")
        assert outcome.status == "SUCCEEDED", outcome.cause
        assert outcome.plan is not None and outcome.summary is not None
        entered, invoked = history_counts(engine, outcome.execution_arn)
    steps = count_steps(layout.suite_definition(), outcome.plan.to_wire())
    assert steps.transitions == entered
    assert sum(steps.invocations.values()) == sum(invoked.values())
    scenarios = len(outcome.plan.scenarios)
    batches = fanned_out(outcome.plan.to_wire())  # a load scenario: a Lambda per batch
    assert steps.invocations["${RunScenarioFunctionArn}"] == scenarios - len(batches)
    assert steps.invocations["${RunUserBatchFunctionArn}"] == sum(batches.values())
    print(f"{suite}: {entered} transitions, {sum(invoked.values())} invocations, "
          f"{len(outcome.plan.lanes)} lanes, {len(outcome.plan.groups)} groups")  # fmt: skip
    # The stored estimate is the one made from these counts and the measured durations.
    cost = estimate_run(
        layout.suite_definition(), outcome.plan.to_wire(), outcome.summary.results, engine.config
    )
    assert outcome.summary.estimated_cost_usd == cost.total_usd
    assert cost.usage.transitions == entered
    assert sum(cost.by_scenario.values()) < cost.total_usd
