"""JudgeConfirmation: store the confirm pass as a run and judge the original run again with
it; a regression stands only if it reproduced."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.errors import StoreError
from harness.judge.judgement import judge_confirmation
from harness.judge.summary import for_state
from harness.wire import ConfirmationEvent
from harness.wiring import judge_stores, parse_event, run_results, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(ConfirmationEvent, event)
    config = settings()
    stored = run_results(config)
    judged = judge_confirmation(
        parsed, judge_stores(config), config.regression, datetime.now(UTC), stored
    )
    with suppress(StoreError):  # the confirm pass is in history now
        stored.forget(parsed.run.run_id)
    logger.info("confirmation judged", extra={"verdict": judged.verdict})
    return judged.model_copy(update={"summary": for_state(judged.summary)}).to_wire()
