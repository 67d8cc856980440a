"""The SLA lines: each one judged on one run, and over a window of history.

Pure arithmetic on run summaries and cleanup reports. docs/sla.md says what each line
measures and from what; this module is the one place that computes it, for the results
table, the report, the verdict's gates and `harness sla`.

Over a window every line is a count of events and of bad events against an objective (the
share of events that must be good). The error budget is what the objective allows to go
bad, ``events * (1 - objective)``; what is left of it is ``1 - bad / allowed``. Lines with
a hard limit (every run within 30 minutes) have objective 1: no error budget at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from harness.config import SlaConfig
from harness.judge.stats import percentile
from harness.notify.metrics import COLD_START_SAMPLES, SESSION_CREATION_SAMPLES
from harness.wire import (
    CleanupReport,
    Comparison,
    RunSummary,
    ScenarioResult,
    SlaResult,
    SlaStatus,
    Status,
    Verdict,
)

RECOVERY_SAMPLES = ("recovery_seconds",)
# Scenario metrics that are samples of an SLA line (the line judges them, not their own limit).
LINE_SAMPLES = (*COLD_START_SAMPLES, *SESSION_CREATION_SAMPLES, *RECOVERY_SAMPLES)
# The lines a period of runs measures (cleanups and the month's budget come from elsewhere).
RUN_LINES = (
    "success_rate",
    "availability",
    "cold_start",
    "session_creation",
    "suite_duration",
    "recovery",
    "false_positive_rate",
    "cost_per_run",
)
# A scenario saw the target down when its group's health check failed, a request got no
# answer (transport error), or its "no-hang" check failed (a request hung past the timeout).
UNAVAILABLE_ERRORS = ("TargetUnavailableError", "TargetRequestError")
UNAVAILABLE_CHECKS = ("no-hang",)
DECIDED = (Status.PASS, Status.FAIL, Status.ERROR)
AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


@dataclass(frozen=True)
class SlaLine:
    name: str
    title: str
    unit: str
    comparison: Comparison
    limit: Callable[[SlaConfig], float]
    # Share of a window's events that must be good; 1.0 = every one (no error budget).
    objective: Callable[[SlaConfig], float]


LINES: tuple[SlaLine, ...] = (
    SlaLine("success_rate", "Success rate", "ratio", AT_LEAST,
            lambda s: s.success_rate_min, lambda s: s.success_rate_min),
    SlaLine("availability", "Target availability", "ratio", AT_LEAST,
            lambda s: s.availability_min, lambda s: s.availability_min),
    SlaLine("cold_start", "Cold start p99", "seconds", AT_MOST,
            lambda s: s.cold_start_max_seconds, lambda s: 0.99),
    SlaLine("session_creation", "Session creation p95", "seconds", AT_MOST,
            lambda s: s.session_creation_p95_max_seconds, lambda s: 0.95),
    SlaLine("suite_duration", "Suite duration", "seconds", AT_MOST,
            lambda s: s.suite_max_seconds, lambda s: 1.0),
    SlaLine("cleanup_duration", "Cleanup duration", "seconds", AT_MOST,
            lambda s: s.cleanup_max_seconds, lambda s: 1.0),
    SlaLine("recovery", "Recovery after a crash", "seconds", AT_MOST,
            lambda s: s.recovery_max_seconds, lambda s: 1.0),
    SlaLine("false_positive_rate", "False-positive rate", "ratio", AT_MOST,
            lambda s: s.false_positive_rate_max, lambda s: 1 - s.false_positive_rate_max),
    SlaLine("cost_per_run", "Cost per run", "usd", AT_MOST,
            lambda s: s.cost_per_run_max_usd, lambda s: 1.0),
    SlaLine("monthly_budget", "Month-to-date cost", "usd", AT_MOST,
            lambda s: s.monthly_budget_usd, lambda s: 1.0),
    SlaLine("cleanup_efficiency", "Cleanup efficiency", "ratio", AT_LEAST,
            lambda s: s.cleanup_efficiency_min, lambda s: s.cleanup_efficiency_min),
)  # fmt: skip
LINE = {line.name: line for line in LINES}


@dataclass(frozen=True)
class Tally:
    """What a line saw: ``events`` of which ``bad`` broke it, and the line's value."""

    events: int
    bad: int
    value: float | None
    detail: str = ""


def samples(results: Iterable[ScenarioResult], names: Sequence[str]) -> list[float]:
    return [m.value for r in results for m in r.metrics if m.name in names]


