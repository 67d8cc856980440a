"""A run's numbers: per-metric statistics, success rate, verdict and cost (pure arithmetic on
the collected results; ``collect`` decodes the state machine's output into them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from harness.judge.stats import percentile
from harness.wire import (
    MetricStats,
    RunContext,
    RunSummary,
    ScenarioResult,
    Status,
    Verdict,
)


def metric_stats(results: Iterable[ScenarioResult]) -> list[MetricStats]:
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for result in results:
        for metric in result.metrics:
            values[(metric.name, metric.unit)].append(metric.value)
    return [
        MetricStats(
            name=name,
            unit=unit,
            count=len(samples),
            p50=round(percentile(samples, 50), 4),
            p95=round(percentile(samples, 95), 4),
            p99=round(percentile(samples, 99), 4),
            max=max(samples),
        )
        for (name, unit), samples in sorted(values.items())
    ]


def summarize(
    run: RunContext,
    results: list[ScenarioResult],
    finished_at: datetime,
    estimated_cost_usd: float = 0.0,
    teardown_errors: list[str] | None = None,
) -> RunSummary:
    counts = {status: 0 for status in Status}
    for result in results:
        counts[result.status] += 1
    decided = counts[Status.PASS] + counts[Status.FAIL] + counts[Status.ERROR]
    success_rate = counts[Status.PASS] / decided if decided else 1.0
    clean = counts[Status.FAIL] == 0 and counts[Status.ERROR] == 0 and not teardown_errors
    verdict = Verdict.PASSED if clean else Verdict.FAILED
    return RunSummary(
        run_id=run.run_id,
        suite=run.suite,
        target=run.target.name,
        trigger=run.flags.trigger,
        commit=run.flags.commit,
        started_at=run.started_at,
        finished_at=finished_at,
        duration_seconds=round((finished_at - run.started_at).total_seconds(), 3),
        verdict=verdict,
        success_rate=round(success_rate, 4),
        counts=counts,
        results=results,
        metrics=metric_stats(results),
        estimated_cost_usd=round(estimated_cost_usd, 6),
        teardown_errors=list(teardown_errors or []),
    )


def verdict_reason(summary: RunSummary) -> str:
    """One line for the console and the Fail state's cause."""
    bad = [r for r in summary.results if r.status in (Status.FAIL, Status.ERROR)]
    teardown = "; ".join(summary.teardown_errors)
    if not bad:
        passed = f"all {len(summary.results)} scenario(s) passed"
        return f"{passed}, but {teardown}" if teardown else passed
    details = "; ".join(f"{r.scenario} ({r.status.value}: {r.reason})" for r in bad)
    reason = f"{len(bad)} of {len(summary.results)} scenario(s) did not pass: {details}"
    return f"{reason}; {teardown}" if teardown else reason
