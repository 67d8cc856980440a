"""Alert: for now every regression is logged (as a warning, with its severity); routing to
SNS, Slack and GitHub is a later step that plugs in here."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.wire import SummaryEvent
from harness.wiring import parse_event

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(SummaryEvent, event)
    regressions = parsed.regressions.regressions if parsed.regressions else []
    for regression in regressions:
        logger.warning(
            regression.message,
            extra={"metric": regression.metric, "severity": regression.severity},
        )
    return {"logged": len(regressions), "channels": ["log"]}
