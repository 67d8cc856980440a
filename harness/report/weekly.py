"""The trend summary of a period (a week by default): what got worse, the flakiest scenarios,
and SLA compliance, over the stored runs against one target. Pure; ``harness trends`` prints it.

"Worse" is judged with the regression check's own statistics (``harness.judge.baseline``):
the period's values against the rolling baseline of the passing runs before the period, by
the robust z of their mean; a level shift inside the period is found by the change-point test
(``harness.judge.changepoints``) over the baseline window and the period together.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from harness.config import SlaConfig
from harness.judge.baseline import Direction, robust_z, rolling_baseline
from harness.judge.changepoints import change_points
from harness.judge.sla import LINE_SAMPLES, RUN_LINES, evaluate_window
from harness.report.trends import DEFAULTS, Sample, TrendSettings, run_samples
from harness.wire import Comparison, RunSummary, Status

# However certain, a change of less than 5 % is not listed: a metric with no noise at all (a
# cost from a price table, a count) would otherwise show every rounding step.
MIN_CHANGE = 0.05


@dataclass(frozen=True, slots=True)
class Change:
    """A series whose level in the period is worse than its baseline before the period."""

    series: str
    unit: str
    now: float  # median of the period's passing values
    baseline: float  # median of the baseline
    ratio: float
    z: float
    shift: str  # "" or where the level moved inside the period


@dataclass(frozen=True, slots=True)
class Flakiness:
    scenario: str
    runs: int
    passed: int
    flips: int  # times the outcome changed from one run to the next
    retried: int  # passes that needed more than one attempt

    @property
    def flip_rate(self) -> float:
        return self.flips / (self.runs - 1) if self.runs > 1 else 0.0


@dataclass(frozen=True, slots=True)
class Compliance:
    what: str
    unit: str
    limit: float
    at_most: bool
    within: int
    total: int
    worst: float


@dataclass(frozen=True, slots=True)
class PeriodTrends:
    target: str
    since: datetime
    until: datetime
    runs: int
    earlier_runs: int
    worse: tuple[Change, ...]
    steady: int  # series judged and not worse
    unjudged: int  # series with too few baseline runs
    flaky: tuple[Flakiness, ...]
    compliance: tuple[Compliance, ...]


def period_trends(
    target: str,
    runs: Sequence[RunSummary],
    now: datetime,
    days: int,
    sla: SlaConfig,
    settings: TrendSettings = DEFAULTS,
) -> PeriodTrends:
    """The summary of the ``days`` before ``now`` from ``runs`` (any order, one target)."""
    since = now - timedelta(days=days)
    ordered = sorted((r for r in runs if r.target == target), key=lambda r: r.started_at)
    period = [run for run in ordered if since <= run.started_at <= now]
    earlier = [run for run in ordered if run.started_at < since]
    worse, steady, unjudged = _changes(earlier, period, settings)
    return PeriodTrends(
        target=target,
        since=since,
        until=now,
        runs=len(period),
        earlier_runs=len(earlier),
        worse=tuple(worse),
        steady=steady,
        unjudged=unjudged,
        flaky=tuple(_flakiness(period)),
        compliance=tuple(_compliance(period, sla)),
    )


def _by_series(runs: Sequence[RunSummary]) -> dict[tuple[str, str], list[Sample]]:
    """Values per series name; the run's own numbers are per suite (smoke and full differ)."""
    found: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for run in runs:
        for (scenario, metric), sample in run_samples(run):
            owner = scenario or f"{run.suite} suite"
            found[(owner, metric)].append(sample)
    return found


