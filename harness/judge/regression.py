"""Compare a run with its baseline. For now the baseline is the previous run of the same
target and suite; per-metric rules and stored baselines come later (see docs)."""

from __future__ import annotations

from harness.ports import HistoryStore
from harness.wire import Regression, RegressionReport, RunSummary, Status

# A latency-style metric (p95) that grows by more than this ratio is a regression.
METRIC_GROWTH_RATIO = 1.2
SUCCESS_RATE_DROP_RATIO = 0.95
# ...and by more than this absolute amount, so jitter on tiny values is not a regression.
MIN_ABSOLUTE_GROWTH = {"seconds": 0.25, "milliseconds": 50.0}


def judge_run(current: RunSummary, history: HistoryStore) -> RegressionReport:
    """The regression check of a run against the history before it: what DetectRegressions
    runs, and what ``harness report`` re-runs for a stored run."""
    baseline = history.previous_run(current.target, current.suite, before=current.started_at)
    return detect_regressions(current, baseline)


def detect_regressions(current: RunSummary, baseline: RunSummary | None) -> RegressionReport:
    if baseline is None:
        return RegressionReport(run_id=current.run_id, baseline_run_id=None, regressions=[])
    found: list[Regression] = []
    if current.success_rate < baseline.success_rate * SUCCESS_RATE_DROP_RATIO:
        found.append(
            Regression(
                metric="success_rate",
                current=current.success_rate,
                baseline=baseline.success_rate,
                change_ratio=_ratio(current.success_rate, baseline.success_rate),
                severity="high",
                message=(
                    f"success rate fell from {baseline.success_rate:.0%} "
                    f"to {current.success_rate:.0%}"
                ),
            )
        )
    before = {stats.name: stats for stats in baseline.metrics}
    for stats in current.metrics:
        old = before.get(stats.name)
        if old is None or old.p95 <= 0:
            continue
        grew_by = stats.p95 - old.p95
        if stats.p95 > old.p95 * METRIC_GROWTH_RATIO and grew_by > MIN_ABSOLUTE_GROWTH.get(
            stats.unit, 0.0
        ):
            found.append(
                Regression(
                    metric=stats.name,
                    current=stats.p95,
                    baseline=old.p95,
                    change_ratio=_ratio(stats.p95, old.p95),
                    severity="medium",
                    message=f"{stats.name} p95 rose from {old.p95:g} to {stats.p95:g} {stats.unit}",
                )
            )
    passed_before = {r.scenario for r in baseline.results if r.status is Status.PASS}
    for result in current.results:
        if result.scenario in passed_before and result.status in (Status.FAIL, Status.ERROR):
            found.append(
                Regression(
                    metric=f"scenario:{result.scenario}",
                    current=0.0,
                    baseline=1.0,
                    change_ratio=0.0,
                    severity="high",
                    message=f"{result.scenario} passed in {baseline.run_id} and now "
                    f"{result.status.value}s: {result.reason}",
                )
            )
    return RegressionReport(
        run_id=current.run_id, baseline_run_id=baseline.run_id, regressions=found
    )


def _ratio(current: float, baseline: float) -> float:
    return round(current / baseline, 4) if baseline else 0.0
