"""What each step of the state machine receives and returns (the shapes
statemachines/suite.asl.json builds), including what a Catch leaves behind."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import Field

from harness.wire.alerts import AlertReport
from harness.wire.base import StateEvent, WireModel
from harness.wire.request import (
    GroupPlan,
    LanePlan,
    NotRun,
    ResolvedTarget,
    RunContext,
    RunPlan,
    ScenarioSpec,
    ServiceState,
    UserBatch,
)
from harness.wire.results import (
    Check,
    ErrorInfo,
    RegressionReport,
    RunSummary,
    ScenarioResult,
    Status,
    Verdict,
)


class CaughtError(WireModel):
    """What a Catch puts at ``ResultPath``: the error name and its cause text."""

    error: str = Field(alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


def error_from_caught(caught: CaughtError) -> ErrorInfo:
    """A Lambda error's cause is JSON ``{"errorType", "errorMessage"}``; others are text."""
    message = caught.cause or ""
    error_type = caught.error
    try:
        payload = json.loads(message)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        message = str(payload.get("errorMessage", message))
        error_type = str(payload.get("errorType", error_type))
    return ErrorInfo(type=error_type, message=message or "(no cause given)")


OUTCOME_REASON_LENGTH = 160


class ScenarioOutcome(WireModel):
    """RunScenario's output: the verdict in a few hundred bytes. The whole result (metrics,
    checks, the full reason) is stored by reference (``harness.judge.results.RunResults``),
    so hundreds of scenarios fit in a state (Step Functions caps one at 256 KB)."""

    scenario: str
    group: str
    status: Status
    duration_seconds: float = Field(default=0.0, ge=0)
    reason: str = Field(default="", max_length=OUTCOME_REASON_LENGTH)  # for progress lines

    @classmethod
    def of(cls, result: ScenarioResult) -> ScenarioOutcome:
        reason = result.reason
        if len(reason) > OUTCOME_REASON_LENGTH:
            reason = reason[: OUTCOME_REASON_LENGTH - 3] + "..."
        return cls(
            scenario=result.scenario,
            group=result.group,
            status=result.status,
            duration_seconds=result.duration_seconds,
            reason=reason,
        )


class GroupSetup(WireModel):
    """SetupGroup's output: the edit service as the group found it and as it left it."""

    needs: ServiceState
    desired_count_before: int
    desired_count: int
    waited_seconds: float = Field(ge=0)


class GroupOutcome(StateEvent):
    """One RunGroups iteration's final state: a group whose setup failed has no results, a
    scenario whose Lambda failed was caught as ``{"scenario", "caught"}``."""

    group: dict[str, Any]
    results: list[Any] | None = None  # items are judged one by one (a garbled one is an error)
    setup_error: CaughtError | None = None
    run_error: CaughtError | None = None


class CleanupKind(WireModel):
    """One kind of test data Cleanup removes: how many it found and deleted, how many are
    left (and why, in ``note``), and how long it took. Kinds are cleaned in parallel."""

    kind: str  # "sessions" | "workspaces" | "log streams"
    found: int = Field(ge=0)
    deleted: int = Field(ge=0)
    left: int = Field(default=0, ge=0)
    seconds: float = Field(ge=0)
    note: str = ""


class CleanupReport(WireModel):
    """Cleanup's output: what it found and deleted, per kind, and how long that took."""

    prefix: str
    created_before: datetime | None = None
    sessions_found: int
    deleted_via_api: int
    deleted_directly: int
    left: int = 0  # sessions found but deleted neither way (refused, or not ours)
    seconds: float
    kinds: list[CleanupKind] = Field(default_factory=list)

    @property
    def efficiency(self) -> float:
        """Share of the test sessions found that were deleted (none found: nothing left)."""
        if self.sessions_found == 0:
            return 1.0
        return (self.deleted_via_api + self.deleted_directly) / self.sessions_found


class LaneOutcome(StateEvent):
    """One RunLanes iteration's final state: the lane's group outcomes, in order."""

    lane: dict[str, Any]
    group_results: list[GroupOutcome] = Field(default_factory=list)


class GroupEvent(StateEvent):
    group: GroupPlan
    run: RunContext
    target: ResolvedTarget


