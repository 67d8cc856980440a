"""Is this run's value of a series a regression, or noise? Pure functions, standard library only.

A *series* is one metric of one scenario on one target, over successive runs. A value is a
regression only when two independent checks agree:

1. **The configured ratio rule trips** (``RatioRule``): the value is beyond ``ratio`` times the
   baseline *median* (not the mean: one slow run in the baseline must not move it), in the
   metric's bad direction, and by more than an absolute floor (``min_change``), so 10 ms of
   jitter on a 50 ms metric never alerts.
2. **The noise guard agrees** (``NoiseGuard``): a robust z-score of the value against the
   baseline sample is at least ``z_threshold``. It is the *modified z-score* of Iglewicz and
   Hoaglin (1993): the distance from the baseline median in units of the median absolute
   deviation (MAD, times 1.4826 so that it estimates a normal standard deviation). It is taken
   on the log of the values when they are all positive, because latencies and costs are
   right-skewed (roughly log-normal) and the rules are ratios. One outlier in the baseline
   barely moves the median or the MAD, unlike the mean and standard deviation.

Why both: the rule says whether the change *matters* (the user's threshold); the guard says
whether it is *real* for this series. On a series whose runs vary by 15 %, a 1.25x run is
noise; on one that varies by 2 %, it is not.

Why ``z_threshold = 3.5``: it is Iglewicz and Hoaglin's recommended cut-off. The MAD of a small
sample is itself noisy, so the guard alone lets through about 1.2 % of normal noise at n = 10
and 0.2 % at n = 30 (simulated; the ratio rule then removes most of those). Hence
``min_samples = 10``: at n = 5 the same cut-off lets about 5 % of pure noise through. The
z-score also counts the baseline median's own uncertainty (the median of n normal values has
variance ``pi / 2 * sigma**2 / n``), which widens the band at small n.

When more than half the baseline is one value (MAD = 0: 26 of 30 runs at 100 % success), the
spread falls back to the larger of the mean absolute deviation and the spread of the baseline's
worst decile, so that "one run in ten has a failing scenario" counts as this series' noise.

Below ``min_samples`` nothing is judged: the decision says so (``judged=False``) and what the
ratio rule alone would have said, but never alerts. On a new series the first runs only build
the baseline: users complain about alerts on noise, and the first runs tell nothing about a
series' noise. A run that *fails* is still caught by ``judge_status``, which needs no noise
estimate. A pinned baseline (``pinned_baseline``, e.g. the runs of a release) is held to the
same minimum.

Confirming before alerting: a single run cannot tell a one-off outlier (a slow run, a run with
a transient failure) from the first run of a step regression; a re-run can. ``judge`` takes the
run's value alone, or it with the values of confirmation re-runs of the same state:

* **Reproduces**: every value must trip the ratio rule on its own.
* **Beyond noise**: the z-score is that of the values' (log) mean, whose noise shrinks as
  ``sigma / sqrt(m)``: two runs at 3 sigma are stronger evidence than one.

``Decision.suspect`` (rule trips, z at least ``confirm_z = 2``) says a value is worth a
confirmation re-run even when one run alone is not conclusive. The intended pipeline: judge
the run; re-run what is ``suspect`` (for high and medium severities); alert on
``judge([value, *confirmations]).regressed``. ``judge([confirm])`` judges a re-run alone.
``benchmarks/detection.py`` measures this pipeline against the seed's fixed rule.

Why not scipy or a change-point library: see ``harness.judge.changepoints``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from harness.judge.baseline import Baseline, BaselineSource, Direction, robust_z

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True, slots=True)
class RatioRule:
    """A configured regression rule: value beyond ``ratio`` x baseline median, in ``direction``.

    ``ratio`` is above 1 when lower is better (1.2: 20 % slower) and below 1 when higher is
    better (0.95: success rate 5 % lower). ``min_change`` is an absolute floor in ``unit``: the
    change must also exceed it. ``severity`` is carried to the decision, not interpreted here.
    """

    ratio: float
    direction: Direction
    min_change: float = 0.0
    severity: Severity = "medium"
    unit: str = ""

    def __post_init__(self) -> None:
        if self.direction is Direction.LOWER_IS_BETTER and not self.ratio > 1:
            raise ValueError(f"lower-is-better rule needs a ratio above 1, got {self.ratio}")
        if self.direction is Direction.HIGHER_IS_BETTER and not 0 < self.ratio < 1:
            raise ValueError(f"higher-is-better rule needs a ratio in (0, 1), got {self.ratio}")
        if self.min_change < 0:
            raise ValueError(f"min_change must not be negative, got {self.min_change}")

    def trips(self, value: float, reference: float) -> bool:
        """Whether ``value`` is beyond the rule against ``reference`` (a baseline median)."""
        if self.direction is Direction.LOWER_IS_BETTER:
            return value > self.ratio * reference and value - reference > self.min_change
        return value < self.ratio * reference and reference - value > self.min_change


# The seed's rules, as defaults for config. Cold start keeps the 0.25 s floor of
# harness.regression (MIN_ABSOLUTE_GROWTH["seconds"]); the seed itself had none.
SEED_RULES: Mapping[str, RatioRule] = {
    "cold_start_seconds": RatioRule(
        1.2, Direction.LOWER_IS_BETTER, min_change=0.25, severity="medium", unit="s"
    ),
    "success_rate": RatioRule(0.95, Direction.HIGHER_IS_BETTER, severity="high"),
    "cost_per_run_usd": RatioRule(1.5, Direction.LOWER_IS_BETTER, severity="low", unit="USD"),
}


@dataclass(frozen=True, slots=True)
class NoiseGuard:
    """The statistical guard (see the module docstring for why these defaults).

    ``min_samples``: baseline runs needed before anything is judged. ``z_threshold``: robust z
    a regression needs. ``confirm_z``: robust z that makes a value worth a confirmation re-run.
    """

    min_samples: int = 10
    z_threshold: float = 3.5
    confirm_z: float = 2.0

    def __post_init__(self) -> None:
        if self.min_samples < 2:
            raise ValueError("the guard needs at least 2 baseline samples to estimate noise")
        if not 0 < self.confirm_z <= self.z_threshold:
            raise ValueError(
                f"need 0 < confirm_z <= z_threshold, got {self.confirm_z} and {self.z_threshold}"
            )


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one series, with the evidence a report shows and a one-line ``reason``.

    ``regressed``: alert-worthy with the samples given. ``suspect``: worth a confirmation re-run
    (includes ``regressed``). ``judged`` is False when there was too little baseline to decide
    (then neither is set). ``rule_tripped``: every sample trips the ratio rule on its own;
    ``samples_tripped`` counts those that do. ``ratio`` is that of the least adverse sample;
    ``z`` is the robust z of the samples' mean.
    """

    regressed: bool
    suspect: bool
    judged: bool
    rule_tripped: bool
    severity: Severity
    reason: str
    test: str
    samples: int
    samples_tripped: int
    baseline_count: int
    baseline_source: BaselineSource | None = None
    baseline_median: float | None = None
    baseline_mad: float | None = None
    ratio: float | None = None
    z: float | None = None


