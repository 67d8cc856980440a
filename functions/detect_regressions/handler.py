"""DetectRegressions: judge the run against its baselines (rolling or pinned), the known-issues
ledger and the gate; flag suspects for the confirm pass."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.judgement import judge_run
from harness.wire import SummaryEvent
from harness.wiring import judge_stores, parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(SummaryEvent, event)
    config = settings()
    judged = judge_run(
        parsed.run,
        parsed.summary,
        judge_stores(config),
        config.regression,
        datetime.now(UTC),
        lanes=parsed.lanes,
    )
    logger.info(
        "run judged",
        extra={"verdict": judged.verdict, "confirm": judged.regressions.confirm_scenarios},
    )
    return judged.to_wire()
