"""Literal runs and regressions for alert tests (unit and integration)."""

from __future__ import annotations

from datetime import UTC, datetime

from harness.wire import Regression, RunSummary, series_key

TARGET = "shop"


def summary(
    run_id: str, statuses: dict[str, str] | None = None, target: str = TARGET
) -> RunSummary:
    statuses = {"cold-start": "pass", "alb-routing": "pass"} if statuses is None else statuses
    results = [
        {
            "scenario": name,
            "group": "g",
            "status": status,
            "metrics": [{"name": "cold_start_seconds", "value": 1.0, "unit": "seconds"}]
            if status == "pass"
            else [],
        }
        for name, status in statuses.items()
    ]
    return RunSummary.model_validate(
        {
            "runId": run_id,
            "suite": "full",
            "target": target,
            "trigger": "cli",
            "startedAt": datetime(2026, 11, 24, tzinfo=UTC),
            "finishedAt": datetime(2026, 11, 24, tzinfo=UTC),
            "durationSeconds": 10,
            "verdict": "passed",
            "successRate": 1.0,
            "counts": {},
            "results": results,
            "metrics": [],
        }
    )


def regression(
    severity: str = "high",
    scenario: str = "cold-start",
    metric: str = "cold_start_seconds",
    **extra: object,
) -> Regression:
    return Regression.model_validate(
        {
            "key": series_key(TARGET, scenario, metric),
            "target": TARGET,
            "scenario": scenario,
            "metric": metric,
            "unit": "seconds",
            "current": 3.0,
            "baseline": 1.0,
            "changeRatio": 3.0,
            "severity": severity,
            "message": f"{metric} rose from 1 to 3 seconds",
            "evidence": "z=9.1 over 20 runs",
            **extra,
        }
    )
