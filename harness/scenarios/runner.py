"""Run one scenario and turn whatever happens into a ScenarioResult.

A failed check is a ``fail``; any other exception is an ``error``; a metric outside its SLA
fails the scenario even when every check held. Nothing here raises: one bad scenario must
never abort the suite.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from harness.config import SlaConfig
from harness.errors import CheckFailedError
from harness.ports import TargetApi, TargetInfra
from harness.scenarios.base import ScenarioContext, ScenarioDefinition
from harness.wire import (
    Check,
    ErrorInfo,
    RunContext,
    ScenarioResult,
    ScenarioSpec,
    Status,
)


def run_scenario(
    definition: ScenarioDefinition,
    spec: ScenarioSpec,
    run: RunContext,
    sla: SlaConfig,
    api: TargetApi,
    infra: TargetInfra,
) -> ScenarioResult:
    """Run a scenario, retrying ``spec.retries`` times when it ends in ``error``."""
    attempts = 0
    while True:
        attempts += 1
        result = _attempt(definition, spec, run, sla, api, infra, attempts)
        if result.status is not Status.ERROR or attempts > spec.retries:
            return result


def _attempt(
    definition: ScenarioDefinition,
    spec: ScenarioSpec,
    run: RunContext,
    sla: SlaConfig,
    api: TargetApi,
    infra: TargetInfra,
    attempt: int,
) -> ScenarioResult:
    started_at = datetime.now(UTC)
    started = time.monotonic()
    ctx = ScenarioContext(
        run=run,
        spec=spec,
        sla=sla,
        api=api,
        infra=infra,
        deadline=started + spec.timeout_seconds,
        defaults=definition.params,
    )
    error: ErrorInfo | None = None
    status = Status.PASS
    try:
        definition.run(ctx)
    except CheckFailedError:
        status = Status.FAIL
    except Exception as err:  # noqa: BLE001 - an unexpected failure is an error result
        status = Status.ERROR
        error = ErrorInfo(type=type(err).__name__, message=str(err) or repr(err))
    checks = list(ctx.checks)
    for metric in ctx.metrics:
        within = metric.within_sla
        if within is None:
            continue
        symbol = "<=" if metric.comparison.value == "at_most" else ">="
        checks.append(
            Check(
                name=f"sla:{metric.name}",
                passed=within,
                detail=f"{metric.value:g} {metric.unit} (SLA {symbol} {metric.sla:g})",
            )
        )
        if not within and status is Status.PASS:
            status = Status.FAIL
    return ScenarioResult(
        scenario=spec.name,
        group=spec.group,
        status=status,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        duration_seconds=round(time.monotonic() - started, 3),
        metrics=ctx.metrics,
        checks=checks,
        error=error,
        attempts=attempt,
    )
