"""Aggregate a run: one result per planned scenario, whatever happened, and the run's numbers.

The group outcomes arrive as the state machine left them: a group whose setup failed has no
results, a scenario whose Lambda failed was caught as ``{"scenario", "caught"}``. Every
planned scenario still gets exactly one result, so nothing is silently lost.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import Field

from harness.cost import estimate_run_cost
from harness.errors import InvalidEventError
from harness.models import (
    ErrorInfo,
    MetricStats,
    RunContext,
    RunSummary,
    ScenarioResult,
    ScenarioSpec,
    StateEvent,
    Status,
    Verdict,
    WireModel,
)
from harness.stats import percentile
from harness.validation import parse_as


class CaughtError(WireModel):
    """What a Catch puts at ``ResultPath``: the error name and its cause text."""

    error: str = Field(alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


class GroupOutcome(StateEvent):
    """One RunGroups iteration's final state (see statemachines/suite.asl.json)."""

    group: dict[str, Any]
    results: list[dict[str, Any]] | None = None
    setup_error: CaughtError | None = None
    run_error: CaughtError | None = None


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


def collect_results(
    planned: Sequence[ScenarioSpec], outcomes: Iterable[GroupOutcome]
) -> list[ScenarioResult]:
    """Exactly one result per planned scenario, in plan order."""
    found: dict[str, ScenarioResult] = {}
    group_failures: dict[str, ErrorInfo] = {}
    for outcome in outcomes:
        group_name = str(outcome.group.get("name", "?"))
        failure = outcome.setup_error or outcome.run_error
        if failure is not None:
            info = error_from_caught(failure)
            stage = "setup" if outcome.setup_error else "run"
            group_failures[group_name] = ErrorInfo(
                type=info.type, message=f"group '{group_name}' {stage} failed: {info.message}"
            )
        for item in outcome.results or []:
            result = _result_from_item(item)
            found[result.scenario] = result
    return [found.get(spec.name) or _missing(spec, group_failures) for spec in planned]


def _missing(spec: ScenarioSpec, group_failures: Mapping[str, ErrorInfo]) -> ScenarioResult:
    """A planned scenario that produced no result (its group's setup failed, or worse)."""
    error = group_failures.get(spec.group) or ErrorInfo(
        type="MissingResult", message="the state machine returned no result"
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


def metric_stats(results: Iterable[ScenarioResult]) -> list[MetricStats]:
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for result in results:
        for metric in result.metrics:
            values[(metric.name, metric.unit)].append(metric.value)
    return [
        MetricStats(
            name=name,
            unit=unit,
            count=len(samples),
            p50=round(percentile(samples, 50), 4),
            p95=round(percentile(samples, 95), 4),
            p99=round(percentile(samples, 99), 4),
            max=max(samples),
        )
        for (name, unit), samples in sorted(values.items())
    ]


def summarize(run: RunContext, results: list[ScenarioResult], finished_at: datetime) -> RunSummary:
    counts = {status: 0 for status in Status}
    for result in results:
        counts[result.status] += 1
    decided = counts[Status.PASS] + counts[Status.FAIL] + counts[Status.ERROR]
    success_rate = counts[Status.PASS] / decided if decided else 1.0
    verdict = (
        Verdict.PASSED if counts[Status.FAIL] == 0 and counts[Status.ERROR] == 0 else Verdict.FAILED
    )
    return RunSummary(
        run_id=run.run_id,
        suite=run.suite,
        target=run.target.name,
        trigger=run.flags.trigger,
        commit=run.flags.commit,
        started_at=run.started_at,
        finished_at=finished_at,
        duration_seconds=round((finished_at - run.started_at).total_seconds(), 3),
        verdict=verdict,
        success_rate=round(success_rate, 4),
        counts=counts,
        results=results,
        metrics=metric_stats(results),
        estimated_cost_usd=estimate_run_cost(results),
    )


def verdict_reason(summary: RunSummary) -> str:
    """One line for the console and the Fail state's cause."""
    bad = [r for r in summary.results if r.status in (Status.FAIL, Status.ERROR)]
    if not bad:
        return f"all {len(summary.results)} scenario(s) passed"
    details = "; ".join(f"{r.scenario} ({r.status.value}: {r.reason})" for r in bad)
    return f"{len(bad)} of {len(summary.results)} scenario(s) did not pass: {details}"
