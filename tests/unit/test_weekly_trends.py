"""The period trend summary on literal histories: what got worse, flakiness, SLA compliance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harness.config import RegressionConfig, SlaConfig
from harness.report.text import render_trends
from harness.report.trends import TrendSettings
from harness.report.weekly import period_trends
from harness.wire import ScenarioResult, Status
from tests.report_history import T0, TARGET, history, result, summary

DAY = timedelta(days=1)


def test_a_step_inside_the_period_is_worse_with_its_level_shift() -> None:
    runs = history(runs=40, step_at=30, failing=99)  # two runs a day; the step on day 15
    now = runs[-1].started_at + timedelta(minutes=1)
    trends = period_trends(TARGET, runs, now, 7, SlaConfig())
    assert (trends.runs, trends.earlier_runs) == (14, 26)
    assert [change.series for change in trends.worse] == ["cold-start/cold_start_seconds"]
    change = trends.worse[0]
    assert 1.5 < change.ratio < 1.7 and change.z > 3.5
    # Pettitt's split falls where the ranks divide best: runs 28-29 were the slowest before
    # the step, so the shift may be placed up to two runs early.
    assert change.shift in ("run run-028", "run run-029", "run run-030")
    assert trends.unjudged == 0 and trends.steady >= 4


def test_steady_noise_is_not_worse_and_a_new_series_is_not_judged() -> None:
    runs = history(runs=40, step_at=99, failing=99)
    fresh = [
        summary(
            f"new-{i}",
            runs[-1].started_at + timedelta(hours=i + 1),
            [*runs[-10 - i].results, result("alb-routing", {"routing_seconds": 0.01})],
        )
        for i in range(3)
    ]
    now = fresh[-1].started_at + timedelta(minutes=1)
    trends = period_trends(TARGET, [*runs, *fresh], now, 7, SlaConfig())
    assert trends.worse == ()
    assert trends.unjudged == 1
    assert "nothing measurably worse" in render_trends(trends)


def test_what_got_worse_follows_the_regression_settings() -> None:
    runs = history(runs=40, step_at=30, failing=99)
    now = runs[-1].started_at + timedelta(minutes=1)
    strict = TrendSettings.of(RegressionConfig(z_threshold=1000.0))  # nothing is that far off
    assert period_trends(TARGET, runs, now, 7, SlaConfig(), strict).worse == ()
    scarce = TrendSettings.of(RegressionConfig(min_samples=100, window=200, history_runs=200))
    assert period_trends(TARGET, runs, now, 7, SlaConfig(), scarce).unjudged >= 5  # 26 < 100


def flaky_run(i: int, passed: bool, attempts: int = 1) -> ScenarioResult:
    status = Status.PASS if passed else Status.FAIL
    base = result("session-persistence", {"restart_seconds": 1.0}, status=status)
    return base.model_copy(update={"attempts": attempts})


def test_flip_rate_and_passes_on_retry_rank_the_flakiest_scenarios() -> None:
    outcomes = [True, False, True, True, False, True]
    runs = [
        summary(
            f"r{i}",
            T0 + i * DAY / 2,
            [
                flaky_run(i, ok),
                result("cold-start", {"cold_start_seconds": 1.0}).model_copy(
                    update={"attempts": 2 if i == 0 else 1}
                ),
            ],
        )
        for i, ok in enumerate(outcomes)
    ]
    trends = period_trends(TARGET, runs, T0 + 4 * DAY, 7, SlaConfig())
    flaky = {f.scenario: f for f in trends.flaky}
    persistence = flaky["session-persistence"]
    assert (persistence.runs, persistence.passed, persistence.flips) == (6, 4, 4)
    assert persistence.flip_rate == 4 / 5
    assert flaky["cold-start"].flips == 0 and flaky["cold-start"].retried == 1
    assert [f.scenario for f in trends.flaky] == ["session-persistence", "cold-start"]
    text = render_trends(trends)
    assert "session-persistence  6     4       4      80%" in text


def test_sla_compliance_counts_runs_within_each_limit_least_compliant_first() -> None:
    runs = [
        summary(
            f"r{i}",
            T0 + i * DAY / 2,
            [
                result(
                    "cold-start",
                    {"cold_start_seconds": v, "error_response_seconds": v},
                    sla={"cold_start_seconds": 2.0, "error_response_seconds": 2.0},
                )
            ],
        )
        for i, v in enumerate([1.0, 2.5, 1.5, 3.0])
    ]
    sla = SlaConfig(suite_max_seconds=42.0, cold_start_max_seconds=2.0)
    trends = period_trends(TARGET, runs, T0 + 3 * DAY, 7, sla)
    by_what = {c.what: c for c in trends.compliance}
    # The SLA lines as harness.judge.sla judges them: samples over the limit, the p99.
    cold = by_what["Cold start p99"]
    assert (cold.within, cold.total) == (2, 4) and cold.worst == pytest.approx(2.985)
    wall = by_what["Suite duration"]
    # 40 s + the scenario's duration (its metrics' sum): 42, 45, 43, 46 s against 42 s
    assert (wall.within, wall.total) == (1, 4)
    # A limit a scenario declares on a metric no SLA line covers, run by run.
    error = by_what["cold-start/error_response_seconds"]
    assert (error.within, error.total, error.worst) == (2, 4, 3.0)
    assert "cold-start/cold_start_seconds" not in by_what  # judged once, by its line
    assert trends.compliance[0].what == "Suite duration"  # the least compliant first
    assert "Cold start p99" in render_trends(trends)


def test_runs_outside_the_period_or_of_another_target_are_left_out() -> None:
    runs = history(runs=4)
    other = summary("x", runs[-1].started_at, runs[-1].results, target="elsewhere")
    trends = period_trends(TARGET, [*runs, other], runs[-1].started_at + DAY / 2, 1, SlaConfig())
    assert trends.runs == 2 and trends.earlier_runs == 2
    empty = period_trends("nobody", runs, T0, 7, SlaConfig())
    assert render_trends(empty).endswith("no runs in this period")
