"""Aggregate: one result per scenario of the suite (read back from where RunScenario stored
it), the run's numbers and cost, its SLA lines (gating ones decide the verdict too), stored in
history; new passes go to the result cache."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness import layout
from harness.errors import RunExistsError, StoreError
from harness.judge.collect import collect_event_results
from harness.judge.cost import estimate_run
from harness.judge.sla import gate_reason, judge_run
from harness.judge.summary import RAN, for_state, summarize, verdict_reason
from harness.notify.metrics import run_metrics
from harness.planning.cache import remember_passes
from harness.wire import AggregateEvent, AggregateOutput
from harness.wiring import (
    history_store,
    parse_event,
    publish_metrics,
    result_cache,
    run_results,
    settings,
)

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(AggregateEvent, event)
    config = settings()
    run_id = parsed.run.run_id
    store = run_results(config)
    results = collect_event_results(parsed, store)
    ran = [result for result in results if result.status in RAN]  # cached passes cost nothing
    # The state here is the Plan output plus the groups' results: the plan the ASL walk needs.
    cost = estimate_run(layout.suite_definition(), event, ran, config)
    now = datetime.now(UTC)
    summary = summarize(
        parsed.run,
        results,
        finished_at=now,
        estimated_cost_usd=cost.total_usd,
        notices=parsed.notices,
    )
    summary, sla_reason = judge_run(summary, config.sla)
    history = history_store(config)
    try:
        history.save_run(summary)
    except RunExistsError:
        # The state machine retries Lambda's own errors, also one raised after this step had
        # stored the run: in AWS Plan made the run id for this execution, so the stored run
        # is this step's earlier attempt (it is never replaced, and the results it read by
        # reference may be gone by now): the run goes on with it (if it is this run's).
        logger.warning("run already stored: a retry of Aggregate", extra={"run_id": run_id})
        stored = history.get_run(run_id)
        if stored is not None and stored.started_at == summary.started_at:
            summary, sla_reason = stored, gate_reason(stored.sla)
    planned = [spec for group in parsed.groups for spec in group.scenarios]
    cached = remember_passes(
        result_cache(config), planned, {r.scenario: r for r in summary.results}, run_id, now
    )
    with suppress(StoreError):  # in history now; S3's lifecycle rule expires what is left
        store.forget(run_id)
    logger.info(
        "run stored",
        extra={"run_id": run_id, "verdict": summary.verdict, "passes_cached": cached},
    )
    publish_metrics(summary.suite, run_metrics(summary))
    reason = verdict_reason(summary)
    return AggregateOutput(
        run=parsed.run,
        verdict=summary.verdict,
        verdict_reason=f"{reason}; {sla_reason}" if sla_reason else reason,
        summary=for_state(summary),
        lanes=parsed.lanes,
    ).to_wire()
