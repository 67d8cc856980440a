"""Read a suite execution's history events: live progress lines and the run's outcome.

Works on the event dicts of ``GetExecutionHistory``, identical from moto and from AWS, so
local runs and ``--aws`` runs show the same progress.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from harness.wire import (
    AlertReport,
    CaughtError,
    CleanupReport,
    ConfirmationPlan,
    RegressionReport,
    ReportOutput,
    RunPlan,
    RunSummary,
    ScenarioResult,
    State,
    Status,
    error_from_caught,
)


@dataclass(frozen=True)
class Progress:
    """One thing worth telling the person watching."""

    # planned | group | started | finished | aggregated | confirming | confirmed | alerted
    # | cleaned | ended
    kind: str
    text: str
    scenario: str | None = None
    status: Status | None = None


@dataclass
class ExecutionOutcome:
    """What a finished execution tells us; filled in while following its history."""

    execution_arn: str
    status: str = "RUNNING"
    error: str | None = None
    cause: str | None = None
    plan: RunPlan | None = None
    summary: RunSummary | None = None
    regressions: RegressionReport | None = None
    alerts: AlertReport | None = None
    cleanup: CleanupReport | None = None
    alert_error: str | None = None
    cleanup_error: str | None = None
    report: ReportOutput | None = None
    report_error: str | None = None
    results: dict[str, ScenarioResult] = field(default_factory=dict)
    confirming: bool = False  # the confirm pass has started: results go to confirm_results
    confirm_results: dict[str, ScenarioResult] = field(default_factory=dict)
    last_event_id: int = 0  # the newest history event applied (following resumes after it)


ENDS = {
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
}


def _payload(details: dict[str, Any], key: str) -> Any:
    try:
        return json.loads(details.get(key) or "null")
    except ValueError:
        return None


def _state_error(state: Any, key: str) -> str | None:
    if isinstance(state, dict) and isinstance(state.get(key), dict):
        try:
            info = error_from_caught(CaughtError.model_validate(state[key]))
        except ValidationError:
            return str(state[key])
        return f"{info.type}: {info.message}"
    return None


def apply_event(outcome: ExecutionOutcome, event: dict[str, Any]) -> Progress | None:
    """Update ``outcome`` from one history event; return a progress line if there is one."""
    kind = event["type"]
    if kind in ENDS:
        outcome.status = kind.removeprefix("Execution").upper()
        details = event.get(ENDS[kind]) or {}
        outcome.error = details.get("error")
        outcome.cause = details.get("cause")
        return Progress("ended", f"execution {outcome.status.lower()}")
    entered = event.get("stateEnteredEventDetails")
    pass_label = "confirm: " if outcome.confirming else ""
    if entered and kind == "TaskStateEntered" and entered["name"] == State.RUN_SCENARIO:
        scenario = (_payload(entered, "input") or {}).get("scenario", {})
        name = scenario.get("name", "?")
        line = f"{pass_label}{name} ({scenario.get('group', '?')}) running"
        return Progress("started", line, name)
    exited = event.get("stateExitedEventDetails")
    if not exited:
        return None
    name, output = exited["name"], _payload(exited, "output")
    if name == State.PLAN and isinstance(output, dict) and "run" in output:
        outcome.plan = RunPlan.model_validate(output)
        groups = "; ".join(
            f"{g.name}: {', '.join(s.name for s in g.scenarios)}" for g in outcome.plan.groups
        )
        return Progress(
            "planned",
            f"run {outcome.plan.run.run_id}: {len(outcome.plan.scenarios)} scenario(s) "
            f"in {len(outcome.plan.groups)} group(s) [{groups}]"
            + "".join(f"\n  note: {notice}" for notice in outcome.plan.notices),
        )
    results = outcome.confirm_results if outcome.confirming else outcome.results
    if name == State.RUN_SCENARIO:
        try:
            result = ScenarioResult.model_validate(output)
        except ValidationError:  # a garbled result: Aggregate records it as an error
            scenario = output.get("scenario") if isinstance(output, dict) else None
            label = scenario if isinstance(scenario, str) else "a scenario"
            return Progress("finished", f"{label} returned an invalid result", None, Status.ERROR)
        results[result.scenario] = result
        line = f"{pass_label}{result.scenario} {result.status.value} in "
        line += f"{result.duration_seconds:.2f}s"
        if result.reason:
            line += f" - {result.reason}"
        return Progress("finished", line, result.scenario, result.status)
    if name == State.RECORD_SCENARIO_ERROR and isinstance(output, dict):
        scenario = output.get("scenario", {}).get("name", "?")
        reason = _state_error(output, "caught") or "unknown error"
        line = f"{pass_label}{scenario} error - {reason}"
        return Progress("finished", line, scenario, Status.ERROR)
    if name == State.AGGREGATE and isinstance(output, dict) and "summary" in output:
        outcome.summary = RunSummary.model_validate(output["summary"])
        return Progress("aggregated", f"run stored: {output.get('verdictReason', '')}")
    if name == State.DETECT_REGRESSIONS and isinstance(output, dict) and "regressions" in output:
        outcome.regressions = RegressionReport.model_validate(output["regressions"])
        return None
    if name == State.PLAN_CONFIRMATION and isinstance(output, dict) and "groups" in output:
        outcome.confirming = True
        names = [s.name for s in ConfirmationPlan.model_validate(output).scenarios]
        return Progress(
            "confirming",
            f"confirm pass: re-running {', '.join(names)} before alerting (suspected regression)",
        )
    if name == State.JUDGE_CONFIRMATION and isinstance(output, dict) and "regressions" in output:
        outcome.regressions = RegressionReport.model_validate(output["regressions"])
        rerun = [r for r in outcome.regressions.regressions if r.confirmed is not None]
        reproduced = sum(1 for r in rerun if r.confirmed)
        return Progress(
            "confirmed",
            f"confirm pass {outcome.regressions.confirm_run_id}: {reproduced} of {len(rerun)} "
            "suspected regression(s) reproduced",
        )
    if name == State.ALERT:
        outcome.alert_error = _state_error(output, "alertError")
        if isinstance(output, dict) and isinstance(output.get("alerts"), dict):
            outcome.alerts = AlertReport.model_validate(output["alerts"])
            return _alerted(outcome.alerts)
        return None
    if name == State.PUBLISH_REPORT and isinstance(output, dict):
        outcome.report_error = _state_error(output, "reportError")
        if isinstance(output.get("report"), dict):
            outcome.report = ReportOutput.model_validate(output["report"])
        return None
    if name == State.CLEANUP and isinstance(output, dict):
        outcome.cleanup_error = _state_error(output, "cleanupError")
        if isinstance(output.get("cleanup"), dict):
            outcome.cleanup = CleanupReport.model_validate(output["cleanup"])
            report = outcome.cleanup
            return Progress(
                "cleaned",
                f"cleanup: {report.sessions_found} test session(s) of this run deleted "
                f"in {report.seconds:.2f}s",
            )
        return Progress("cleaned", f"cleanup failed: {outcome.cleanup_error}")
    return None


def _alerted(report: AlertReport) -> Progress | None:
    """One line on what the Alert step did, if it did anything."""
    counts: dict[str, int] = {}
    for delivery in report.deliveries:
        label = delivery.status.value.replace("_", " ")
        counts[label] = counts.get(label, 0) + 1
    if report.muted:
        counts["muted"] = len(report.muted)
    if not counts:
        return None
    return Progress("alerted", "alerts: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