def _changes(
    earlier: Sequence[RunSummary], period: Sequence[RunSummary], settings: TrendSettings
) -> tuple[list[Change], int, int]:
    before = _by_series(earlier)
    worse: list[Change] = []
    steady = unjudged = 0
    for key, samples in _by_series(period).items():
        now = [s.value for s in samples if s.counted]
        history = [s.value for s in before.get(key, []) if s.counted]
        baseline = rolling_baseline(
            history, window=settings.window, min_samples=settings.min_samples
        )
        if not now or baseline is None:
            unjudged += 1
            continue
        direction = samples[-1].direction
        positive = all(v > 0 for v in (*now, *baseline.samples))
        z = robust_z(now, baseline.samples, direction, log_scale=positive)
        level = statistics.median(now)
        ratio = level / baseline.median if baseline.median else float("inf")
        if z < settings.z_threshold or abs(ratio - 1) < MIN_CHANGE:
            steady += 1
            continue
        worse.append(
            Change(
                f"{key[0]}/{key[1]}",
                samples[-1].unit,
                level,
                baseline.median,
                ratio,
                z,
                _shift(baseline.samples, samples, direction, settings),
            )
        )
    worse.sort(key=lambda change: change.z, reverse=True)
    return worse, steady, unjudged


def _shift(
    baseline: Sequence[float],
    period: Sequence[Sample],
    direction: Direction,
    settings: TrendSettings,
) -> str:
    """Where the level moved for the worse inside the period, if a change point says so."""
    counted = [s for s in period if s.counted]
    values = [*baseline, *(s.value for s in counted)]
    for change in change_points(
        values,
        alpha=settings.change_point_alpha,
        min_segment=settings.change_point_min_segment,
    ):
        at = change.index - len(baseline)
        adverse = (change.after_median > change.before_median) == (
            direction is Direction.LOWER_IS_BETTER
        )
        if at >= 0 and adverse:
            return f"run {counted[at].summary.run_id}"
    return ""


def _flakiness(period: Sequence[RunSummary]) -> list[Flakiness]:
    outcomes: dict[str, list[tuple[bool, int]]] = defaultdict(list)
    for run in period:
        for result in run.results:
            if result.status is not Status.SKIPPED:
                outcomes[result.scenario].append((result.status is Status.PASS, result.attempts))
    found = []
    for scenario, seen in outcomes.items():
        flips = sum(1 for a, b in pairwise(seen) if a[0] != b[0])
        retried = sum(1 for passed, attempts in seen if passed and attempts > 1)
        if flips or retried:
            passed = sum(1 for ok, _ in seen if ok)
            found.append(Flakiness(scenario, len(seen), passed, flips, retried))
    found.sort(key=lambda f: (f.flip_rate, f.retried, -f.passed), reverse=True)
    return found


def _compliance(period: Sequence[RunSummary], sla: SlaConfig) -> list[Compliance]:
    """The SLA lines over the period, as ``harness.judge.sla`` judges them (one arithmetic for
    the run's table, `harness sla` and this summary), plus the limits scenarios declare on
    metrics no SLA line covers (e.g. ``error_response_seconds``), run by run."""
    found = [
        Compliance(
            item.line.title,
            item.line.unit,
            item.limit,
            item.line.comparison is Comparison.AT_MOST,
            item.tally.events - item.tally.bad,
            item.tally.events,
            item.tally.value,
        )
        for item in evaluate_window(period, [], sla)
        if item.tally.events and item.tally.value is not None and item.line.name in RUN_LINES
    ]
    values: dict[tuple[str, str, float, bool], list[float]] = defaultdict(list)
    for run in period:
        for result in run.results:
            for metric in result.metrics:
                if metric.sla is not None and metric.name not in LINE_SAMPLES:
                    at_most = metric.comparison is Comparison.AT_MOST
                    key = (f"{result.scenario}/{metric.name}", metric.unit, metric.sla, at_most)
                    values[key].append(metric.value)
    for (what, unit, limit, at_most), seen in values.items():
        within = sum(1 for v in seen if (v <= limit if at_most else v >= limit))
        worst = max(seen) if at_most else min(seen)
        found.append(Compliance(what, unit, limit, at_most, within, len(seen), worst))
    found.sort(key=lambda c: (c.within / c.total, c.what))
    return found
