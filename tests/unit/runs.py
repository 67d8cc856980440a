"""Literal runs for judging tests: a run is a dict of scenario -> (status, metrics)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from harness.judge.series import run_level_values
from harness.wire import Metric, RunSummary, ScenarioResult, Status, Verdict

T0 = datetime(2026, 11, 1, tzinfo=UTC)
UNITS = {"cold_start_seconds": "seconds", "routing_latency_p95_ms": "milliseconds"}
Spec = tuple[Status, Mapping[str, float]] | tuple[Status, Mapping[str, float], int]


def run(
    index: int,
    scenarios: Mapping[str, Spec],
    *,
    target: str = "web",
    suite: str = "full",
    commit: str | None = None,
    run_id: str | None = None,
    cost: float | None = None,
) -> RunSummary:
    """Run number ``index`` (one hour apart) with the given scenario outcomes."""
    results = []
    for name, spec in scenarios.items():
        status, metrics = spec[0], spec[1]
        attempts = spec[2] if len(spec) > 2 else 1
        results.append(
            ScenarioResult(
                scenario=name,
                group="g",
                status=status,
                duration_seconds=1.0,
                metrics=[
                    Metric.model_validate({"name": m, "value": v, "unit": UNITS.get(m, "seconds")})
                    for m, v in metrics.items()
                ],
                attempts=attempts,
            )
        )
    counts = {status: sum(r.status is status for r in results) for status in Status}
    started = T0 + timedelta(hours=index)
    values = run_level_values(results)
    return RunSummary(
        run_id=run_id or f"r{index:03d}",
        suite=suite,
        target=target,
        trigger="cli",
        commit=commit,
        started_at=started,
        finished_at=started + timedelta(minutes=1),
        duration_seconds=60,
        verdict=Verdict.PASSED
        if counts[Status.FAIL] + counts[Status.ERROR] == 0
        else Verdict.FAILED,
        success_rate=values["success_rate"],
        counts=counts,
        results=results,
        metrics=[],
        estimated_cost_usd=values["cost_per_run_usd"] if cost is None else cost,
    )


def cold(index: int, seconds: float, status: Status = Status.PASS, **kwargs: object) -> RunSummary:
    """A run of just cold-start, with its cold start in seconds."""
    return run(index, {"cold-start": (status, {"cold_start_seconds": seconds})}, **kwargs)  # type: ignore[arg-type]
