"""Run one scenario and turn whatever happens into a ScenarioResult.

A failed check is a ``fail``; any other exception is an ``error``; a metric outside its SLA
fails the scenario even when every check held; a pass that did not record every declared
metric is an ``error`` (``ScenarioContractError``); a scenario still running at its
``timeout_seconds`` is an ``error`` of type ``timeout`` (it is told to stop, and the run's
Cleanup removes what it created). Nothing here raises: one bad scenario must never abort the
suite.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from harness.errors import CheckFailedError, ScenarioContractError, ScenarioTimeoutError
from harness.scenarios.base import SLA_CHECK_PREFIX, ScenarioContext, ScenarioJob
from harness.wire import Check, ErrorInfo, ScenarioResult, Status

_live: dict[int, ScenarioContext] = {}
_live_lock = threading.Lock()


def cancel_running() -> int:
    """Tell every scenario running in this process to stop at its next step (a local run
    that is interrupted); returns how many were told."""
    with _live_lock:
        contexts = list(_live.values())
    for ctx in contexts:
        ctx.cancel()
    return len(contexts)


TIMEOUT_ERROR = "timeout"
STOP_GRACE_SECONDS = 2.0
"""After its deadline, how long a scenario may take to notice it must stop (its next step)."""


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
    status, error = _run_until_deadline(ctx)
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


def _run_until_deadline(ctx: ScenarioContext) -> tuple[Status, ErrorInfo | None]:
    """Run the scenario in a worker thread and stop waiting for it at its deadline."""
    outcome: list[tuple[Status, ErrorInfo | None]] = []

    def body() -> None:
        try:
            ctx.job.definition.run(ctx)
            _require_declared_metrics(ctx)
            outcome.append((Status.PASS, None))
        except CheckFailedError:
            outcome.append((Status.FAIL, None))
        except ScenarioTimeoutError as err:
            outcome.append((Status.ERROR, ErrorInfo(type=TIMEOUT_ERROR, message=str(err))))
        except Exception as err:  # noqa: BLE001 - an unexpected failure is an error result
            outcome.append(
                (Status.ERROR, ErrorInfo(type=type(err).__name__, message=str(err) or repr(err)))
            )

    worker = threading.Thread(target=body, name=f"scenario-{ctx.spec.name}", daemon=True)
    with _live_lock:
        _live[id(ctx)] = ctx
    try:
        worker.start()
        worker.join(max(0.0, ctx.deadline - time.monotonic()))
    finally:
        with _live_lock:
            _live.pop(id(ctx), None)
    if not worker.is_alive():
        return outcome[0]
    ctx.cancel()
    worker.join(STOP_GRACE_SECONDS)  # let it stop at its next step, so it leaves no work behind
    message = f"ran past its {ctx.spec.timeout_seconds}s timeout"
    return Status.ERROR, ErrorInfo(type=TIMEOUT_ERROR, message=message)
