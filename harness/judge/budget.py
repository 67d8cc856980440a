"""The month's spend against ``[sla] monthly_budget_usd``, and the gate a new run passes.

Month to date = the estimated cost of every run recorded since the 1st (UTC) plus the
deployment's at-rest cost (``[cost] fixed_monthly_usd``) prorated to the moment. A run is
let through when the month to date plus its own estimate stays within the budget; else, per
``[cost] over_budget``, it is refused, run as the smoke suite instead (if that fits), or
(``off``) let through anyway.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from harness.config import HarnessConfig
from harness.wire import RunSummary


def month_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_to_date(runs: Iterable[RunSummary], now: datetime, fixed_monthly_usd: float) -> float:
    """Runs since the 1st of ``now``'s month plus the prorated at-rest cost."""
    start = month_start(now)
    spent = sum(run.estimated_cost_usd for run in runs if run.started_at >= start)
    days = calendar.monthrange(start.year, start.month)[1]
    elapsed = (now.astimezone(UTC) - start).total_seconds() / (days * 86400)
    return round(spent + fixed_monthly_usd * elapsed, 6)


@dataclass(frozen=True)
class BudgetDecision:
    action: Literal["run", "smoke", "refuse"]
    month_to_date_usd: float
    run_estimate_usd: float
    budget_usd: float
    message: str


def decide(
    config: HarnessConfig,
    month_to_date_usd: float,
    run_estimate_usd: float,
    smoke_estimate_usd: float | None,
) -> BudgetDecision:
    """Whether a run whose estimate is ``run_estimate_usd`` may start.

    ``smoke_estimate_usd`` is what the smoke suite would cost instead (None: the run is
    already the smoke suite, or no smoke suite can stand in)."""
    budget = config.sla.monthly_budget_usd
    projected = month_to_date_usd + run_estimate_usd
    facts = (
        f"month to date ${month_to_date_usd:.2f} + this run ~${run_estimate_usd:.2f} = "
        f"${projected:.2f} against the monthly budget ${budget:.2f} ([sla] monthly_budget_usd)"
    )
    action = config.cost.over_budget
    if projected <= budget or action == "off":
        return BudgetDecision("run", month_to_date_usd, run_estimate_usd, budget, facts)
    fits_smoke = smoke_estimate_usd is not None and month_to_date_usd + smoke_estimate_usd <= budget
    if action == "smoke" and smoke_estimate_usd is not None and fits_smoke:
        return BudgetDecision(
            "smoke",
            month_to_date_usd,
            smoke_estimate_usd,
            budget,
            f"over budget: {facts}; running the smoke suite (~${smoke_estimate_usd:.2f}) "
            'instead ([cost] over_budget = "smoke")',
        )
    return BudgetDecision(
        "refuse",
        month_to_date_usd,
        run_estimate_usd,
        budget,
        f"refused, over budget: {facts}. Raise the budget, wait for next month, or set "
        '[cost] over_budget = "smoke" (run the smoke suite instead) or "off"',
    )
