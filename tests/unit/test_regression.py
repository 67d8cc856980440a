from datetime import UTC, datetime

from harness.judge.regression import detect_regressions
from harness.wire import MetricStats, RunSummary, ScenarioResult, Status


def summary(run_id: str, rate: float, cold_p95: float, status: Status) -> RunSummary:
    return RunSummary.model_validate(
        {
            "runId": run_id,
            "suite": "full",
            "target": "t",
            "trigger": "cli",
            "startedAt": datetime(2026, 11, 24, tzinfo=UTC),
            "finishedAt": datetime(2026, 11, 24, tzinfo=UTC),
            "durationSeconds": 10,
            "verdict": "passed" if status is Status.PASS else "failed",
            "successRate": rate,
            "counts": {status.value: 1},
            "results": [ScenarioResult(scenario="cold-start", group="g", status=status).to_wire()],
            "metrics": [
                MetricStats(
                    name="cold_start_seconds",
                    unit="seconds",
                    count=1,
                    p50=cold_p95,
                    p95=cold_p95,
                    p99=cold_p95,
                    max=cold_p95,
                ).to_wire()
            ],
        }
    )


def test_no_baseline_no_regressions() -> None:
    report = detect_regressions(summary("r2", 1.0, 1.0, Status.PASS), None)
    assert report.baseline_run_id is None and report.regressions == []


def test_slower_and_failing_runs_are_regressions() -> None:
    before = summary("r1", 1.0, 1.0, Status.PASS)
    report = detect_regressions(summary("r2", 0.5, 2.0, Status.FAIL), before)
    found = {r.metric: r for r in report.regressions}
    assert found["success_rate"].severity == "high"
    assert found["cold_start_seconds"].severity == "medium"
    assert found["cold_start_seconds"].change_ratio == 2.0
    assert found["scenario:cold-start"].severity == "high"
    assert report.baseline_run_id == "r1"


def test_jitter_below_the_absolute_floor_is_not_a_regression() -> None:
    before = summary("r1", 1.0, 0.10, Status.PASS)
    report = detect_regressions(summary("r2", 1.0, 0.30, Status.PASS), before)
    assert report.regressions == []
