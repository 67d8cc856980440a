"""DetectRegressions: compare the run with the previous run of the same target and suite."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.regression import judge_run
from harness.wire import SummaryEvent
from harness.wiring import history_store, parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    summary = parse_event(SummaryEvent, event).summary
    return judge_run(summary, history_store(settings())).to_wire()
