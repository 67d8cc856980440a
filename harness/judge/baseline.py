"""What a series usually measures: its baseline (recent or pinned samples with a robust centre
and spread) and how far new values sit from it, in robust units. Pure, standard library only.

Robust statistics because one slow run must not move the baseline: the median and the median
absolute deviation (MAD) barely move for an outlier, unlike the mean and standard deviation.
``harness.judge.detection`` builds the regression rules on these.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

BaselineSource = Literal["rolling", "pinned"]

# The MAD of normal data times this estimates its standard deviation (1 / Phi^-1(3/4)).
MAD_TO_SIGMA = 1.4826
# When over half the baseline is one value (MAD = 0): the mean absolute deviation times this
# estimates the standard deviation (sqrt(pi / 2)), the usual fallback of the modified z-score...
MEAN_AD_TO_SIGMA = 1.2533
# ...and so does the distance from the median to the worst decile divided by this (Phi^-1(0.9)).
DECILE_TO_SIGMA = 1.2816


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a series usually measures: its recent samples, with robust centre and spread."""

    samples: tuple[float, ...]
    source: BaselineSource
    run_ids: tuple[str, ...]
    median: float
    mad: float  # median absolute deviation from the median, in the metric's unit (unscaled)
    iqr: float  # interquartile range (inclusive quartiles); 0 for a single sample

    @property
    def count(self) -> int:
        return len(self.samples)

    @classmethod
    def of(
        cls,
        samples: Sequence[float],
        source: BaselineSource = "rolling",
        run_ids: Sequence[str] = (),
    ) -> Baseline:
        """The baseline of ``samples`` (at least one); ``run_ids`` name the runs they came from."""
        values = tuple(float(value) for value in samples)
        if not values:
            raise ValueError("a baseline needs at least one sample")
        if run_ids and len(run_ids) != len(values):
            raise ValueError(f"{len(run_ids)} run ids for {len(values)} samples")
        median = statistics.median(values)
        mad = statistics.median(abs(value - median) for value in values)
        iqr = 0.0
        if len(values) > 1:
            first, _, third = statistics.quantiles(values, n=4, method="inclusive")
            iqr = third - first
        return cls(values, source, tuple(run_ids), median, mad, iqr)


def rolling_baseline(
    samples: Sequence[float],
    *,
    window: int = 30,
    min_samples: int = 10,
    run_ids: Sequence[str] = (),
) -> Baseline | None:
    """The baseline from the last ``window`` samples (oldest first), or None below ``min_samples``.

    The caller passes the values of the series' last passing runs. None means "not enough
    history to know this series' noise": the caller reports that instead of guessing.
    """
    if window < 1 or min_samples < 1:
        raise ValueError("window and min_samples must be at least 1")
    recent = list(samples)[-window:]
    if len(recent) < min_samples:
        return None
    return Baseline.of(recent, "rolling", list(run_ids)[-window:] if run_ids else ())


def pinned_baseline(samples: Sequence[float], run_ids: Sequence[str] = ()) -> Baseline:
    """A baseline a user pinned (e.g. the runs of a release): compared against until unpinned."""
    return Baseline.of(samples, "pinned", run_ids)


def robust_spread(values: Sequence[float], direction: Direction) -> float:
    """A robust estimate of the standard deviation of ``values`` (see the module docstring).

    1.4826 x MAD; when the MAD is 0, the larger of 1.2533 x the mean absolute deviation and the
    distance from the median to the worst decile (in ``direction``'s bad tail) / 1.2816.
    """
    center = statistics.median(values)
    deviations = [abs(value - center) for value in values]
    mad = statistics.median(deviations)
    if mad > 0:
        return MAD_TO_SIGMA * mad
    spread = MEAN_AD_TO_SIGMA * statistics.fmean(deviations)
    if len(values) > 1:
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        if direction is Direction.LOWER_IS_BETTER:
            tail = deciles[-1] - center
        else:
            tail = center - deciles[0]
        spread = max(spread, tail / DECILE_TO_SIGMA)
    return spread


def robust_z(
    values: Sequence[float],
    samples: Sequence[float],
    direction: Direction,
    *,
    log_scale: bool = True,
) -> float:
    """Modified z-score of the mean of ``values`` against ``samples``; positive = worse.

    ``(mean - median) / (sigma * sqrt(1 / m + pi / (2 n)))`` for m values and n samples: the
    noise of the mean of m values plus that of the median of n. Infinite when the baseline has
    no spread at all and the values differ from it.
    """
    scale = math.log if log_scale else float
    base = [scale(sample) for sample in samples]
    sigma = robust_spread(base, direction) * math.sqrt(1 / len(values) + math.pi / (2 * len(base)))
    delta = statistics.fmean(scale(value) for value in values) - statistics.median(base)
    if direction is Direction.HIGHER_IS_BETTER:
        delta = -delta
    if sigma > 0:
        return delta / sigma
    return math.copysign(math.inf, delta) if delta else 0.0
