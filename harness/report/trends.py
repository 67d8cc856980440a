"""A run's series over its recent history: the points, the rolling baseline band before each
point, and the change points, as the report's trend charts show them. Pure.

A series is one metric of one scenario on one target (``harness.wire.series_key``); the run's
own numbers (success rate, wall time, cost) are series too, with no scenario, taken from runs
of the same suite only (a smoke run costs a fraction of a full one). The statistics are
``harness.judge.baseline``'s (rolling baseline: median and robust spread of the last passing
runs) and ``harness.judge.changepoints``' (Pettitt change points): the chart shows the numbers
the judge works with, computed by the same code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.config import RegressionConfig
from harness.judge.baseline import Direction, robust_spread, rolling_baseline
from harness.judge.changepoints import change_points
from harness.wire import Comparison, RunSummary, Status, series_key


@dataclass(frozen=True, slots=True)
class TrendSettings:
    """The statistics of the charts and the weekly summary: ``[regression]``'s, so a band,
    a change point and "got worse" mean what they mean to the regression judge."""

    window: int  # baseline band: up to this many earlier passing points
    min_samples: int  # fewer: no band, not judged
    z_threshold: float
    change_point_alpha: float
    change_point_min_segment: int

    @classmethod
    def of(cls, regression: RegressionConfig) -> TrendSettings:
        return cls(
            window=regression.window,
            min_samples=regression.min_samples,
            z_threshold=regression.z_threshold,
            change_point_alpha=regression.change_point_alpha,
            change_point_min_segment=regression.change_point_min_segment,
        )


DEFAULTS = TrendSettings.of(RegressionConfig())  # [regression]'s own defaults

# The run's own numbers: (metric name, unit, which way is better).
LOWER, HIGHER = Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER
RUN_METRICS: tuple[tuple[str, str, Direction], ...] = (
    ("success_rate", "ratio", HIGHER),
    ("suite_seconds", "seconds", LOWER),
    ("cost_per_run_usd", "usd", LOWER),
)


@dataclass(frozen=True, slots=True)
class Band:
    """The rolling baseline before a point: median and median +- one robust spread."""

    low: float
    median: float
    high: float
    samples: int


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_id: str
    started_at: datetime
    value: float
    counted: bool  # part of the baseline: the scenario passed (run metrics: always)
    band: Band | None  # None while the series has fewer baseline runs than the minimum


@dataclass(frozen=True, slots=True)
class ChangeMark:
    """The series' level changed at ``run_id`` (the first run of the new level)."""

    run_id: str
    before: float
    after: float
    p_value: float


@dataclass(frozen=True, slots=True)
class TrendSeries:
    key: str
    scenario: str | None
    metric: str
    unit: str
    direction: Direction
    sla: float | None
    points: tuple[TrendPoint, ...]  # oldest first; the last one is the reported run, if present
    changes: tuple[ChangeMark, ...]
    min_samples: int

    @property
    def current(self) -> TrendPoint | None:
        return self.points[-1] if self.points else None

    @property
    def baseline(self) -> Band | None:
        """The band the reported run was held against (None: not enough history yet)."""
        return self.points[-1].band if self.points else None


@dataclass(frozen=True, slots=True)
class Sample:
    """One run's value of one series."""

    summary: RunSummary
    value: float
    counted: bool
    unit: str
    direction: Direction
    sla: float | None


def trend_series(
    current: RunSummary,
    history: Sequence[RunSummary],
    *,
    show: int = 30,
    settings: TrendSettings = DEFAULTS,
) -> list[TrendSeries]:
    """Every series of ``current`` over ``history`` (earlier runs of its target, any order).

    The last ``show`` points are kept; bands use up to ``settings.window`` earlier passing
    points, so pass ``show + window`` runs of history for a band on the oldest shown point
    too. Series
    come in the report's order: the run's numbers, then each scenario's metrics as it ran.
    """
    runs = sorted(
        (run for run in history if run.run_id != current.run_id and run.target == current.target),
        key=lambda run: run.started_at,
    )
    runs.append(current)
    series: list[TrendSeries] = []
    for (scenario, metric), samples in _collect(runs, current).items():
        series.append(_series(current.target, scenario, metric, samples, show, settings))
    return series


def _collect(
    runs: Sequence[RunSummary], current: RunSummary
) -> dict[tuple[str | None, str], list[Sample]]:
    """Samples per (scenario, metric), keyed in the order the current run reports them."""
    order: dict[tuple[str | None, str], list[Sample]] = {
        (None, name): [] for name, _, _ in RUN_METRICS
    }
    for result in current.results:
        for metric in result.metrics:
            order.setdefault((result.scenario, metric.name), [])
    for run in runs:
        for key, sample in run_samples(run):
            if key in order and (key[0] is not None or run.suite == current.suite):
                order[key].append(sample)
    return {key: samples for key, samples in order.items() if samples}


def run_samples(run: RunSummary) -> Iterator[tuple[tuple[str | None, str], Sample]]:
    """Every series value of one run, keyed (scenario, metric); scenario None: the run's own."""
    values = (run.success_rate, run.duration_seconds, run.estimated_cost_usd)
    for (name, unit, direction), value in zip(RUN_METRICS, values, strict=True):
        yield (None, name), Sample(run, value, True, unit, direction, None)
    for result in run.results:
        passed = result.status is Status.PASS
        for metric in result.metrics:
            direction = HIGHER if metric.comparison is Comparison.AT_LEAST else LOWER
            sample = Sample(run, metric.value, passed, metric.unit, direction, metric.sla)
            yield (result.scenario, metric.name), sample


def _series(
    target: str,
    scenario: str | None,
    metric: str,
    samples: Sequence[Sample],
    show: int,
    settings: TrendSettings,
) -> TrendSeries:
    points: list[TrendPoint] = []
    earlier: list[float] = []
    for sample in samples:
        points.append(
            TrendPoint(
                run_id=sample.summary.run_id,
                started_at=sample.summary.started_at,
                value=sample.value,
                counted=sample.counted,
                band=_band(earlier, sample.direction, settings),
            )
        )
        if sample.counted:
            earlier.append(sample.value)
    shown = points[-show:]
    latest = samples[-1]
    return TrendSeries(
        key=series_key(target, scenario, metric),
        scenario=scenario,
        metric=metric,
        unit=latest.unit,
        direction=latest.direction,
        sla=latest.sla,
        points=tuple(shown),
        changes=_changes(shown, settings),
        min_samples=settings.min_samples,
    )


def _band(earlier: Sequence[float], direction: Direction, settings: TrendSettings) -> Band | None:
    baseline = rolling_baseline(earlier, window=settings.window, min_samples=settings.min_samples)
    if baseline is None:
        return None
    spread = robust_spread(baseline.samples, direction)
    return Band(baseline.median - spread, baseline.median, baseline.median + spread, baseline.count)


def _changes(points: Sequence[TrendPoint], settings: TrendSettings) -> tuple[ChangeMark, ...]:
    """Change points of the counted values, placed on the runs where the new level starts."""
    counted = [point for point in points if point.counted]
    found = change_points(
        [point.value for point in counted],
        alpha=settings.change_point_alpha,
        min_segment=settings.change_point_min_segment,
    )
    return tuple(
        ChangeMark(
            counted[change.index].run_id, change.before_median, change.after_median, change.p_value
        )
        for change in found
    )