def target_available(result: ScenarioResult) -> bool:
    if result.error is not None and result.error.type in UNAVAILABLE_ERRORS:
        return False
    if result.error is not None and any(e in result.error.message for e in UNAVAILABLE_ERRORS):
        return False  # a group's setup error carries the cause in its message
    return not any(c.name in UNAVAILABLE_CHECKS and not c.passed for c in result.checks)


def _within(line: SlaLine, value: float, sla: SlaConfig) -> bool:
    limit = line.limit(sla)
    return value >= limit if line.comparison is AT_LEAST else value <= limit


def _ratio(events: int, good: int, unit: str) -> Tally:
    value = good / events if events else None
    return Tally(events, events - good, value, f"{good} of {events} {unit}")


def _over(values: Sequence[float], limit: float, q: float | None, what: str) -> Tally:
    """Samples against a limit: the value is their q-th percentile (or max), bad = over."""
    if not values:
        return Tally(0, 0, None, f"no {what} in this period")
    value = percentile(values, q) if q is not None else max(values)
    bad = sum(1 for v in values if v > limit)
    return Tally(len(values), bad, round(value, 4), f"{len(values)} {what}, {bad} over the limit")


def false_positives(runs: Iterable[RunSummary]) -> Tally:
    """A failure is a false positive when the next run of the same scenario on the same
    target, at the same recorded commit (nothing changed), passes. Pairs without a commit
    on both sides cannot be judged and are left out."""
    series: dict[tuple[str, str], list[tuple[datetime, str | None, Status]]] = defaultdict(list)
    for run in runs:
        for result in run.results:
            if result.status in DECIDED:
                series[(run.target, result.scenario)].append(
                    (run.started_at, run.commit, result.status)
                )
    judged = flagged = 0
    for executions in series.values():
        executions.sort(key=lambda item: item[0])
        for (_, commit, status), (_, next_commit, next_status) in pairwise(executions):
            if commit is None or commit != next_commit:
                continue
            judged += 1
            if status is not Status.PASS and next_status is Status.PASS:
                flagged += 1
    if not judged:
        return Tally(0, 0, None, "no two runs of a scenario at the same commit to compare")
    return Tally(judged, flagged, flagged / judged, f"{flagged} of {judged} repeat runs flipped")


def tallies(
    runs: Sequence[RunSummary],
    cleanups: Sequence[CleanupReport],
    sla: SlaConfig,
    month_to_date_usd: float | None = None,
) -> dict[str, Tally]:
    """Every line's tally over ``runs`` (one run, or a window of them)."""
    results = [r for run in runs for r in run.results if r.status in DECIDED]
    found: dict[str, Tally] = {
        "success_rate": _ratio(
            len(results), sum(r.status is Status.PASS for r in results), "scenarios passed"
        ),
        "availability": _ratio(
            len(results), sum(target_available(r) for r in results), "scenarios saw it up"
        ),
        "cold_start": _over(
            samples(results, COLD_START_SAMPLES), sla.cold_start_max_seconds, 99, "samples"
        ),
        "session_creation": _over(
            samples(results, SESSION_CREATION_SAMPLES),
            sla.session_creation_p95_max_seconds,
            95,
            "samples",
        ),
        "suite_duration": _over(
            [run.duration_seconds for run in runs], sla.suite_max_seconds, None, "runs"
        ),
        "cleanup_duration": _over(
            [c.seconds for c in cleanups], sla.cleanup_max_seconds, None, "cleanups"
        ),
        "recovery": _over(
            samples(results, RECOVERY_SAMPLES), sla.recovery_max_seconds, None, "recoveries"
        ),
        "false_positive_rate": false_positives(runs),
        "cost_per_run": _over(
            [run.estimated_cost_usd for run in runs], sla.cost_per_run_max_usd, None, "runs"
        ),
        "cleanup_efficiency": _ratio(
            sum(c.sessions_found for c in cleanups),
            sum(c.deleted_via_api + c.deleted_directly for c in cleanups),
            "test sessions deleted",
        ),
    }
    if month_to_date_usd is not None:
        over = int(month_to_date_usd > sla.monthly_budget_usd)
        found["monthly_budget"] = Tally(1, over, round(month_to_date_usd, 4), "estimated")
    else:
        found["monthly_budget"] = Tally(0, 0, None, "see `harness cost`")
    return found


def status_of(line: SlaLine, tally: Tally, sla: SlaConfig) -> SlaStatus:
    if tally.value is None or tally.events == 0:
        return SlaStatus.NOT_MEASURED
    if line.objective(sla) >= 1.0 and tally.bad:
        return SlaStatus.BROKEN
    return SlaStatus.MET if _within(line, tally.value, sla) else SlaStatus.BROKEN


