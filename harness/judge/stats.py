"""Small statistics shared by scenarios and the run aggregator. Pure, standard library only."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, by linear interpolation.

    The method is numpy's default ("linear", Excel's PERCENTILE.INC): sort the values, take
    position ``(n - 1) * q / 100`` and interpolate between the two neighbours. It is exact at
    the ends (p0 = min, p100 = max), needs no minimum sample size, and a single value is its
    own every percentile -- all of which matter for runs with only a handful of samples.
    """
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
