"""JudgeLoad: one scenario result from every batch of a load scenario."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios.runner import judge_batches
from harness.wire import JudgeEvent
from harness.wiring import parse_event, scenario_job

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(JudgeEvent, event)
    result = judge_batches(scenario_job(parsed), parsed.batches)
    logger.info("scenario judged", extra={"scenario": result.scenario, "status": result.status})
    return result.to_wire()
