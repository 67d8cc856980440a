"""Plan: validate the run request and lay out the run. Bad input fails here, before anything
is created, with an error the state machine turns into its RejectInput Fail state; so does a
run the month's budget cannot pay for (or it becomes the smoke suite, per config).

Plan also narrows the suite to what the request's changed files can affect, and answers
scenarios whose inputs have not changed since a recent pass from the result cache."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.errors import ConfigError, HistoryError, InvalidRunRequestError
from harness.planning.budget import gate_plan
from harness.planning.plan import plan_run
from harness.planning.pool import resolve_pool
from harness.scenarios import catalogue
from harness.wire import RunPlan, RunRequest, RunSummary
from harness.wiring import cache_planner, history_store, parse_event, run_results, settings

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
    cache, stored = cache_planner(config), run_results(config)

    def planned(asked: RunRequest) -> RunPlan:
        return plan_run(asked, config, scenarios, now, recent, cache, stored)

    plan = gate_plan(
        planned(request), request, config, lambda: history_store(config), now, replan=planned
    )
    logger.info(
        "planned run",
        extra={
            "run_id": plan.run.run_id,
            "scenarios": len(plan.scenarios),
            "lanes": len(plan.lanes),
            "expected_seconds": plan.expected_seconds,
            "cached": len(plan.cached),
            "skipped": len(plan.skipped),
        },
    )
    return plan.to_wire()
