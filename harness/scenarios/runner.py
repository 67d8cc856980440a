"""Run one scenario (or one batch of a load scenario) and turn whatever happens into a result.

A failed check is a ``fail``; any other exception is an ``error``; a metric outside its SLA
fails the scenario even when every check held; a pass that did not record every declared
metric is an ``error`` (``ScenarioContractError``); a scenario (or a batch of a load
scenario's users) still running at its ``timeout_seconds`` is an ``error`` of type ``timeout``
(it is told to stop, and the run's Cleanup removes what it created). A load scenario whose
generator was saturated does not fail the target on timing: its result is an ``error`` named
``HarnessSaturated``. Nothing here raises: one bad scenario must never abort the suite.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from harness.config import LoadConfig
from harness.errors import (
    CheckFailedError,
    InvalidEventError,
    ScenarioContractError,
    ScenarioTimeoutError,
)
from harness.scenarios.base import SLA_CHECK_PREFIX, ScenarioContext, ScenarioJob
from harness.scenarios.saturation import SaturationMonitor
from harness.validation import parse_as
from harness.wire import (
    BatchReport,
    CaughtError,
    Check,
    ErrorInfo,
    Metric,
    Saturation,
    ScenarioResult,
    Status,
    UserBatch,
    error_from_caught,
)

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


def run_scenario(job: ScenarioJob, load: LoadConfig | None = None) -> ScenarioResult:
    """Run a scenario in this process, retrying ``spec.retries`` times when it ends in
    ``error``. A load scenario runs all its users here, as one batch."""
    attempts = 0
    while True:
        attempts += 1
        result = _attempt(job, attempts, load or LoadConfig())
        if result.status is not Status.ERROR or attempts > job.spec.retries:
            return result


def _attempt(job: ScenarioJob, attempt: int, load: LoadConfig) -> ScenarioResult:
    started_at, started = datetime.now(UTC), time.monotonic()
    ctx = ScenarioContext(job=job, deadline=started + job.spec.timeout_seconds)
    if job.definition.fan_out is None:
        status, error = _play(job.definition.run, ctx)
        return _result(ctx, status, error, started_at, started, [], attempt)
    with _monitor(load) as monitor:  # a load generator watches its own process
        status, error = _play(job.definition.run, ctx, require=False)
    return _judged(ctx, status, error, started_at, started, [monitor.result()], attempt)


def run_batch(job: ScenarioJob, batch: UserBatch, load: LoadConfig | None = None) -> BatchReport:
    """Play one batch of a load scenario's users; the judge turns the batches into a result."""
    fan_out = job.definition.fan_out
    if fan_out is None:
        raise InvalidEventError(f"scenario {job.spec.name} has no batches (not a load test)")
    started_at, started = datetime.now(UTC), time.monotonic()
    ctx = ScenarioContext(job=job, deadline=started + job.spec.timeout_seconds)
    users = range(batch.first_user, batch.first_user + batch.count)
    with _monitor(load or LoadConfig()) as monitor:
        _, error = _play(lambda ctx: fan_out.run_batch(ctx, users), ctx, require=False)
    return BatchReport(
        batch=batch,
        checks=ctx.checks,
        samples=ctx.samples,
        error=error,
        saturation=monitor.result(),
        started_at=started_at,
        duration_seconds=round(time.monotonic() - started, 3),
    )


def judge_batches(job: ScenarioJob, items: Sequence[Mapping[str, Any]]) -> ScenarioResult:
    """One result from every batch: checks merged (one failing batch fails the check),
    samples pooled and judged, saturation carried over."""
    fan_out = job.definition.fan_out
    if fan_out is None:
        raise InvalidEventError(f"scenario {job.spec.name} has no batches (not a load test)")
    reports, errors = _decode(items)
    ctx = ScenarioContext(job=job, deadline=time.monotonic() + job.spec.timeout_seconds)
    ctx.checks.extend(merge_checks(report.checks for report in reports))
    for report in reports:
        for name, values in report.samples.items():
            ctx.samples.setdefault(name, []).extend(values)
    errors.extend(report.error for report in reports if report.error is not None)
    failed = any(not check.passed for check in ctx.checks)
    status = Status.ERROR if errors else Status.FAIL if failed else Status.PASS
    started_at = min((r.started_at for r in reports), default=datetime.now(UTC))
    started = time.monotonic() - (datetime.now(UTC) - started_at).total_seconds()
    saturation = [report.saturation for report in reports]
    return _judged(ctx, status, _combined(errors), started_at, started, saturation, 1)


def merge_checks(per_batch: Iterable[Sequence[Check]]) -> list[Check]:
    """Each check once, in first-seen order: passed only if it passed in every batch that ran
    it; the detail of the first failure, with how many batches failed it."""
    merged: dict[str, list[Check]] = {}
    for checks in per_batch:
        for check in checks:
            merged.setdefault(check.name, []).append(check)
    result = []
    for name, seen in merged.items():
        failures = [check for check in seen if not check.passed]
        if not failures:
            result.append(Check(name=name, passed=True))
            continue
        more = f" (in {len(failures)} of {len(seen)} batches)" if len(seen) > 1 else ""
        result.append(Check(name=name, passed=False, detail=failures[0].detail + more))
    return result


