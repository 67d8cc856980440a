"""The events each Lambda handler receives (the shapes statemachines/suite.asl.json builds)."""

from __future__ import annotations

from typing import Literal

from harness.groups import GroupSetup
from harness.models import (
    GroupPlan,
    RegressionReport,
    RunContext,
    RunSummary,
    ScenarioSpec,
    StateEvent,
    Verdict,
    WireModel,
)
from harness.summary import GroupOutcome


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


class SummaryEvent(StateEvent):
    run: RunContext
    summary: RunSummary
    regressions: RegressionReport | None = None


class CleanupEvent(StateEvent):
    run: RunContext


class ExpiredCleanupEvent(StateEvent):
    """The daily schedule's job: delete test sessions older than the expiry."""

    job: Literal["cleanup-expired"]
    trigger: str = "schedule"
