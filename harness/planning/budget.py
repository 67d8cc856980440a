"""The budget gate of the Plan step: a run that would push the month past the budget is
refused, or re-planned as the smoke suite, per ``[cost] over_budget`` (harness/judge/budget.py
decides; this module gathers what it needs: the month's runs and an estimate of the plan)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from harness import layout
from harness.config import HarnessConfig
from harness.errors import BudgetExceededError, HistoryError
from harness.judge.budget import decide, month_start, month_to_date
from harness.judge.cost import estimate_plan
from harness.ports import HistoryStore
from harness.wire import RunPlan, RunRequest, SuiteName

RECENT_RUNS = 20


def expected_seconds(plan: RunPlan, store: HistoryStore) -> dict[str, float]:
    """Each scenario's last recorded duration on this target; its timeout if none (an upper
    bound: a fresh install over-estimates rather than under-estimates)."""
    known: dict[str, float] = {}
    for run in reversed(store.recent_runs(plan.run.target.name, RECENT_RUNS)):
        for result in run.results:
            known[result.scenario] = result.duration_seconds
    return {spec.name: known.get(spec.name, spec.timeout_seconds) for spec in plan.scenarios}


def gate_plan(
    plan: RunPlan,
    request: RunRequest,
    config: HarnessConfig,
    open_store: Callable[[], HistoryStore],
    now: datetime,
    replan: Callable[[RunRequest], RunPlan],
) -> RunPlan:
    """``plan`` if it fits the month's budget; else the smoke suite's plan, or a refusal."""
    if config.cost.over_budget == "off":
        return plan
    try:
        store = open_store()
        month = store.runs_since(month_start(now))
    except HistoryError as err:
        # The run goes on, saying so: a broken history must not stop every run, and the
        # failure shows again (and fails the run) when Aggregate cannot store it either.
        return plan.model_copy(update={"notices": [*plan.notices, f"budget not checked: {err}"]})
    definition = layout.suite_definition()
    spent = month_to_date(month, now, config.cost.fixed_monthly_usd)

    def estimate(candidate: RunPlan) -> float:
        durations = expected_seconds(candidate, store)
        return estimate_plan(definition, candidate.to_wire(), durations, config).total_usd

    smoke: RunPlan | None = None
    if plan.run.suite != SuiteName.SMOKE and config.cost.over_budget == "smoke":
        smoke = replan(
            request.model_copy(
                update={"suite": SuiteName.SMOKE, "scenarios": None, "run_id": plan.run.run_id}
            )
        )
    decision = decide(config, spent, estimate(plan), estimate(smoke) if smoke else None)
    if decision.action == "refuse":
        raise BudgetExceededError(decision.message)
    if decision.action == "smoke" and smoke is not None:
        return smoke.model_copy(update={"notices": [*smoke.notices, decision.message]})
    return plan
