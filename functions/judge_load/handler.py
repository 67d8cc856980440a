"""JudgeLoad: one scenario result from every batch of a load scenario, stored by reference
like RunScenario's; the state carries its outcome."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios.runner import judge_batches
from harness.wire import JudgeEvent, ScenarioOutcome
from harness.wiring import parse_event, run_results, scenario_job, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(JudgeEvent, event)
    result = judge_batches(scenario_job(parsed), parsed.batches)
    run_results(settings()).put(parsed.run.run_id, result)
    logger.info("scenario judged", extra={"scenario": result.scenario, "status": result.status})
    return ScenarioOutcome.of(result).to_wire()
