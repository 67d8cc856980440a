"""Regression detection on literal series: each rule, the noise guard, baselines, change points."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from harness.judge.baseline import Baseline, Direction, pinned_baseline, rolling_baseline
from harness.judge.changepoints import change_points, detect_creep, pettitt
from harness.judge.detection import SEED_RULES, NoiseGuard, RatioRule, judge, judge_status

# Twelve runs of a cold start that varies by about 2 %, and twelve that vary by about 15 %.
QUIET = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.00, 1.02, 0.98, 1.01, 0.99]
NOISY = [1.00, 1.30, 0.80, 1.10, 0.90, 1.25, 0.85, 1.15, 0.95, 1.05, 1.20, 0.90]
COLD = RatioRule(1.2, Direction.LOWER_IS_BETTER, severity="medium", unit="s")
SUCCESS = SEED_RULES["success_rate"]


def seed_rule(value: float, history: list[float]) -> bool:
    """The seed's rule, for contrast: current > mean(history) x 1.2."""
    return value > statistics.fmean(history) * 1.2


def test_a_clear_step_regression_alerts_with_its_evidence() -> None:
    decision = judge(1.35, QUIET, COLD)
    assert decision.regressed and decision.suspect and decision.judged and decision.rule_tripped
    assert decision.ratio == pytest.approx(1.35)
    assert decision.z is not None and decision.z > 10
    assert decision.baseline_count == 12 and decision.baseline_median == 1.0
    assert decision.severity == "medium"
    assert decision.reason == (
        "1.35x baseline median 1.00 s (n=12, MAD 0.0150 s): robust z 12.8 >= 3.5"
    )


def test_a_single_noisy_run_on_a_noisy_series_does_not_alert() -> None:
    decision = judge(1.45, NOISY, COLD)
    assert decision.rule_tripped and not decision.regressed and not decision.suspect
    assert decision.reason.startswith("within noise: 1.41x baseline median 1.02 s")
    assert "robust z 1.7 < 3.5" in decision.reason
    assert seed_rule(1.45, NOISY)  # the seed's fixed rule alerts on it


def test_an_outlier_in_the_baseline_does_not_mask_a_regression() -> None:
    history = [*QUIET, 3.0]  # one run took 3 s
    assert judge(1.35, history, COLD).regressed
    assert not seed_rule(1.35, history)  # the mean moved to 1.15 s, so the seed misses it


def test_a_change_within_the_ratio_rule_is_not_a_regression() -> None:
    decision = judge(1.1, QUIET, COLD)
    assert not decision.regressed and not decision.rule_tripped
    assert decision.reason == "1.10x baseline median 1.00 s: within the 1.2x rule"


def test_too_few_samples_are_not_judged_and_say_what_the_rule_alone_would_do() -> None:
    assert rolling_baseline(QUIET[:4], min_samples=10) is None
    assert judge(1.35, None, COLD).reason == "not judged: 0 baseline runs, 10 needed"
    decision = judge(1.35, QUIET[:4], COLD)
    assert not decision.judged and not decision.regressed and not decision.suspect
    assert decision.rule_tripped
    assert decision.reason == (
        "not judged: 4 baseline runs, 10 needed; "
        "1.34x baseline median 1.00 s would trip the 1.2x rule alone"
    )
    assert judge(1.35, QUIET[:4], COLD, NoiseGuard(min_samples=4)).regressed


def test_success_rate_falling_is_a_regression_when_higher_is_better() -> None:
    history = [1.0, 0.98, 1.0, 0.99, 1.0, 0.97, 1.0, 0.99, 0.98, 1.0]
    fell = judge(0.8, history, SUCCESS)
    assert fell.regressed and fell.severity == "high"
    assert fell.reason.startswith("0.80x baseline median 0.995 (n=10")
    assert not judge(0.96, history, SUCCESS).regressed  # 0.96x: within the 0.95x rule
    assert not judge(1.0, history, SUCCESS).rule_tripped  # rising is never a regression


