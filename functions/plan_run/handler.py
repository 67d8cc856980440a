"""Plan: validate the run request and lay out the run. Bad input fails here, before anything
is created, with an error the state machine turns into its RejectInput Fail state; so does a
run the month's budget cannot pay for (or it becomes the smoke suite, per config)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.errors import ConfigError, HistoryError, InvalidRunRequestError
from harness.planning.budget import gate_plan
from harness.planning.plan import plan_run
from harness.planning.pool import resolve_pool
from harness.scenarios import catalogue
from harness.wire import RunRequest, RunSummary
from harness.wiring import history_store, parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = parse_event(RunRequest, event, InvalidRunRequestError)
    config, now, scenarios = settings(), datetime.now(UTC), catalogue()
    recent: list[RunSummary] = []
    try:  # durations only order the plan: without history it is still a valid plan
        target = resolve_pool(config, request.target)[0].name
        recent = history_store(config).recent_runs(target, config.planning.history_runs)
    except (HistoryError, ConfigError) as err:  # a bad target fails in plan_run, named
        logger.warning("no history for duration estimates", extra={"error": str(err)})
    plan = plan_run(request, config, scenarios, now=now, recent=recent)
    plan = gate_plan(
        plan,
        request,
        config,
        lambda: history_store(config),
        now,
        replan=lambda changed: plan_run(changed, config, scenarios, now=now, recent=recent),
    )
    logger.info(
        "planned run",
        extra={
            "run_id": plan.run.run_id,
            "scenarios": len(plan.scenarios),
            "lanes": len(plan.lanes),
            "expected_seconds": plan.expected_seconds,
        },
    )
    return plan.to_wire()