ROBUST_Z = "modified z-score (median and MAD of the baseline{scale})"


def judge(
    values: float | Sequence[float],
    baseline: Baseline | Sequence[float] | None,
    rule: RatioRule,
    guard: NoiseGuard | None = None,
) -> Decision:
    """Judge one run's value (or it with its confirmation re-runs) against a series' baseline.

    Regressed only if every value trips ``rule`` *and* the robust z of the values' mean
    against the baseline sample is at least ``guard.z_threshold``. A plain sequence as
    ``baseline`` is a rolling baseline of all its samples; None (what ``rolling_baseline``
    returns for too little history) is "not judged".
    """
    guard = guard or NoiseGuard()
    new = [float(values)] if isinstance(values, int | float) else [float(v) for v in values]
    if not new:
        raise ValueError("judge needs at least one value")
    if baseline is not None and not isinstance(baseline, Baseline):
        baseline = Baseline.of(baseline) if len(baseline) else None
    unit = f" {rule.unit}" if rule.unit else ""
    weakest = min(new) if rule.direction is Direction.LOWER_IS_BETTER else max(new)
    if baseline is None or baseline.count < guard.min_samples:
        count = baseline.count if baseline else 0
        would = baseline is not None and rule.trips(weakest, baseline.median)
        hint = ""
        if baseline is not None and would:
            hint = (
                f"; {_fmt_ratio(_ratio(weakest, baseline.median))} baseline median "
                f"{fmt(baseline.median)}{unit} would trip the {rule.ratio:g}x rule alone"
            )
        return Decision(
            regressed=False,
            suspect=False,
            judged=False,
            rule_tripped=would,
            severity=rule.severity,
            reason=f"not judged: {count} baseline runs, {guard.min_samples} needed{hint}",
            test="none: too few baseline samples",
            samples=len(new),
            samples_tripped=0,
            baseline_count=count,
            baseline_source=baseline.source if baseline else None,
            baseline_median=baseline.median if baseline else None,
            baseline_mad=baseline.mad if baseline else None,
        )

    log_scale = all(value > 0 for value in (*new, *baseline.samples))
    z = robust_z(new, baseline.samples, rule.direction, log_scale=log_scale)
    tripped = sum(rule.trips(value, baseline.median) for value in new)
    rule_tripped = tripped == len(new)
    regressed = rule_tripped and z >= guard.z_threshold
    suspect = rule_tripped and z >= guard.confirm_z
    ratio = _ratio(weakest, baseline.median)
    evidence = (
        f"(n={baseline.count}, MAD {fmt(baseline.mad)}{unit}"
        f"{', pinned' if baseline.source == 'pinned' else ''})"
    )
    where = f"{_fmt_ratio(ratio)} baseline median {fmt(baseline.median)}{unit}"
    z_text = f"robust z {_fmt_z(z)}"
    if len(new) > 1:
        z_text += f" over {len(new)} samples"
    if regressed:
        reason = f"{where} {evidence}: {z_text} >= {guard.z_threshold:g}"
    elif len(new) > 1 and 0 < tripped < len(new):
        reason = (
            f"not reproduced: {tripped} of {len(new)} samples beyond the {rule.ratio:g}x rule; "
            f"the weakest is {where}"
        )
    elif not rule_tripped and _beyond_ratio(weakest, baseline.median, rule):
        change = abs(weakest - baseline.median)
        reason = (
            f"{where}, but the change {fmt(change)}{unit} is within the "
            f"{fmt(rule.min_change)}{unit} floor"
        )
    elif not rule_tripped:
        reason = f"{where}: within the {rule.ratio:g}x rule"
    else:
        reason = f"within noise: {where} but {z_text} < {guard.z_threshold:g} {evidence}"
        if suspect:
            reason += "; worth a confirmation re-run"
    return Decision(
        regressed=regressed,
        suspect=suspect,
        judged=True,
        rule_tripped=rule_tripped,
        severity=rule.severity,
        reason=reason,
        test=ROBUST_Z.format(scale=", log scale" if log_scale else ""),
        samples=len(new),
        samples_tripped=tripped,
        baseline_count=baseline.count,
        baseline_source=baseline.source,
        baseline_median=baseline.median,
        baseline_mad=baseline.mad,
        ratio=ratio,
        z=z,
    )


