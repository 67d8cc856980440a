"""How long each scenario is expected to take: the p50 of its durations in the last runs
against the target. A scenario no run has timed gets the median of the others' estimates (or
the configured default when nothing is known), so it is neither first nor last by accident."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harness.wire import RunSummary, Status

TIMED = (Status.PASS, Status.FAIL)


@dataclass(frozen=True)
class Estimate:
    seconds: float
    runs: int  # how many runs timed it (0: not from history)
    source: str  # "history" | "median" | "default"

    def describe(self) -> str:
        if self.source == "history":
            return f"expected {self.seconds:.1f}s (p50 of {self.runs} run(s))"
        if self.source == "median":
            return f"expected {self.seconds:.1f}s (never timed: the median of the others)"
        return f"expected {self.seconds:.1f}s (nothing timed yet: the default estimate)"


def estimate_durations(
    names: Iterable[str], runs: Sequence[RunSummary], default_seconds: float
) -> dict[str, Estimate]:
    """Estimates for ``names`` from ``runs`` (newest first, as ``recent_runs`` returns them).

    Only passes and fails count: an error may have stopped a scenario after a second, which
    says nothing about how long it takes.
    """
    samples: dict[str, list[float]] = {}
    for run in runs:
        for result in run.results:
            if result.status in TIMED and result.duration_seconds > 0:
                samples.setdefault(result.scenario, []).append(result.duration_seconds)
    wanted = list(dict.fromkeys(names))
    known = {
        name: Estimate(round(statistics.median(samples[name]), 3), len(samples[name]), "history")
        for name in wanted
        if name in samples
    }
    if known:
        middle = round(statistics.median(e.seconds for e in known.values()), 3)
        fallback = Estimate(middle, 0, "median")
    else:
        fallback = Estimate(default_seconds, 0, "default")
    return {name: known.get(name, fallback) for name in wanted}


# What a warm-up costs: the time from asking for an edit container to it answering, as the
# cold-start scenario measures it.
WARM_UP_METRIC = "cold_start_seconds"


def estimate_warm_up(runs: Sequence[RunSummary], configured_seconds: float) -> Estimate:
    """The cold start a lane pays before a group that needs a warm service on a cold one:
    the p50 of ``cold_start_seconds`` over ``runs`` (any scenario that measured one), else
    ``configured_seconds``."""
    samples = [
        metric.value
        for run in runs
        for result in run.results
        if result.status in TIMED
        for metric in result.metrics
        if metric.name == WARM_UP_METRIC
    ]
    if not samples:
        return Estimate(configured_seconds, 0, "default")
    return Estimate(round(statistics.median(samples), 3), len(samples), "history")
