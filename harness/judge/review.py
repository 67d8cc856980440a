"""The cost review: what the runs of a period cost, per scenario and per AWS service, and
where the month is heading against the budget. Pure: the caller reads the runs."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from harness.config import HarnessConfig
from harness.judge.budget import month_start, month_to_date
from harness.judge.cost import Usage, scenario_usage
from harness.judge.prices import RECORDED_ON, prices_for
from harness.wire import RunSummary


@dataclass(frozen=True)
class ScenarioCost:
    scenario: str
    runs: int
    total_usd: float
    seconds: float

    @property
    def mean_usd(self) -> float:
        return self.total_usd / self.runs if self.runs else 0.0


@dataclass(frozen=True)
class CostReview:
    since: datetime
    until: datetime
    runs: int
    total_usd: float
    by_suite: dict[str, float]
    by_scenario: list[ScenarioCost]  # most expensive first
    by_service: dict[str, float]  # scenarios' own usage, per AWS service
    month_to_date_usd: float
    month_projection_usd: float
    budget_usd: float
    region: str
    prices_recorded_on: str = RECORDED_ON


def cost_review(
    window_runs: Sequence[RunSummary],
    month_runs: Sequence[RunSummary],
    config: HarnessConfig,
    now: datetime,
    window: timedelta,
) -> CostReview:
    prices = prices_for(config.cost.region)
    by_suite: dict[str, float] = defaultdict(float)
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    usage = Usage()
    for run in window_runs:
        by_suite[run.suite] += run.estimated_cost_usd
        for result in run.results:
            used = scenario_usage(result, config)
            usage = usage + used
            entry = totals[result.scenario]
            entry[0] += 1
            entry[1] += sum(used.priced(prices).values())
            entry[2] += result.duration_seconds
    spent = month_to_date(month_runs, now, config.cost.fixed_monthly_usd)
    start = month_start(now)
    days = calendar.monthrange(start.year, start.month)[1]
    elapsed = max((now - start).total_seconds() / (days * 86400), 1e-9)
    scenarios = [
        ScenarioCost(name, int(n), round(usd, 6), round(seconds, 1))
        for name, (n, usd, seconds) in totals.items()
    ]
    return CostReview(
        since=now - window,
        until=now,
        runs=len(window_runs),
        total_usd=round(sum(run.estimated_cost_usd for run in window_runs), 6),
        by_suite={suite: round(usd, 6) for suite, usd in sorted(by_suite.items())},
        by_scenario=sorted(scenarios, key=lambda s: s.total_usd, reverse=True),
        by_service={name: round(usd, 6) for name, usd in usage.priced(prices).items()},
        month_to_date_usd=spent,
        month_projection_usd=round(spent / elapsed, 2) if month_runs else spent,
        budget_usd=config.sla.monthly_budget_usd,
        region=config.cost.region,
    )
