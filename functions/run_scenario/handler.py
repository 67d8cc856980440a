"""RunScenario: run one scenario of the catalogue against its target, store its whole result
by reference, and return its outcome (a few hundred bytes, so hundreds fit in a state)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios.runner import run_scenario
from harness.wire import ScenarioEvent, ScenarioOutcome
from harness.wiring import parse_event, run_results, scenario_job, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(ScenarioEvent, event)
    config = settings()
    result = run_scenario(scenario_job(parsed), load=config.load)
    run_results(config).put(parsed.run.run_id, result)
    logger.info("scenario finished", extra={"scenario": result.scenario, "status": result.status})
    return ScenarioOutcome.of(result).to_wire()
