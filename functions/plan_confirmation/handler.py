"""PlanConfirmation: a plan of only the scenarios DetectRegressions flagged, for the state
that runs plans (the confirm pass)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.planning.confirm import plan_confirmation
from harness.scenarios import catalogue
from harness.wire import JudgedRun
from harness.wiring import parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    judged = parse_event(JudgedRun, event)
    plan = plan_confirmation(judged, settings(), catalogue(), datetime.now(UTC))
    logger.info("confirm pass planned", extra={"scenarios": [s.name for s in plan.scenarios]})
    return plan.to_wire()
