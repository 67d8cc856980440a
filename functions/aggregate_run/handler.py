"""Aggregate: one result per planned scenario, the run's numbers, stored in history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.collect import collect_event_results
from harness.judge.summary import summarize, verdict_reason
from harness.notify.metrics import run_metrics
from harness.wire import AggregateEvent, AggregateOutput
from harness.wiring import history_store, parse_event, publish_metrics, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(AggregateEvent, event)
    results = collect_event_results(parsed)
    summary = summarize(parsed.run, results, finished_at=datetime.now(UTC))
    history_store(settings()).save_run(summary)
    logger.info("run stored", extra={"run_id": summary.run_id, "verdict": summary.verdict})
    publish_metrics(summary.suite, run_metrics(summary))
    return AggregateOutput(
        run=parsed.run,
        verdict=summary.verdict,
        verdict_reason=verdict_reason(summary),
        summary=summary,
    ).to_wire()