def test_failures_that_recur_in_the_baseline_are_that_series_noise() -> None:
    # 4 of 30 runs had one failing scenario in ten: MAD is 0, the worst decile is not.
    history = [1.0] * 26 + [0.9] * 4
    assert judge(0.9, history, SUCCESS).reason.startswith("within noise: 0.90x")
    assert judge(0.7, history, SUCCESS).regressed
    # Never a failure in 30 runs: the first one is beyond this series' noise.
    assert judge(0.9, [1.0] * 30, SUCCESS).regressed


def test_the_absolute_floor_keeps_jitter_on_tiny_values_quiet() -> None:
    tiny = [0.050, 0.052, 0.049, 0.051, 0.050, 0.048, 0.051, 0.050, 0.049, 0.052]
    floored = RatioRule(1.2, Direction.LOWER_IS_BETTER, min_change=0.25, unit="s")
    decision = judge(0.065, tiny, floored)
    assert not decision.regressed and not decision.rule_tripped
    assert decision.reason == (
        "1.30x baseline median 0.0500 s, but the change 0.0150 s is within the 0.250 s floor"
    )
    assert judge(0.065, tiny, COLD).regressed  # the same change without a floor


def test_a_pinned_baseline_still_sees_what_the_rolling_one_has_absorbed() -> None:
    crept = [1.20, 1.22, 1.18, 1.21, 1.19, 1.23, 1.17, 1.20, 1.22, 1.18]
    rolling = rolling_baseline([*QUIET, *crept], window=10, min_samples=10)
    assert rolling is not None and rolling.samples == tuple(crept) and rolling.source == "rolling"
    assert not judge(1.3, rolling, COLD).regressed
    pinned = pinned_baseline(QUIET, run_ids=[f"run-{n}" for n in range(12)])
    decision = judge(1.3, pinned, COLD)
    assert decision.regressed and decision.baseline_source == "pinned"
    assert "(n=12, MAD 0.0150 s, pinned)" in decision.reason


def test_rolling_baseline_keeps_the_last_window_and_its_run_ids() -> None:
    ids = [f"run-{n}" for n in range(12)]
    baseline = rolling_baseline(QUIET, window=5, min_samples=5, run_ids=ids)
    assert baseline is not None
    assert baseline.samples == (1.00, 1.02, 0.98, 1.01, 0.99)
    assert baseline.run_ids == ("run-7", "run-8", "run-9", "run-10", "run-11")


def test_baseline_statistics_are_robust() -> None:
    baseline = Baseline.of([1.0, 2.0, 3.0, 4.0, 10.0])
    assert (baseline.median, baseline.mad, baseline.iqr, baseline.count) == (3.0, 1.0, 2.0, 5)
    with pytest.raises(ValueError, match="at least one sample"):
        Baseline.of([])


def test_an_outlier_run_does_not_reproduce_on_confirmation() -> None:
    assert judge(3.0, QUIET, COLD).regressed  # one run alone cannot tell an outlier
    decision = judge([3.0, 1.01], QUIET, COLD)
    assert not decision.regressed and decision.samples_tripped == 1
    assert decision.reason == (
        "not reproduced: 1 of 2 samples beyond the 1.2x rule; "
        "the weakest is 1.01x baseline median 1.00 s"
    )
    assert not judge([1.01], QUIET, COLD).regressed  # the confirmation alone


def test_a_real_step_reproduces_on_confirmation() -> None:
    decision = judge([1.35, 1.31], QUIET, COLD)
    assert decision.regressed and decision.samples == decision.samples_tripped == 2
    assert decision.ratio == pytest.approx(1.31)  # the least adverse sample
    assert "over 2 samples >= 3.5" in decision.reason


def test_a_suspect_run_is_confirmed_by_the_pooled_evidence_of_its_re_run() -> None:
    first = judge(1.7, NOISY, COLD)
    assert first.suspect and not first.regressed
    assert first.reason.endswith("worth a confirmation re-run")
    # Two runs at 1.8x on a series that varies by 15 % are beyond its noise; one is not.
    assert not judge(1.8, NOISY, COLD).regressed
    assert judge([1.8, 1.8], NOISY, COLD).regressed