def _monitor(load: LoadConfig) -> SaturationMonitor:
    return SaturationMonitor(load.saturation_cpu_percent, load.saturation_lag_ms)


def _play(
    play: Callable[[ScenarioContext], object], ctx: ScenarioContext, require: bool = True
) -> tuple[Status, ErrorInfo | None]:
    """Play in a worker thread and stop waiting for it at the context's deadline."""
    outcome: list[tuple[Status, ErrorInfo | None]] = []

    def body() -> None:
        try:
            play(ctx)
            if require:
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


def _judged(
    ctx: ScenarioContext,
    status: Status,
    error: ErrorInfo | None,
    started_at: datetime,
    started: float,
    saturation: list[Saturation],
    attempt: int,
) -> ScenarioResult:
    """A load scenario's result: its judge's metrics, then what its generator went through."""
    fan_out = ctx.job.definition.fan_out
    assert fan_out is not None
    try:
        fan_out.judge(ctx, ctx.samples)  # the metrics, even when a check stopped a batch
        if status is Status.PASS:
            _require_declared_metrics(ctx)
    except Exception as err:  # noqa: BLE001 - a judge's failure is an error result
        status = Status.ERROR
        error = error or ErrorInfo(type=type(err).__name__, message=str(err) or repr(err))
    return _result(ctx, status, error, started_at, started, saturation, attempt)


def _decode(items: Sequence[Mapping[str, Any]]) -> tuple[list[BatchReport], list[ErrorInfo]]:
    reports: list[BatchReport] = []
    errors: list[ErrorInfo] = []
    for item in items:
        if "caught" in item:
            caught = parse_as(CaughtError, item["caught"], InvalidEventError, "caught error")
            errors.append(error_from_caught(caught))
        else:
            reports.append(parse_as(BatchReport, item, InvalidEventError, "batch report"))
    return reports, errors


def _combined(errors: list[ErrorInfo]) -> ErrorInfo | None:
    if not errors:
        return None
    more = f" (and {len(errors) - 1} more batch error(s))" if len(errors) > 1 else ""
    return ErrorInfo(type=errors[0].type, message=errors[0].message + more)


def _result(
    ctx: ScenarioContext,
    status: Status,
    error: ErrorInfo | None,
    started_at: datetime,
    started: float,
    saturation: list[Saturation],
    attempt: int,
) -> ScenarioResult:
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
    metrics = list(ctx.metrics)
    if saturation:
        metrics.extend(_saturation_metrics(saturation))
        status, error = _blame(ctx, checks, status, error, saturation)
    return ScenarioResult(
        scenario=ctx.spec.name,
        group=ctx.spec.group,
        status=status,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        duration_seconds=round(time.monotonic() - started, 3),
        metrics=metrics,
        checks=checks,
        error=error,
        attempts=attempt,
    )


def _saturation_metrics(saturation: list[Saturation]) -> list[Metric]:
    """The runner's own metrics of a load scenario (like its ``sla:`` checks, no scenario
    declares them): how busy its generator was, in the busiest batch."""
    return [
        Metric(
            name="harness_cpu_percent", value=max(s.cpu_percent for s in saturation), unit="percent"
        ),
        Metric(
            name="harness_cpu_wait_percent",
            value=max(s.cpu_wait_percent for s in saturation),
            unit="percent",
        ),
        Metric(
            name="harness_timer_lag_p95_ms",
            value=max(s.lag_p95_ms for s in saturation),
            unit="milliseconds",
        ),
    ]


def _blame(
    ctx: ScenarioContext,
    checks: list[Check],
    status: Status,
    error: ErrorInfo | None,
    saturation: list[Saturation],
) -> tuple[Status, ErrorInfo | None]:
    """Timing failures of a saturated generator are the harness's, not the target's."""
    fan_out = ctx.job.definition.fan_out
    timing = fan_out.timing_checks if fan_out is not None else frozenset()
    failed = [check for check in checks if not check.passed]
    saturated = [s for s in saturation if s.saturated]
    if status is not Status.FAIL or not saturated or any(c.name not in timing for c in failed):
        return status, error
    worst_cpu = max(s.cpu_percent for s in saturation)
    worst_wait = max(s.cpu_wait_percent for s in saturation)
    worst_lag = max(s.lag_p95_ms for s in saturation)
    return Status.ERROR, ErrorInfo(
        type="HarnessSaturated",
        message=(
            f"the load generator was saturated in {len(saturated)} of {len(saturation)} "
            f"batch(es) (CPU up to {worst_cpu:g}% of a core, {worst_wait:g}% more waiting for "
            f"one, timer lag p95 up to {worst_lag:g} ms), so these timing failures are the "
            "harness's, not the target's: " + "; ".join(f"{c.name}: {c.detail}" for c in failed)
        ),
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
