"""RunScenario: run one scenario of the catalogue against its target and return its result."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios.runner import run_scenario
from harness.wire import ScenarioEvent
from harness.wiring import parse_event, scenario_job, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = run_scenario(scenario_job(parse_event(ScenarioEvent, event)), load=settings().load)
    logger.info("scenario finished", extra={"scenario": result.scenario, "status": result.status})
    return result.to_wire()