def test_status_rule_passed_in_the_baseline_and_fails_now() -> None:
    passed = [True] * 20
    decision = judge_status(passed, [False, False])
    assert decision.regressed and decision.severity == "high"
    assert decision.reason == "passed 20/20 baseline runs and failed 2/2 samples now"
    assert judge_status(passed, False).suspect
    unconfirmed = judge_status(passed, [False, True])
    assert not unconfirmed.regressed and unconfirmed.reason.startswith("not reproduced")
    assert judge_status([*[True] * 19, False], [False, False]).regressed  # 1 in 20 tolerated
    flaky = judge_status([*[True] * 17, False, False, False], [False, False])
    assert not flaky.regressed and "already failed in 3/20" in flaky.reason
    assert not judge_status([], False).judged


def test_rules_check_their_direction_and_the_seed_defaults() -> None:
    with pytest.raises(ValueError, match="ratio above 1"):
        RatioRule(0.95, Direction.LOWER_IS_BETTER)
    with pytest.raises(ValueError, match=r"ratio in \(0, 1\)"):
        RatioRule(1.2, Direction.HIGHER_IS_BETTER)
    assert {name: (rule.ratio, rule.severity) for name, rule in SEED_RULES.items()} == {
        "cold_start_seconds": (1.2, "medium"),
        "success_rate": (0.95, "high"),
        "cost_per_run_usd": (1.5, "low"),
    }


STEP = [*QUIET[:10], 1.30, 1.32, 1.28, 1.31, 1.29, 1.33, 1.27, 1.30, 1.32, 1.28]
WIGGLE = [0.01, -0.01, 0.02, -0.02, 0.0]


def test_a_change_point_is_found_on_a_step() -> None:
    [point] = change_points(STEP)
    assert point.index == 10
    assert (point.before_median, point.after_median) == (1.0, 1.3)
    assert point.p_value < 0.01 and point.ratio == pytest.approx(1.3)
    creep = detect_creep(STEP, COLD)
    assert creep.regressed and creep.since_index == 10
    assert creep.reason == (
        "creep: median moved from 1.00 s to 1.30 s (1.30x) since run #10, 1 change point, "
        "p <= 0.0016"
    )


def test_slow_creep_is_found_and_benign_drift_is_not_a_regression() -> None:
    creeping = [1.01**run * (1 + WIGGLE[run % 5]) for run in range(40)]  # +1 % a run
    points = change_points(creeping)
    assert [point.index for point in points] == [10, 20, 30]
    creep = detect_creep(creeping, COLD)
    assert creep.regressed and creep.since_index == 10
    assert creep.reason.startswith("creep: median moved from 1.05 s to 1.41 s (1.35x)")
    drifting = [1.001**run * (1 + WIGGLE[run % 5]) for run in range(40)]  # +0.1 % a run
    drift = detect_creep(drifting, COLD)
    assert not drift.regressed and drift.reason.endswith("within the 1.2x rule")


def test_no_change_point_on_flat_skewed_noise_with_outliers() -> None:
    rng = random.Random(7)
    flat = [math.exp(rng.gauss(0, 0.1)) * (3 if rng.random() < 0.04 else 1) for _ in range(60)]
    assert max(flat) > 2.5  # the series does have outliers
    assert change_points(flat) == []
    assert detect_creep(flat, COLD).reason == "no change point in 60 runs (alpha 0.01)"


def test_pettitt_statistic_matches_its_definition() -> None:
    values = [3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 4.0, 6.0]
    n = len(values)

    def u(t: int) -> float:
        # U_t = sum over i < t <= j of sign(x_i - x_j)
        return sum(
            (values[i] > values[j]) - (values[i] < values[j]) for i in range(t) for j in range(t, n)
        )

    index, k, p_value = pettitt(values)
    assert k == max(abs(u(t)) for t in range(1, n))
    assert abs(u(index)) == k
    assert p_value == pytest.approx(2 * math.exp(-6 * k**2 / (n**3 + n**2)))