def evaluate_run(
    summary: RunSummary,
    sla: SlaConfig,
    cleanup: CleanupReport | None = None,
    month_to_date_usd: float | None = None,
) -> list[SlaResult]:
    """Every SLA line on one run. The false-positive rate needs repeat runs: over windows."""
    found = tallies([summary], [cleanup] if cleanup else [], sla, month_to_date_usd)
    if cleanup is None:
        for name in ("cleanup_duration", "cleanup_efficiency"):
            found[name] = Tally(0, 0, None, "measured after the verdict (Cleanup runs last)")
    return [
        SlaResult(
            name=line.name,
            title=line.title,
            value=found[line.name].value,
            limit=line.limit(sla),
            unit=line.unit,
            comparison=line.comparison,
            status=status_of(line, found[line.name], sla),
            gate=line.name in sla.gates,
            detail=found[line.name].detail,
        )
        for line in LINES
    ]


def broken_gates(results: Iterable[SlaResult]) -> list[SlaResult]:
    return [r for r in results if r.gate and r.status is SlaStatus.BROKEN]


def gate_reason(results: Iterable[SlaResult]) -> str:
    """One clause for the verdict's reason, or "" when no gating line is broken."""
    broken = broken_gates(results)
    if not broken:
        return ""
    return "SLA broken: " + "; ".join(
        f"{r.title} {format_value(r.value, r.unit)} "
        f"({'>=' if r.comparison is AT_LEAST else '<='} {format_value(r.limit, r.unit)})"
        for r in broken
    )


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{value:.2%}"
    if unit == "usd":
        return f"${value:.4f}"
    return f"{value:g}s"


@dataclass(frozen=True)
class WindowResult:
    """One SLA line over a window: compliance and the error budget left."""

    line: SlaLine
    tally: Tally
    limit: float
    objective: float
    status: SlaStatus

    @property
    def compliance(self) -> float | None:
        """Share of the window's events that were good."""
        if not self.tally.events:
            return None
        return (self.tally.events - self.tally.bad) / self.tally.events

    @property
    def budget_left(self) -> float | None:
        """1 = untouched, 0 = used up, below 0 = overspent; None = no budget (objective 1)."""
        if not self.tally.events or self.objective >= 1.0:
            return None
        allowed = self.tally.events * (1 - self.objective)
        return 1 - self.tally.bad / allowed


def evaluate_window(
    runs: Sequence[RunSummary],
    cleanups: Sequence[CleanupReport],
    sla: SlaConfig,
    month_to_date_usd: float | None = None,
) -> list[WindowResult]:
    """Every SLA line over the runs and cleanups of a window (``harness sla --days N``)."""
    found = tallies(runs, cleanups, sla, month_to_date_usd)
    return [
        WindowResult(
            line=line,
            tally=found[line.name],
            limit=line.limit(sla),
            objective=line.objective(sla),
            status=status_of(line, found[line.name], sla),
        )
        for line in LINES
    ]


def judge_run(summary: RunSummary, sla: SlaConfig) -> tuple[RunSummary, str]:
    """The summary with its SLA lines, failed when a gating line is broken; and the clause
    that says which (empty when none)."""
    results = evaluate_run(summary, sla)
    reason = gate_reason(results)
    update: dict[str, object] = {"sla": results}
    if reason:
        update["verdict"] = Verdict.FAILED
    return summary.model_copy(update=update), reason


def with_cleanup(
    results: Sequence[SlaResult], cleanup: CleanupReport | None, sla: SlaConfig
) -> list[SlaResult]:
    """A run's lines with the two cleanup lines judged, once its Cleanup step has reported."""
    if cleanup is None:
        return list(results)
    late = {r.name: r for r in evaluate_run_cleanup(cleanup, sla)}
    return [late.get(r.name, r) for r in results]


def evaluate_run_cleanup(cleanup: CleanupReport, sla: SlaConfig) -> list[SlaResult]:
    found = tallies([], [cleanup], sla)
    return [
        SlaResult(
            name=name,
            title=LINE[name].title,
            value=found[name].value,
            limit=LINE[name].limit(sla),
            unit=LINE[name].unit,
            comparison=LINE[name].comparison,
            status=status_of(LINE[name], found[name], sla),
            detail=found[name].detail,
        )
        for name in ("cleanup_duration", "cleanup_efficiency")
    ]
