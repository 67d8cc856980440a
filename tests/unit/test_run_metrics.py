from datetime import UTC, datetime

from harness.notify.metrics import run_metrics
from harness.wire import RunSummary

SUMMARY = RunSummary.model_validate(
    {
        "runId": "r1",
        "suite": "smoke",
        "target": "t",
        "trigger": "schedule",
        "startedAt": datetime(2026, 11, 24, tzinfo=UTC),
        "finishedAt": datetime(2026, 11, 24, tzinfo=UTC),
        "durationSeconds": 42.5,
        "verdict": "failed",
        "successRate": 0.5,
        "counts": {"pass": 1, "fail": 1},
        "estimatedCostUsd": 0.0123,
        "metrics": [],
        "results": [
            {
                "scenario": "cold-start",
                "group": "g",
                "status": "pass",
                "metrics": [
                    {"name": "cold_start_seconds", "value": 12.0, "unit": "seconds"},
                    {"name": "session_creation_seconds", "value": 0.4, "unit": "seconds"},
                ],
            },
            {
                "scenario": "concurrent-sessions",
                "group": "g",
                "status": "fail",
                "metrics": [
                    {"name": "session_creation_p95_seconds", "value": 6.0, "unit": "seconds"},
                    {"name": "sessions_created", "value": 10, "unit": "count"},
                ],
            },
        ],
    }
)


def test_summary_becomes_the_dashboard_and_alarm_metrics() -> None:
    published = {(m.name, m.unit, m.value) for m in run_metrics(SUMMARY)}
    assert published == {
        ("SuccessRate", "Percent", 50.0),
        ("SuiteDurationSeconds", "Seconds", 42.5),
        ("CostPerRunUsd", "NoUnit", 0.0123),
        ("ColdStartSeconds", "Seconds", 12.0),
        ("SessionCreationSeconds", "Seconds", 0.4),
        ("SessionCreationSeconds", "Seconds", 6.0),
    }
