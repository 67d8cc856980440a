"""Baselines per series: rolling (the last N passing runs, computed from history every time)
and pinned (frozen by ``harness baseline pin``, stored until unpinned).

Pinning run R freezes, for every series R reports, the rolling window as it stood at R: the
values of the last ``window`` runs up to and including R that count for the series. A pinned
baseline is held to the same minimum sample size as a rolling one, so pin a run with enough
history behind it (``harness baseline show`` says how many samples each series has).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.config import RegressionConfig
from harness.judge.baseline import Baseline, pinned_baseline
from harness.judge.series import (
    Samples,
    baseline_samples,
    is_confirm_run,
    oldest_first,
    run_level_values,
    scenario_values,
)
from harness.wire import PinnedBaseline, RunSummary, series_key
from harness.wire.metrics import COST_PER_RUN, METRICS, SUCCESS_RATE


@dataclass(frozen=True, slots=True)
class SeriesRef:
    """One series a run reports: where it lives and its value in that run."""

    key: str
    scenario: str | None
    metric: str
    value: float


def run_series(run: RunSummary, ignored: Sequence[str] = ()) -> list[SeriesRef]:
    """Every declared series ``run`` reports, run-level first, then per scenario. The success
    rate leaves out the ``ignored`` scenarios (those the ledger mutes)."""
    rate = run_level_values(run.results, ignored)[SUCCESS_RATE]
    found = [
        SeriesRef(series_key(run.target, None, SUCCESS_RATE), None, SUCCESS_RATE, rate),
        SeriesRef(
            series_key(run.target, None, COST_PER_RUN), None, COST_PER_RUN, run.estimated_cost_usd
        ),
    ]
    for result in run.results:
        for metric, value in scenario_values(result).items():
            if metric in METRICS:
                key = series_key(run.target, result.scenario, metric)
                found.append(SeriesRef(key, result.scenario, metric, value))
    return found


def rolling_samples(
    history: Sequence[RunSummary], ref: SeriesRef, suite: str, config: RegressionConfig
) -> Samples:
    """The series' last ``window`` baseline values in ``history`` (any order)."""
    return baseline_samples(oldest_first(history), ref.scenario, ref.metric, suite).last(
        config.window
    )


def pin_baselines(
    run: RunSummary,
    history: Sequence[RunSummary],
    config: RegressionConfig,
    now: datetime,
    scenario: str | None = None,
) -> list[PinnedBaseline]:
    """The baselines that ``harness baseline pin RUN [--scenario S]`` stores.

    ``history`` holds the runs of the target before ``run``. Series with no baseline values
    at all (the scenario never passed) are left out.
    """
    if is_confirm_run(run):
        raise ValueError(f"{run.run_id} is a confirm pass; pin the run it confirmed")
    pinned = []
    runs = [*history, run]
    for ref in run_series(run):
        if scenario is not None and ref.scenario != scenario:
            continue
        samples = rolling_samples(runs, ref, run.suite, config)
        if not samples.values:
            continue
        pinned.append(
            PinnedBaseline(
                key=ref.key,
                target=run.target,
                scenario=ref.scenario,
                metric=ref.metric,
                samples=list(samples.values),
                run_ids=list(samples.run_ids),
                pinned_at=now,
                pinned_from=run.run_id,
            )
        )
    return pinned


def pinned_as_baseline(pinned: PinnedBaseline) -> Baseline:
    return pinned_baseline(pinned.samples, pinned.run_ids)


def baseline_for(
    ref: SeriesRef,
    history: Sequence[RunSummary],
    pinned: Mapping[str, PinnedBaseline],
    suite: str,
    config: RegressionConfig,
) -> Baseline | None:
    """The pinned baseline of the series if there is one, else its rolling baseline (None
    when it has no baseline value at all)."""
    if ref.key in pinned:
        return pinned_as_baseline(pinned[ref.key])
    samples = rolling_samples(history, ref, suite, config)
    if not samples.values:
        return None
    return Baseline.of(samples.values, "rolling", samples.run_ids)
