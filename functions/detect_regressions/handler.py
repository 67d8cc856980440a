"""DetectRegressions: judge the run against its baselines (rolling or pinned), the known-issues
ledger and the gate; flag suspects for the confirm pass."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.judgement import judge_run
from harness.judge.summary import for_state, whole
from harness.wire import SummaryEvent
from harness.wiring import judge_stores, parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(SummaryEvent, event)
    config = settings()
    stores = judge_stores(config)
    # A large run's state carries its summary abridged: judge the whole run, pass it on small.
    summary = whole(parsed.summary, stores.history)
    judged = judge_run(
        parsed.run, summary, stores, config.regression, datetime.now(UTC), lanes=parsed.lanes
    )
    logger.info(
        "run judged",
        extra={"verdict": judged.verdict, "confirm": judged.regressions.confirm_scenarios},
    )
    return judged.model_copy(update={"summary": for_state(judged.summary)}).to_wire()
