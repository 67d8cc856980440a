"""A run's numbers: per-metric statistics, success rate, verdict and cost (pure arithmetic on
the collected results; ``collect`` decodes the state machine's output into them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from harness.judge.stats import percentile
from harness.ports import HistoryStore
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


# Results that ran in this run: only they add samples, seconds and cost. A cached pass is a
# pass (it counts in the success rate) but its numbers belong to the run it came from.
RAN = (Status.PASS, Status.FAIL, Status.ERROR)


def summarize(
    run: RunContext,
    results: list[ScenarioResult],
    finished_at: datetime,
    estimated_cost_usd: float = 0.0,
    notices: list[str] | None = None,
    teardown_errors: list[str] | None = None,
) -> RunSummary:
    counts = {status: 0 for status in Status}
    for result in results:
        counts[result.status] += 1
    passed = counts[Status.PASS] + counts[Status.CACHED]
    decided = passed + counts[Status.FAIL] + counts[Status.ERROR]
    success_rate = passed / decided if decided else 1.0
    ran = [result for result in results if result.status in RAN]
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
        metrics=metric_stats(ran),
        estimated_cost_usd=round(estimated_cost_usd, 6),
        notices=list(notices or []),
        teardown_errors=list(teardown_errors or []),
    )


SHOWN_FAILURES = 10  # the verdict line is also the Fail state's cause: keep it bounded


def verdict_reason(summary: RunSummary) -> str:
    """One line for the console and the Fail state's cause."""
    bad = [r for r in summary.results if r.status in (Status.FAIL, Status.ERROR)]
    teardown = "; ".join(summary.teardown_errors)
    if not bad:
        passed = sum(1 for r in summary.results if r.status in (Status.PASS, Status.CACHED))
        cached = summary.counts.get(Status.CACHED, 0)
        skipped = summary.counts.get(Status.SKIPPED, 0)
        reason = (
            f"all {passed} scenario(s) passed"
            + (f" ({cached} cached)" if cached else "")
            + (f"; {skipped} skipped by selection" if skipped else "")
        )
        return f"{reason}, but {teardown}" if teardown else reason
    details = "; ".join(
        f"{r.scenario} ({r.status.value}: {r.reason[:200]})" for r in bad[:SHOWN_FAILURES]
    )
    if len(bad) > SHOWN_FAILURES:
        details += f"; +{len(bad) - SHOWN_FAILURES} more"
    reason = f"{len(bad)} of {len(summary.results)} scenario(s) did not pass: {details}"
    return f"{reason}; {teardown}" if teardown else reason


# The summary Aggregate leaves in the state: Step Functions caps a state at 256 KB, and the
# steps after Aggregate add their own output to it.
SUMMARY_STATE_BYTES = 96_000
MAX_BAD_IN_STATE = 100


def _size(summary: RunSummary) -> int:
    return len(summary.model_dump_json(by_alias=True, exclude_none=True).encode())


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _slim(result: ScenarioResult) -> ScenarioResult:
    """What alerts and the verdict need of a result: status, failed checks, the error."""
    error = result.error
    return result.model_copy(
        update={
            "metrics": [],
            "checks": [
                check.model_copy(update={"detail": _clip(check.detail)})
                for check in result.checks
                if not check.passed
            ],
            "error": error.model_copy(update={"message": _clip(error.message)}) if error else None,
            "selection": None,
        }
    )


def for_state(summary: RunSummary, budget: int = SUMMARY_STATE_BYTES) -> RunSummary:
    """The summary as the state machine carries it: whole when it fits ``budget``, else
    ``abridged``: without metrics, passed checks and selection reasons, then without passing
    results. The history store always holds the whole run (``HistoryStore.get_run``)."""
    if _size(summary) <= budget:
        return summary
    slim = [_slim(result) for result in summary.results]
    abridged = summary.model_copy(update={"results": slim, "abridged": True})
    if _size(abridged) <= budget:
        return abridged
    bad = [result for result in slim if result.status in (Status.FAIL, Status.ERROR)]
    return abridged.model_copy(update={"results": bad[:MAX_BAD_IN_STATE]})


def whole(summary: RunSummary, history: HistoryStore) -> RunSummary:
    """The whole run: ``summary`` itself, or the stored run when the state carried it
    abridged (every step after Aggregate that reads results calls this)."""
    if not summary.abridged:
        return summary
    return history.get_run(summary.run_id) or summary
