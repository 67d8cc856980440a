"""Decode the RunGroups Map output into exactly one result per planned scenario.

The group outcomes arrive as the state machine left them: a group whose setup failed has no
results, a scenario whose Lambda failed was caught as ``{"scenario", "caught"}``. Every
planned scenario still gets exactly one result, so nothing is silently lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from harness.errors import InvalidEventError
from harness.validation import parse_as
from harness.wire import (
    AggregateEvent,
    CaughtError,
    ErrorInfo,
    GroupOutcome,
    ScenarioResult,
    ScenarioSpec,
    Status,
    error_from_caught,
)


def collect_results(
    planned: Sequence[ScenarioSpec], outcomes: Iterable[GroupOutcome]
) -> list[ScenarioResult]:
    """Exactly one result per planned scenario, in plan order."""
    found: dict[str, ScenarioResult] = {}
    group_failures: dict[str, ErrorInfo] = {}  # by scenario name (and by group name)
    for outcome in outcomes:
        group_name = str(outcome.group.get("name", "?"))
        failure = outcome.setup_error or outcome.run_error
        if failure is not None:
            info = error_from_caught(failure)
            stage = "setup" if outcome.setup_error else "run"
            error = ErrorInfo(
                type=info.type, message=f"group '{group_name}' {stage} failed: {info.message}"
            )
            group_failures[group_name] = error
            for member in outcome.group.get("scenarios") or []:
                if isinstance(member, Mapping) and "name" in member:
                    group_failures[str(member["name"])] = error
        for item in outcome.results or []:
            result = _result_from_item(item)
            found[result.scenario] = result
    return [found.get(spec.name) or _missing(spec, group_failures) for spec in planned]


def collect_event_results(event: AggregateEvent) -> list[ScenarioResult]:
    """One result per scenario the event's plan ran (Aggregate, and the confirm pass's judge)."""
    planned = [spec for group in event.groups for spec in group.scenarios]
    return collect_results(planned, event.group_results)


def _missing(spec: ScenarioSpec, group_failures: Mapping[str, ErrorInfo]) -> ScenarioResult:
    """A planned scenario that produced no result (its group's setup failed, or worse)."""
    error = (
        group_failures.get(spec.name)
        or group_failures.get(spec.group)
        or ErrorInfo(type="MissingResult", message="the state machine returned no result")
    )
    return ScenarioResult(
        scenario=spec.name, group=spec.group, status=Status.ERROR, error=error, attempts=0
    )


def _result_from_item(item: Mapping[str, Any]) -> ScenarioResult:
    if "caught" in item:
        spec = parse_as(ScenarioSpec, item["scenario"], InvalidEventError, "caught scenario")
        caught = parse_as(CaughtError, item["caught"], InvalidEventError, "caught error")
        return ScenarioResult(
            scenario=spec.name,
            group=spec.group,
            status=Status.ERROR,
            error=error_from_caught(caught),
        )
    return parse_as(ScenarioResult, item, InvalidEventError, "scenario result")
