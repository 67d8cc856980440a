"""Trend series on a literal history: points, the baseline band before each point, change
points, and which runs count."""

from __future__ import annotations

import statistics
from datetime import timedelta

from harness.config import RegressionConfig
from harness.judge.baseline import Direction, robust_spread
from harness.report.trends import TrendSeries, TrendSettings, trend_series
from harness.wire import Status
from tests.report_history import T0, history, result, summary


def by_key(series: list[TrendSeries]) -> dict[str, TrendSeries]:
    return {s.key: s for s in series}


def test_series_come_in_report_order_with_units_and_direction() -> None:
    runs = history(runs=3)
    series = trend_series(runs[-1], runs[:-1])
    assert [s.key for s in series] == [
        "webordinary-staging/-/success_rate",
        "webordinary-staging/-/suite_seconds",
        "webordinary-staging/-/cost_per_run_usd",
        "webordinary-staging/cold-start/cold_start_seconds",
        "webordinary-staging/session-persistence/restart_seconds",
    ]
    cold = series[3]
    assert (cold.unit, cold.direction, cold.sla) == ("seconds", Direction.LOWER_IS_BETTER, 60.0)
    assert series[0].direction is Direction.HIGHER_IS_BETTER
    assert [p.run_id for p in cold.points] == ["run-000", "run-001", "run-002"]


def test_no_band_until_the_minimum_baseline_then_median_and_robust_spread() -> None:
    runs = history(runs=14, step_at=99, failing=99)
    cold = by_key(trend_series(runs[-1], runs[:-1]))[
        "webordinary-staging/cold-start/cold_start_seconds"
    ]
    assert all(point.band is None for point in cold.points[:10])
    band = cold.points[13].band
    assert band is not None and band.samples == 13
    earlier = [point.value for point in cold.points[:13]]
    spread = robust_spread(earlier, Direction.LOWER_IS_BETTER)
    assert band.median == statistics.median(earlier)
    assert (band.low, band.high) == (band.median - spread, band.median + spread)
    assert cold.baseline is band


def test_the_charts_follow_the_regression_settings() -> None:
    """A user who judges from 3 baseline runs sees bands from the 4th point, not the 11th."""
    runs = history(runs=14, step_at=99, failing=99)
    settings = TrendSettings.of(RegressionConfig(min_samples=3, window=5))
    cold = by_key(trend_series(runs[-1], runs[:-1], settings=settings))[
        "webordinary-staging/cold-start/cold_start_seconds"
    ]
    assert [point.band is not None for point in cold.points[:5]] == [False] * 3 + [True] * 2
    assert cold.min_samples == 3
    band = cold.points[13].band
    assert band is not None and band.samples == 5  # the window, not the default 30


def test_a_failed_scenario_is_shown_but_left_out_of_the_baseline() -> None:
    runs = history(runs=14, step_at=99, failing=3)
    restart = by_key(trend_series(runs[-1], runs[:-1]))[
        "webordinary-staging/session-persistence/restart_seconds"
    ]
    assert [p.counted for p in restart.points].count(False) == 1
    assert not restart.points[3].counted
    assert restart.baseline is not None and restart.baseline.samples == 12


def test_a_step_is_marked_as_a_change_point_where_the_new_level_starts() -> None:
    runs = history(runs=30, step_at=22)
    cold = by_key(trend_series(runs[-1], runs[:-1]))[
        "webordinary-staging/cold-start/cold_start_seconds"
    ]
    assert [c.run_id for c in cold.changes] == ["run-022"]
    change = cold.changes[0]
    assert 1.1 < change.before < 1.3 and 1.8 < change.after < 2.0


def test_only_the_last_points_are_shown_but_bands_use_the_runs_before_them() -> None:
    runs = history(runs=30, step_at=99)
    cold = by_key(trend_series(runs[-1], runs[:-1], show=5))[
        "webordinary-staging/cold-start/cold_start_seconds"
    ]
    assert [p.run_id for p in cold.points] == [f"run-{i:03d}" for i in range(25, 30)]
    assert all(p.band is not None for p in cold.points)


def test_other_targets_never_mix_and_run_numbers_stay_within_one_suite() -> None:
    runs = history(runs=4)
    stranger = summary("other-1", T0, runs[0].results, target="elsewhere")
    smoke = summary(
        "smoke-1",
        T0 + timedelta(minutes=1),
        [result("cold-start", {"cold_start_seconds": 9.0})],
        suite="smoke",
    )
    found = by_key(trend_series(runs[-1], [*runs[:-1], stranger, smoke]))
    cold = found["webordinary-staging/cold-start/cold_start_seconds"]
    assert "other-1" not in [p.run_id for p in cold.points]
    assert "smoke-1" in [p.run_id for p in cold.points]  # a scenario's metric is per scenario
    wall = found["webordinary-staging/-/suite_seconds"]
    assert [p.run_id for p in wall.points] == [r.run_id for r in runs]  # full-suite runs only


def test_a_metric_the_reported_run_lacks_gets_no_chart() -> None:
    runs = history(runs=3)
    current = summary(
        "now",
        T0 + timedelta(days=9),
        [result("cold-start", {"cold_start_seconds": 1.0}, status=Status.ERROR)],
    )
    keys = [s.key for s in trend_series(current, runs)]
    assert "webordinary-staging/session-persistence/restart_seconds" not in keys
    assert "webordinary-staging/cold-start/cold_start_seconds" in keys
