"""Decode the RunGroups Map output into exactly one result per scenario of the suite.

The group outcomes arrive as the state machine left them: a group whose setup failed has no
results, a scenario whose Lambda failed was caught as ``{"scenario", "caught"}``, and one that
ran left a ``ScenarioOutcome`` whose whole result is stored by reference (``results``).
Scenarios the plan answered from the cache are stored there too; skipped ones become
``skipped`` results. Plan's reasons (stored with the results) say why for each. Nothing is
silently lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from harness.errors import InvalidEventError
from harness.judge.results import RunResults
from harness.validation import parse_as
from harness.wire import (
    AggregateEvent,
    CaughtError,
    ErrorInfo,
    GroupOutcome,
    NotRun,
    ScenarioOutcome,
    ScenarioResult,
    ScenarioSpec,
    Status,
    error_from_caught,
)

# scenario -> its stored result, or why there is none (``RunResults.get_many``)
Stored = Mapping[str, ScenarioResult | str]


def collect_results(
    planned: Sequence[ScenarioSpec],
    outcomes: Iterable[GroupOutcome],
    stored: Stored,
    cached: Sequence[NotRun] = (),
    skipped: Sequence[NotRun] = (),
    reasons: Mapping[str, str] | None = None,
) -> list[ScenarioResult]:
    """One result per scenario: planned ones in plan order, then cached, then skipped, each
    with Plan's reason for running, reusing or skipping it."""
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
                # GroupDone keeps the names only; a whole spec is a mapping with a name.
                name = member.get("name") if isinstance(member, Mapping) else member
                if isinstance(name, str):
                    group_failures[name] = error
        for item in outcome.results or []:
            result = _result_from_item(item, group_name, stored)
            if result is not None:
                found[result.scenario] = result
    results = [found.get(spec.name) or _missing(spec, group_failures) for spec in planned]
    results += [_reused(entry, stored) for entry in cached]
    results += [
        ScenarioResult(scenario=entry.name, group=entry.group, status=Status.SKIPPED, attempts=0)
        for entry in skipped
    ]
    why = reasons or {}
    return [
        result.model_copy(update={"selection": why.get(result.scenario, result.selection)})
        for result in results
    ]


def collect_event_results(event: AggregateEvent, store: RunResults) -> list[ScenarioResult]:
    """One result per scenario of the event's run (Aggregate, and the confirm pass's judge),
    each read back from where RunScenario, or Plan for a cached pass, stored it."""
    planned = [spec for group in event.groups for spec in group.scenarios]
    run_id = event.run.run_id
    names = [spec.name for spec in planned] + [entry.name for entry in event.cached]
    return collect_results(
        planned,
        event.group_results,
        store.get_many(run_id, names),
        event.cached,
        event.skipped,
        store.reasons(run_id),
    )


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


def _lost(name: str, group: str, why: str, said: str) -> ScenarioResult:
    return ScenarioResult(
        scenario=name,
        group=group,
        status=Status.ERROR,
        error=ErrorInfo(type="ResultLost", message=f"the stored result {why} ({said})"),
        attempts=0,
    )


def _reused(entry: NotRun, stored: Stored) -> ScenarioResult:
    found = stored.get(entry.name, "was never stored")
    if isinstance(found, str):
        return _lost(entry.name, entry.group, found, f"a cached pass of run {entry.cached_from}")
    return found


def _result_from_item(item: Any, group: str, stored: Stored) -> ScenarioResult | None:
    """The result an item carries; a garbled one becomes an error of its scenario (or, if it
    does not even name one, that scenario's result is missing), never a failed Aggregate."""
    try:
        return _parse_item(item, stored)
    except InvalidEventError as err:
        name = item.get("scenario") if isinstance(item, Mapping) else None
        if not isinstance(name, str):
            return None
        message = str(err).replace("\n", " ")[:300]
        return ScenarioResult(
            scenario=name,
            group=group,
            status=Status.ERROR,
            error=ErrorInfo(type="InvalidResult", message=message),
        )


def _parse_item(item: Any, stored: Stored) -> ScenarioResult:
    if not isinstance(item, Mapping):
        raise InvalidEventError(f"invalid scenario result: not an object: {str(item)[:80]}")
    if "caught" in item:
        spec = parse_as(ScenarioSpec, item["scenario"], InvalidEventError, "caught scenario")
        caught = parse_as(CaughtError, item["caught"], InvalidEventError, "caught error")
        return ScenarioResult(
            scenario=spec.name,
            group=spec.group,
            status=Status.ERROR,
            error=error_from_caught(caught),
        )
    outcome = parse_as(ScenarioOutcome, item, InvalidEventError, "scenario outcome")
    found = stored.get(outcome.scenario, "was never stored")
    if isinstance(found, str):
        said = f"RunScenario said {outcome.status.value} {outcome.reason}".rstrip()
        return _lost(outcome.scenario, outcome.group, found, said)
    return found
