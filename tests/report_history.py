"""A made-up but realistic history for report and trend tests: runs of the full suite against
one target, with skewed noise, one failing run, and a step in cold start near the end."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from harness.wire import RunSummary, ScenarioResult, Status, Trigger, Verdict

T0 = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
TARGET = "webordinary-staging"


def result(
    scenario: str,
    metrics: dict[str, float],
    *,
    status: Status = Status.PASS,
    sla: dict[str, float] | None = None,
    reason: str = "",
) -> ScenarioResult:
    checks = [{"name": "answers", "passed": status is Status.PASS, "detail": reason}]
    return ScenarioResult.model_validate(
        {
            "scenario": scenario,
            "group": "lifecycle",
            "status": status.value,
            "durationSeconds": sum(metrics.values()),
            "metrics": [
                {"name": name, "value": value, "unit": "seconds", "sla": (sla or {}).get(name)}
                for name, value in metrics.items()
            ],
            "checks": checks,
        }
    )


def summary(
    run_id: str,
    started: datetime,
    results: list[ScenarioResult],
    *,
    suite: str = "full",
    target: str = TARGET,
) -> RunSummary:
    counts = {status: sum(r.status is status for r in results) for status in Status}
    passed = counts[Status.PASS]
    return RunSummary(
        run_id=run_id,
        suite=suite,
        target=target,
        trigger=Trigger.SCHEDULE,
        started_at=started,
        finished_at=started + timedelta(seconds=40),
        duration_seconds=40 + sum(r.duration_seconds for r in results),
        verdict=Verdict.PASSED if passed == len(results) else Verdict.FAILED,
        success_rate=passed / len(results),
        counts=counts,
        results=results,
        metrics=[],
        estimated_cost_usd=0.0007 + 0.00001 * len(results),
    )


def history(
    runs: int = 30, step_at: int = 22, failing: int = 12, seed: int = 7, start: datetime = T0
) -> list[RunSummary]:
    """``runs`` runs 12 h apart from ``start``, oldest first; cold start steps from ~1.2 s to
    ~1.9 s at run ``step_at``; session-persistence fails in run ``failing``."""
    rng = random.Random(seed)
    out = []
    for i in range(runs):
        cold = (1.9 if i >= step_at else 1.2) * rng.lognormvariate(0, 0.04)
        create = 0.05 * rng.lognormvariate(0, 0.15)
        status = Status.FAIL if i == failing else Status.PASS
        results = [
            result(
                "cold-start",
                {"cold_start_seconds": round(cold, 4)},
                sla={"cold_start_seconds": 60.0},
            ),
            result(
                "session-persistence",
                {"restart_seconds": round(create * 20, 4)},
                status=status,
                reason="file lost" if status is Status.FAIL else "",
            ),
        ]
        out.append(summary(f"run-{i:03d}", start + timedelta(hours=12 * i), results))
    return out