class ScenarioEvent(StateEvent):
    scenario: ScenarioSpec
    run: RunContext
    target: ResolvedTarget | None = None  # the pool member; None: run.target

    @property
    def member(self) -> ResolvedTarget:
        return self.target or self.run.target


class Saturation(WireModel):
    """How busy the load generator itself was: a saturated client makes a healthy target
    look slow, so timing failures then blame the harness, not the target."""

    cpu_percent: float = Field(ge=0)  # process CPU time / wall time, in % of one core
    # time its threads were ready to run but waited for a CPU (Linux run queue), % of wall
    cpu_wait_percent: float = Field(default=0.0, ge=0)
    lag_p95_ms: float = Field(ge=0)  # how late a 10 ms timer fired (95th percentile)
    lag_max_ms: float = Field(ge=0)
    saturated: bool


class BatchEvent(ScenarioEvent):
    batch: UserBatch


class BatchReport(WireModel):
    """What one batch of a load scenario saw: its checks, raw samples for the judge, and how
    saturated its own process was."""

    batch: UserBatch
    checks: list[Check] = Field(default_factory=list)
    samples: dict[str, list[float]] = Field(default_factory=dict)
    error: ErrorInfo | None = None
    saturation: Saturation
    started_at: datetime
    duration_seconds: float = Field(ge=0)


class JudgeEvent(ScenarioEvent):
    """The batch Map's output: each item a ``BatchReport`` or a caught ``{"batch", "caught"}``."""

    batches: list[dict[str, Any]] = Field(min_length=1)


class AggregateEvent(StateEvent):
    run: RunContext
    lanes: list[LanePlan]
    lane_results: list[LaneOutcome]
    skipped: list[NotRun] = Field(default_factory=list)
    cached: list[NotRun] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)

    @property
    def groups(self) -> list[GroupPlan]:
        return [group for lane in self.lanes for group in lane.groups]

    @property
    def group_results(self) -> list[GroupOutcome]:
        return [outcome for lane in self.lane_results for outcome in lane.group_results]


class AggregateOutput(WireModel):
    """Aggregate replaces the state with this: the later steps need nothing else. ``lanes``
    is the plan the run ran, so a confirm pass re-runs a scenario on the pool member it ran
    on, under the leases the run already holds."""

    run: RunContext
    verdict: Verdict
    verdict_reason: str
    summary: RunSummary
    lanes: list[LanePlan] = Field(default_factory=list)


class JudgedRun(AggregateOutput):
    """DetectRegressions and JudgeConfirmation replace the state with this: the run, judged.
    ``verdict`` is now the gate's (scenarios and regressions), which the Gate state reads."""

    regressions: RegressionReport


class ConfirmationPlan(RunPlan):
    """PlanConfirmation's output: a plan of only the flagged scenarios, for the state that runs
    plans, carrying the judged run it is to confirm."""

    confirmation_of: JudgedRun


class ConfirmationEvent(AggregateEvent):
    """What JudgeConfirmation receives: the confirm pass's results and the run it confirms."""

    confirmation_of: JudgedRun


class SummaryEvent(StateEvent):
    run: RunContext
    summary: RunSummary
    regressions: RegressionReport | None = None
    lanes: list[LanePlan] = Field(default_factory=list)


class CleanupEvent(StateEvent):
    run: RunContext


class ExecutionStatusDetail(StateEvent):
    execution_arn: str = Field(pattern=r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:\S+$")
    state_machine_arn: str
    status: str


class ExecutionStatusChange(StateEvent):
    """EventBridge's "Step Functions Execution Status Change" (the recovery rule's event)."""

    detail: ExecutionStatusDetail


class ReportEvent(StateEvent):
    """PublishReport's slice of the state: the run, its verdict, what the regression check
    found and what the Alert step delivered."""

    run: RunContext
    summary: RunSummary
    verdict: Verdict
    verdict_reason: str
    regressions: RegressionReport | None = None
    alerts: AlertReport | None = None


class ReportOutput(WireModel):
    """Where PublishReport wrote the report and the JUnit file, and the link people open."""

    html: str
    junit: str
    link: str
