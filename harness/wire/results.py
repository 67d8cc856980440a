"""What a run produces: scenario results with their metrics and checks, the run summary, and
the regressions found against the baseline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from harness.wire.base import WireModel
from harness.wire.request import Trigger


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"  # not run: change-based selection left it out
    CACHED = "cached"  # not run: a pass with the same inputs was reused (``cached_from``)


class Comparison(StrEnum):
    """How a metric is held against its SLA limit."""

    AT_MOST = "at_most"
    AT_LEAST = "at_least"


MetricUnit = Literal["seconds", "milliseconds", "percent", "count", "usd", "ratio"]
"""The units a scenario may declare for its metrics."""


class Metric(WireModel):
    name: str
    value: float
    unit: MetricUnit
    sla: float | None = None
    comparison: Comparison = Comparison.AT_MOST

    @property
    def within_sla(self) -> bool | None:
        if self.sla is None:
            return None
        if self.comparison is Comparison.AT_MOST:
            return self.value <= self.sla
        return self.value >= self.sla


class Check(WireModel):
    name: str
    passed: bool
    detail: str = ""


class ErrorInfo(WireModel):
    type: str
    message: str


class ScenarioResult(WireModel):
    scenario: str
    group: str
    status: Status
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float = Field(default=0.0, ge=0)
    metrics: list[Metric] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    error: ErrorInfo | None = None
    attempts: int = Field(default=1, ge=0)
    selection: str | None = None  # why it ran, was skipped or reused
    cached_from: str | None = None  # status cached: the run whose pass this is

    @property
    def reason(self) -> str:
        """One line that says why a scenario did not pass."""
        if self.error is not None:
            return f"{self.error.type}: {self.error.message}"
        failed = [check for check in self.checks if not check.passed]
        if failed:
            return "; ".join(f"{c.name}: {c.detail}" if c.detail else c.name for c in failed)
        return ""


class MetricStats(WireModel):
    """A metric across a run's scenarios."""

    name: str
    unit: str
    count: int
    p50: float
    p95: float
    p99: float
    max: float


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ABORTED = "aborted"  # the run ended without a verdict of its own; recovery recorded it


class SlaStatus(StrEnum):
    MET = "met"
    BROKEN = "broken"
    NOT_MEASURED = "not_measured"


class SlaResult(WireModel):
    """One SLA line judged on one run (``harness.judge.sla.evaluate_run``)."""

    name: str  # an ``[sla]`` line, e.g. "cold_start"
    title: str
    value: float | None = None
    limit: float
    unit: str
    comparison: Comparison
    status: SlaStatus
    gate: bool = False  # listed in ``[sla] gates``: a broken line fails the verdict
    detail: str = ""


class RunSummary(WireModel):
    run_id: str
    suite: str
    target: str
    trigger: Trigger
    commit: str | None = None
    started_at: datetime
    finished_at: datetime
    duration_seconds: float
    verdict: Verdict
    success_rate: float = Field(ge=0, le=1)
    counts: dict[Status, int]
    results: list[ScenarioResult]
    metrics: list[MetricStats]
    estimated_cost_usd: float = Field(default=0.0, ge=0)
    sla: list[SlaResult] = Field(default_factory=list)
    # A group whose teardown failed may have left the target changed (e.g. scaled to zero):
    # the run fails even if every scenario passed.
    teardown_errors: list[str] = Field(default_factory=list)
    aborted_reason: str | None = None  # why an aborted run ended (signal, timeout, crash)
    notices: list[str] = Field(default_factory=list)  # e.g. why the result cache was off
    # In the state machine only: a large run's summary without the details of passing results
    # (Step Functions caps a state at 256 KB); the history store always holds the whole run.
    abridged: bool = False


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for low, 2 for high: ``a.rank >= b.rank`` means "at least as severe"."""
        return list(Severity).index(self)


def series_key(target: str, scenario: str | None, metric: str) -> str:
    """The name of a series: one metric of one scenario (``-`` for run-level metrics such as
    the success rate) on one target. The unit of baselines, detection, alert de-duplication
    and the known-issues ledger."""
    return f"{target}/{scenario or '-'}/{metric}"


STATUS_METRIC = "status"  # the series of a scenario's pass/fail (1 = passed)


class Regression(WireModel):
    """One series that got worse than its baseline (or was suspected to, and was re-run).

    A regression *stands* (alerts, may gate) unless the confirm pass did not reproduce it
    (``confirmed is False``) or a known-issues entry mutes it (``suppressed_by``).
    """

    key: str = ""  # series_key(target, scenario, metric)
    target: str = ""
    scenario: str | None = None
    metric: str
    unit: str = ""
    current: float
    baseline: float
    change_ratio: float
    severity: Severity
    message: str
    evidence: str = ""  # why the statistical guard believes it is not noise
    confirmed: bool | None = None  # None: not re-run; True/False: reproduced on the confirm pass
    suppressed_by: str | None = None  # the known-issues entry (ack, quarantine) that mutes it
    confirm_value: float | None = None  # the series' value on the confirm pass, if measured

    @property
    def stands(self) -> bool:
        """Reproduced (or not subject to confirmation) and not muted: alert-worthy."""
        return self.confirmed is not False and self.suppressed_by is None


class FlakyScenario(WireModel):
    """A scenario that flips between pass and fail with no change, or passes only on retry."""

    scenario: str
    runs: int  # decided runs looked at (the window)
    flips: int  # pass<->fail changes between consecutive runs of the same commit
    flip_rate: float = Field(ge=0, le=1)  # flips / (runs - 1)
    passed_on_retry: int = 0
    quarantined_by: str | None = None


class RegressionReport(WireModel):
    """What DetectRegressions (and JudgeConfirmation) found, and the run's final verdict."""

    run_id: str
    baseline_run_id: str | None = None  # the newest run the baselines were made of
    regressions: list[Regression]
    target: str = ""
    baseline: str = ""  # how the baselines were made, for people
    awaiting_confirmation: bool = False  # the ASL's ConfirmNeeded choice reads this
    confirm_scenarios: list[str] = Field(default_factory=list)  # what the confirm pass re-runs
    confirm_run_id: str | None = None  # the confirm pass's run in history
    flaky: list[FlakyScenario] = Field(default_factory=list)
    quarantined: dict[str, str] = Field(default_factory=dict)  # scenario -> ledger entry id
    still_failing: list[str] = Field(default_factory=list)  # failing now, whatever the baseline
    not_judged: list[str] = Field(default_factory=list)  # series keys short of baseline runs
    verdict: Verdict | None = None  # the gate's: scenarios (not quarantined) + regressions
    verdict_reason: str = ""
    gate_severity: Severity = Severity.HIGH

    @property
    def standing(self) -> list[Regression]:
        return [regression for regression in self.regressions if regression.stands]
