"""RunUserBatch: one batch of a load scenario's users, on one Lambda (one Map iteration)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios.runner import run_batch
from harness.wire import BatchEvent
from harness.wiring import parse_event, scenario_job, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(BatchEvent, event)
    report = run_batch(scenario_job(parsed), parsed.batch, load=settings().load)
    logger.info(
        "batch finished",
        extra={"first_user": parsed.batch.first_user, "saturated": report.saturation.saturated},
    )
    return report.to_wire()