def judge_status(
    baseline_passed: Sequence[bool],
    current_passed: bool | Sequence[bool],
    *,
    max_baseline_failure_rate: float = 0.05,
    severity: Severity = "high",
) -> Decision:
    """The seed's "passed in the baseline and now fails" rule, over a rolling window.

    "Passed in the baseline" tolerates rare flakiness: the scenario failed in at most
    ``max_baseline_failure_rate`` of the baseline runs (5 %: at most one failure in 20 runs, none
    in fewer), so a known-flaky scenario does not page on each of its failures. Like ``judge``,
    it is a regression only if every sample (the run and its confirmation re-runs) failed.
    No minimum sample size: a scenario that passed and now fails twice is no question of noise.
    ``suspect`` (any sample failed, after a passing baseline) is what warrants a re-run.
    """
    if not 0 <= max_baseline_failure_rate < 1:
        raise ValueError(
            f"max_baseline_failure_rate must be in [0, 1), got {max_baseline_failure_rate}"
        )
    current = [current_passed] if isinstance(current_passed, bool) else list(current_passed)
    if not current:
        raise ValueError("judge_status needs at least one current result")
    failed_now = sum(not passed for passed in current)
    runs = len(baseline_passed)
    failed_before = sum(not passed for passed in baseline_passed)
    judged = runs > 0
    passed_before = judged and failed_before <= max_baseline_failure_rate * runs
    every_failed = failed_now == len(current)
    record = f"passed {runs - failed_before}/{runs} baseline runs"
    if not judged:
        reason = "not judged: no baseline run"
    elif passed_before and every_failed:
        reason = f"{record} and failed {failed_now}/{len(current)} samples now"
    elif not failed_now:
        reason = f"passes ({record})"
    elif not passed_before:
        reason = (
            f"fails, but already failed in {failed_before}/{runs} baseline runs "
            f"(over the {max_baseline_failure_rate:.0%} tolerated)"
        )
    else:
        reason = f"not reproduced: failed {failed_now} of {len(current)} samples ({record})"
    return Decision(
        regressed=passed_before and every_failed,
        suspect=passed_before and failed_now > 0,
        judged=judged,
        rule_tripped=passed_before and every_failed,
        severity=severity,
        reason=reason,
        test="status: passed in the baseline, fails now",
        samples=len(current),
        samples_tripped=failed_now,
        baseline_count=runs,
    )


def _beyond_ratio(value: float, reference: float, rule: RatioRule) -> bool:
    if rule.direction is Direction.LOWER_IS_BETTER:
        return value > rule.ratio * reference
    return value < rule.ratio * reference


def _ratio(value: float, reference: float) -> float:
    if reference == 0:
        return 1.0 if value == 0 else math.copysign(math.inf, value)
    return value / reference


def fmt(value: float) -> str:
    """Three significant digits, trailing zeros kept (1.00, 0.0266, 123), no exponent below 1e6."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:#.3g}".rstrip(".")


def _fmt_ratio(ratio: float) -> str:
    return "inf x" if math.isinf(ratio) else f"{ratio:.2f}x"


def _fmt_z(z: float) -> str:
    return "inf" if math.isinf(z) else f"{z:.1f}"
