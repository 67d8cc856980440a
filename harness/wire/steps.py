"""What each step of the state machine receives and returns (the shapes
statemachines/suite.asl.json builds), including what a Catch leaves behind."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import Field

from harness.wire.alerts import AlertReport
from harness.wire.base import StateEvent, WireModel
from harness.wire.request import GroupPlan, RunContext, RunPlan, ScenarioSpec
from harness.wire.results import ErrorInfo, RegressionReport, RunSummary, Verdict


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


class GroupSetup(WireModel):
    """SetupGroup's output: what TeardownGroup must restore."""

    original_desired_count: int


class GroupTeardown(WireModel):
    restored_desired_count: int | None


class GroupOutcome(StateEvent):
    """One RunGroups iteration's final state: a group whose setup failed has no results, a
    scenario whose Lambda failed was caught as ``{"scenario", "caught"}``."""

    group: dict[str, Any]
    results: list[Any] | None = None  # items are judged one by one (a garbled one is an error)
    setup_error: CaughtError | None = None
    run_error: CaughtError | None = None
    teardown_error: CaughtError | None = None


class CleanupReport(WireModel):
    """Cleanup's output: what it found and deleted, and how long that took."""

    prefix: str
    created_before: datetime | None = None
    sessions_found: int
    deleted_via_api: int
    deleted_directly: int
    left: int = 0  # found but deleted neither way (the target refused, or an item was not ours)
    seconds: float

    @property
    def efficiency(self) -> float:
        """Share of the test sessions found that were deleted (none found: nothing left)."""
        if self.sessions_found == 0:
            return 1.0
        return (self.deleted_via_api + self.deleted_directly) / self.sessions_found


class GroupEvent(StateEvent):
    group: GroupPlan
    run: RunContext


class TeardownEvent(GroupEvent):
    setup: GroupSetup | None = None


class ScenarioEvent(StateEvent):
    scenario: ScenarioSpec
    run: RunContext


class AggregateEvent(StateEvent):
    run: RunContext
    groups: list[GroupPlan]
    group_results: list[GroupOutcome]


class AggregateOutput(WireModel):
    """Aggregate replaces the state with this: the later steps need nothing else."""

    run: RunContext
    verdict: Verdict
    verdict_reason: str
    summary: RunSummary


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
