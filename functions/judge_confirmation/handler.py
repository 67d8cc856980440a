"""JudgeConfirmation: store the confirm pass as a run and judge the original run again with
it; a regression stands only if it reproduced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.judgement import judge_confirmation
from harness.wire import ConfirmationEvent
from harness.wiring import judge_stores, parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(ConfirmationEvent, event)
    config = settings()
    judged = judge_confirmation(parsed, judge_stores(config), config.regression, datetime.now(UTC))
    logger.info("confirmation judged", extra={"verdict": judged.verdict})
    return judged.to_wire()
