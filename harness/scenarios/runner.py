"""Run one scenario and turn whatever happens into a ScenarioResult.

A failed check is a ``fail``; any other exception is an ``error``; a metric outside its SLA
fails the scenario even when every check held; a pass that did not record every declared
metric is an ``error`` (``ScenarioContractError``). Nothing here raises: one bad scenario must
never abort the suite.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from harness.errors import CheckFailedError, ScenarioContractError
from harness.scenarios.base import SLA_CHECK_PREFIX, ScenarioContext, ScenarioJob
from harness.wire import Check, ErrorInfo, ScenarioResult, Status


def run_scenario(job: ScenarioJob) -> ScenarioResult:
    """Run a scenario, retrying ``spec.retries`` times when it ends in ``error``."""
    attempts = 0
    while True:
        attempts += 1
        result = _attempt(job, attempts)
        if result.status is not Status.ERROR or attempts > job.spec.retries:
            return result


def _attempt(job: ScenarioJob, attempt: int) -> ScenarioResult:
    started_at = datetime.now(UTC)
    started = time.monotonic()
    ctx = ScenarioContext(job=job, deadline=started + job.spec.timeout_seconds)
    error: ErrorInfo | None = None
    status = Status.PASS
    try:
        job.definition.run(ctx)
        _require_declared_metrics(ctx)
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
                name=f"{SLA_CHECK_PREFIX}{metric.name}",
                passed=within,
                detail=f"{metric.value:g} {metric.unit} (SLA {symbol} {metric.sla:g})",
            )
        )
        if not within and status is Status.PASS:
            status = Status.FAIL
    return ScenarioResult(
        scenario=job.spec.name,
        group=job.spec.group,
        status=status,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        duration_seconds=round(time.monotonic() - started, 3),
        metrics=ctx.metrics,
        checks=checks,
        error=error,
        attempts=attempt,
    )


def _require_declared_metrics(ctx: ScenarioContext) -> None:
    """A scenario that ran to the end must have recorded every metric it declares."""
    recorded = {metric.name for metric in ctx.metrics}
    missing = [name for name in ctx.job.definition.metrics if name not in recorded]
    if missing:
        raise ScenarioContractError(
            f"'{ctx.spec.name}' ran to the end without recording its declared metric(s) "
            f"{', '.join(missing)}"
        )
