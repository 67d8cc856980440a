"""DetectRegressions: compare the run with the previous run of the same target and suite."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.regression import detect_regressions
from harness.wire import SummaryEvent
from harness.wiring import history_store, parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    summary = parse_event(SummaryEvent, event).summary
    baseline = history_store(settings()).previous_run(
        summary.target, summary.suite, before=summary.started_at
    )
    return detect_regressions(summary, baseline).to_wire()
