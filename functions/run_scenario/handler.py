"""RunScenario: run one scenario of the catalogue against its target and return its result."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios import ScenarioJob, get_scenario
from harness.scenarios.runner import run_scenario
from harness.wire import ScenarioEvent
from harness.wiring import parse_event, settings, target_api, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(ScenarioEvent, event)
    target = parsed.member
    config = settings()
    job = ScenarioJob(
        definition=get_scenario(parsed.scenario.name),
        spec=parsed.scenario,
        run=parsed.run,
        sla=config.sla,
        api=target_api(target),
        infra=target_infra(target),
    )
    result = run_scenario(job, load=config.load)
    logger.info("scenario finished", extra={"scenario": result.scenario, "status": result.status})
    return result.to_wire()
