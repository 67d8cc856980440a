"""Maintenance job reports: period keys, overall status, and the metrics they publish."""

from datetime import UTC, datetime

from harness.maintenance import JobReport, TaskResult, TaskStatus, job_key
from harness.maintenance.jobs import maintenance_metrics

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def report(*tasks: TaskResult) -> JobReport:
    return JobReport(
        job="daily", key=job_key("daily", NOW), started_at=NOW, finished_at=NOW, where="aws",
        tasks=list(tasks),
    )  # fmt: skip


def test_one_key_per_day_and_per_iso_week() -> None:
    assert job_key("daily", NOW) == "daily-20261125"
    assert job_key("weekly", NOW) == "weekly-2026-W48"


def test_status_and_metrics() -> None:
    sweep = TaskResult(
        name="sweep-expired-test-data",
        status=TaskStatus.OK,
        detail="",
        data={"prefix": "TEST_", "sessionsFound": 4, "deletedViaApi": 3, "deletedDirectly": 0,
              "seconds": 1.5},
    )  # fmt: skip
    budget = TaskResult(name="budget-check", status=TaskStatus.FAILED, detail="", data={"usd": 85})
    scan = TaskResult(name="security-scan", status=TaskStatus.NOT_CHECKED, detail="not checked")
    job = report(sweep, budget, scan)
    assert job.status is TaskStatus.FAILED
    assert report(sweep, scan).status is TaskStatus.NOT_CHECKED
    assert report(sweep).status is TaskStatus.OK
    metrics = {m.name: m.value for m in maintenance_metrics(job)}
    assert metrics == {
        "MaintenanceTasksFailed": 1,
        "CleanupSeconds": 1.5,
        "CleanupEfficiency": 75.0,
        "MonthToDateCostUsd": 85,
    }
