"""The life of an alert, decided without I/O: which messages a run's regressions cause, given
what earlier runs already sent (the alert state of each series).

- A series that regresses is **opened** on each channel its severity routes to; a channel
  that already carries it hears nothing new (de-duplication), except GitHub, whose one open
  issue per series gets a **repeat** comment each run.
- ``escalate_after_runs`` consecutive high regressions of a series **escalate** once to the
  critical topic.
- A series whose scenario ran and measured it, and which is no longer regressed, is
  **resolved** on every channel that carries it (GitHub: a comment, then the issue closes).
- Muted regressions (acknowledged, or not reproduced by the confirm pass) change nothing.

A message that could not be delivered leaves the state as it was, so the next run tries that
channel again: an alert is never lost because a channel was down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from harness.config import AlertRoutes
from harness.wire import (
    Channel,
    MutedRegression,
    NoticeKind,
    Regression,
    RunSummary,
    Severity,
    Status,
    series_key,
)

RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}


class AlertState(BaseModel):
    """One series with an open alert, as the alert-state store keeps it."""

    model_config = ConfigDict(extra="forbid")

    key: str
    target: str
    scenario: str | None = None
    metric: str
    unit: str = ""
    severity: Severity
    message: str
    evidence: str = ""
    current: float
    baseline: float
    change_ratio: float
    opened_run: str
    last_run: str
    runs: int = Field(default=1, ge=1)  # consecutive runs in which it regressed
    high_streak: int = Field(default=0, ge=0)  # ... of which the latest were all high
    notified: list[Channel] = Field(default_factory=list)  # channels that carry it now
    issue: int | None = None  # the open GitHub issue
    escalated: bool = False
    resolving: bool = False  # recovered; ``notified`` lists channels still to be told
    resolved_run: str | None = None
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Notice:
    """One message to send: its kind, its channel, and the series as it stands."""

    kind: NoticeKind
    channel: Channel
    state: AlertState
    run_id: str


@dataclass
class AlertPlan:
    notices: list[Notice] = field(default_factory=list)
    states: dict[str, AlertState] = field(default_factory=dict)  # changed by this run
    muted: list[MutedRegression] = field(default_factory=list)
    ongoing: list[str] = field(default_factory=list)


def regression_key(regression: Regression, target: str) -> str:
    return regression.key or series_key(
        regression.target or target, regression.scenario, regression.metric
    )


def mute_reason(regression: Regression) -> str | None:
    """Why a regression is shown but does not alert, or None if it alerts."""
    if regression.suppressed_by:
        return f"suppressed by {regression.suppressed_by}"
    if regression.confirmed is False:
        return "not reproduced by the confirm pass"
    return None


def plan_alerts(
    summary: RunSummary,
    regressions: Sequence[Regression],
    open_states: Iterable[AlertState],
    routes: AlertRoutes,
    escalate_after_runs: int,
) -> AlertPlan:
    """The messages this run causes and the alert states it changes (before delivery)."""
    plan = AlertPlan()
    states = {state.key: state for state in open_states if state.target == summary.target}
    alerting: dict[str, Regression] = {}
    touched: set[str] = set()
    for regression in regressions:
        key = regression_key(regression, summary.target)
        touched.add(key)
        reason = mute_reason(regression)
        if reason is not None:
            plan.muted.append(MutedRegression(key=key, reason=reason))
            continue
        known = alerting.get(key)
        if known is None or RANK[regression.severity] > RANK[known.severity]:
            alerting[key] = regression
    for key, regression in sorted(alerting.items(), key=lambda i: (-RANK[i[1].severity], i[0])):
        state = _regressed(states.get(key), key, regression, summary)
        plan.states[key] = state
        due = [c for c in routes.channels(regression.severity) if c not in state.notified]
        plan.notices.extend(Notice(NoticeKind.OPEN, c, state, summary.run_id) for c in due)
        if Channel.GITHUB in state.notified and state.runs > 1:
            plan.notices.append(Notice(NoticeKind.REPEAT, Channel.GITHUB, state, summary.run_id))
        if state.high_streak >= escalate_after_runs and not state.escalated:
            plan.notices.append(
                Notice(NoticeKind.ESCALATE, Channel.CRITICAL_TOPIC, state, summary.run_id)
            )
        if not due and state.runs > 1:
            plan.ongoing.append(key)
    for key, state in sorted(states.items()):
        if key in touched or not (state.resolving or _measured(state, summary)):
            continue
        resolved = state.model_copy(
            update={
                "resolving": True,
                "resolved_run": state.resolved_run or summary.run_id,
                "updated_at": datetime.now(UTC),
            }
        )
        plan.states[key] = resolved
        plan.notices.extend(
            Notice(NoticeKind.RESOLVE, c, resolved, summary.run_id) for c in resolved.notified
        )
    return plan


def _regressed(
    state: AlertState | None, key: str, regression: Regression, summary: RunSummary
) -> AlertState:
    high = regression.severity is Severity.HIGH
    latest = {
        "severity": regression.severity,
        "message": regression.message,
        "evidence": regression.evidence,
        "unit": regression.unit,
        "current": regression.current,
        "baseline": regression.baseline,
        "change_ratio": regression.change_ratio,
        "last_run": summary.run_id,
        "updated_at": datetime.now(UTC),
    }
    if state is None:
        return AlertState(
            key=key,
            target=summary.target,
            scenario=regression.scenario,
            metric=regression.metric,
            opened_run=summary.run_id,
            high_streak=1 if high else 0,
            **latest,
        )
    if state.resolving:  # it came back before every channel heard that it had gone
        restart = {"runs": 1, "high_streak": 1 if high else 0, "escalated": False}
        return state.model_copy(
            update={**latest, **restart, "resolving": False, "resolved_run": None}
        )
    return state.model_copy(
        update={
            **latest,
            "runs": state.runs + 1,
            "high_streak": state.high_streak + 1 if high else 0,
        }
    )


def _measured(state: AlertState, summary: RunSummary) -> bool:
    """Did this run measure the series? Run-level series (no scenario) always; a scenario's
    series if the scenario ran and passed, or reported the metric."""
    if state.scenario is None:
        return True
    for result in summary.results:
        if result.scenario == state.scenario and result.status is not Status.SKIPPED:
            return result.status is Status.PASS or any(
                metric.name == state.metric for metric in result.metrics
            )
    return False


def after_delivery(
    state: AlertState, notice: Notice, delivered: bool, issue: int | None = None
) -> AlertState:
    """The state once a notice was delivered (or shown, for a channel with no endpoint);
    unchanged when it was not, so the next run tries again. ``issue``: the GitHub issue the
    delivery opened (a repeat opens a new one when the old issue is gone)."""
    if not delivered:
        return state
    notified = list(state.notified)
    update: dict[str, object] = {}
    if issue is not None and notice.channel is Channel.GITHUB:
        update["issue"] = issue
    if notice.kind is NoticeKind.OPEN and notice.channel not in notified:
        notified.append(notice.channel)
    elif notice.kind is NoticeKind.ESCALATE:
        update["escalated"] = True
    elif notice.kind is NoticeKind.RESOLVE and notice.channel in notified:
        notified.remove(notice.channel)
        if notice.channel is Channel.GITHUB:
            update["issue"] = None
    return state.model_copy(update={**update, "notified": notified})


def finished(state: AlertState) -> bool:
    """A resolved series that every channel has heard about: its state can go."""
    return state.resolving and not state.notified
