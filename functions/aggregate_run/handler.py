"""Aggregate: one result per planned scenario, the run's numbers and cost, its SLA lines
(gating ones decide the verdict too), stored in history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness import layout
from harness.judge.collect import collect_event_results
from harness.judge.cost import estimate_run
from harness.judge.sla import judge_run
from harness.judge.summary import summarize, verdict_reason
from harness.notify.metrics import run_metrics
from harness.wire import AggregateEvent, AggregateOutput
from harness.wiring import history_store, parse_event, publish_metrics, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(AggregateEvent, event)
    config = settings()
    results = collect_event_results(parsed)
    # The state here is the Plan output plus the groups' results: the plan the ASL walk needs.
    cost = estimate_run(layout.suite_definition(), event, results, config)
    summary = summarize(
        parsed.run, results, finished_at=datetime.now(UTC), estimated_cost_usd=cost.total_usd
    )
    summary, sla_reason = judge_run(summary, config.sla)
    history_store(config).save_run(summary)
    logger.info("run stored", extra={"run_id": summary.run_id, "verdict": summary.verdict})
    publish_metrics(summary.suite, run_metrics(summary))
    reason = verdict_reason(summary)
    return AggregateOutput(
        run=parsed.run,
        verdict=summary.verdict,
        verdict_reason=f"{reason}; {sla_reason}" if sla_reason else reason,
        summary=summary,
        lanes=parsed.lanes,
    ).to_wire()
