"""Read a suite execution's history events: live progress lines and the run's outcome.

Works on the event dicts of ``GetExecutionHistory``, identical from moto and from AWS, so
local runs and ``--aws`` runs show the same progress.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from harness.report.text import describe_cleanup
from harness.wire import (
    AlertReport,
    CaughtError,
    CleanupReport,
    ConfirmationPlan,
    LeaseOutcome,
    RegressionReport,
    ReleaseReport,
    ReportOutput,
    RunPlan,
    RunSummary,
    ScenarioOutcome,
    State,
    Status,
    error_from_caught,
)

FINISHING_STATES = (State.RUN_SCENARIO, State.JUDGE_LOAD)
FAN_OUT_MAPS = (State.RUN_USER_BATCHES, State.RUN_USER_BATCHES_DISTRIBUTED)


@dataclass(frozen=True)
class Progress:
    """One thing worth telling the person watching."""

    # planned | waiting | leased | started | finished | aggregated | confirming | confirmed |
    # alerted | cleaned | released | ended
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
    leases: LeaseOutcome | None = None
    release: ReleaseReport | None = None
    release_error: str | None = None
    summary: RunSummary | None = None
    regressions: RegressionReport | None = None
    alerts: AlertReport | None = None
    cleanup: CleanupReport | None = None
    alert_error: str | None = None
    cleanup_error: str | None = None
    report: ReportOutput | None = None
    report_error: str | None = None
    results: dict[str, ScenarioOutcome] = field(default_factory=dict)
    confirming: bool = False  # the confirm pass has started: results go to confirm_results
    confirm_results: dict[str, ScenarioOutcome] = field(default_factory=dict)
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
    if entered:
        return _entered(kind, entered, pass_label)
    exited = event.get("stateExitedEventDetails")
    if not exited:
        return None
    name, output = exited["name"], _payload(exited, "output")
    if name == State.PLAN and isinstance(output, dict) and "run" in output:
        outcome.plan = RunPlan.model_validate(output)
        return Progress("planned", describe_plan(outcome.plan))
    if name == State.ACQUIRE_LEASES and isinstance(output, dict) and "leases" in output:
        outcome.leases = LeaseOutcome.model_validate(output["leases"])
        return _leases(outcome.leases)
    if name == State.RELEASE_LEASES and isinstance(output, dict):
        outcome.release_error = _state_error(output, "releaseError")
        if isinstance(output.get("release"), dict):
            outcome.release = ReleaseReport.model_validate(output["release"])
            restored = ", ".join(
                f"{r.target} to desiredCount {r.desired_count}" for r in outcome.release.restored
            )
            text = f"leases released ({outcome.release.released})"
            return Progress(
                "released", text + (f"; edit service restored on {restored}" if restored else "")
            )
        return Progress("released", f"lease release failed: {outcome.release_error}")
    if name in FINISHING_STATES:
        try:
            result = ScenarioOutcome.model_validate(output)
        except ValidationError:  # a garbled result: Aggregate records it as an error
            scenario = output.get("scenario") if isinstance(output, dict) else None
            label = scenario if isinstance(scenario, str) else "a scenario"
            return Progress("finished", f"{label} returned an invalid result", None, Status.ERROR)
        results = outcome.confirm_results if outcome.confirming else outcome.results
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
    if name == State.PLAN_CONFIRMATION and isinstance(output, dict) and "lanes" in output:
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
            return Progress("cleaned", f"cleanup: {describe_cleanup(outcome.cleanup)}")
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


def _entered(kind: str, entered: dict[str, Any], pass_label: str) -> Progress | None:
    """A scenario (or a load scenario's batches) starting, with the pool member it runs on."""
    name = entered["name"]
    if not (
        (kind == "TaskStateEntered" and name == State.RUN_SCENARIO)
        or (kind == "MapStateEntered" and name in FAN_OUT_MAPS)
    ):
        return None
    state = _payload(entered, "input") or {}
    scenario = state.get("scenario", {})
    scenario_name = scenario.get("name", "?")
    where = (state.get("target") or {}).get("name") or scenario.get("group", "?")
    text = f"{pass_label}{scenario_name} on {where} running"
    fan_out = scenario.get("fanOut")
    if isinstance(fan_out, dict):
        mode = "child executions" if fan_out.get("distributed") else "Map iterations"
        text += (
            f": {fan_out.get('users', '?')} users in {len(fan_out.get('batches', []))} "
            f"batch(es) over {mode}"
        )
    return Progress("started", text, scenario_name)


def describe_plan(plan: RunPlan) -> str:
    """One line per run: the lanes and their groups, and the expected wall time (then the
    plan's notices, e.g. the budget gate's downgrade)."""
    lanes = "; ".join(
        f"{lane.target.name}: "
        + " -> ".join("+".join(s.name for s in group.scenarios) for group in lane.groups)
        for lane in plan.lanes
    )
    text = (
        f"run {plan.run.run_id}: {len(plan.scenarios)} scenario(s) on "
        f"{len(plan.lanes)} target(s) at once, expected {plan.expected_seconds:.1f}s [{lanes}]"
    )
    if plan.cached:
        text += f"; {len(plan.cached)} cached ({', '.join(c.name for c in plan.cached[:10])})"
    if plan.skipped:
        text += f"; {len(plan.skipped)} skipped by selection"
    return text + "".join(f"\n  note: {notice}" for notice in plan.notices)


def _leases(leases: LeaseOutcome) -> Progress:
    if leases.acquired:
        targets = sorted({claim.target for claim in leases.claims})
        waited = f" after waiting {leases.waited_seconds:.0f}s" if leases.waited_seconds else ""
        return Progress("leased", f"leased {', '.join(targets) or 'nothing'}{waited}")
    message = leases.busy.message if leases.busy is not None else "a target is busy"
    if leases.gave_up:
        return Progress("waiting", f"{message}; gave up after {leases.waited_seconds:.0f}s")
    return Progress(
        "waiting",
        f"{message}; waiting ({leases.waited_seconds:.0f}s of "
        f"{leases.wait_limit_seconds:.0f}s, next try in {leases.retry_in_seconds}s)",
    )
