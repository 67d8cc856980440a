"""JudgeLoad: one scenario result from every batch of a load scenario."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios import ScenarioJob, get_scenario
from harness.scenarios.runner import judge_batches
from harness.wire import JudgeEvent
from harness.wiring import parse_event, settings, target_api, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(JudgeEvent, event)
    target = parsed.member
    job = ScenarioJob(
        definition=get_scenario(parsed.scenario.name),
        spec=parsed.scenario,
        run=parsed.run,
        sla=settings().sla,
        api=target_api(target),  # the judge only does arithmetic; a job carries the target
        infra=target_infra(target),
    )
    result = judge_batches(job, parsed.batches)
    logger.info("scenario judged", extra={"scenario": result.scenario, "status": result.status})
    return result.to_wire()
