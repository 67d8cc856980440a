"""The scenario runner on literal scenarios and in-memory ports: how checks, metrics, SLAs,
errors, retries and the declared contract become a result."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from harness.config import SlaConfig
from harness.scenarios.base import ScenarioContext, ScenarioDefinition, ScenarioJob, current_wait
from harness.scenarios.runner import TIMEOUT_ERROR, run_scenario
from harness.wire import MetricUnit, ScenarioResult, ScenarioSpec, Status
from tests.fakes import RUN, FakeTarget, FakeTargetApi, FakeTargetInfra, definition


def job(scenario: ScenarioDefinition, retries: int = 0, **params: float) -> ScenarioJob:
    spec = ScenarioSpec(
        name=scenario.name,
        group=scenario.group,
        tags=list(scenario.tags),
        timeout_seconds=scenario.timeout_seconds,
        retries=retries,
        params=params,
    )
    stack = FakeTarget()
    return ScenarioJob(
        scenario, spec, RUN, SlaConfig(), FakeTargetApi(stack), FakeTargetInfra(stack)
    )


def test_a_scenario_that_records_what_it_declares_passes() -> None:
    def run(ctx: ScenarioContext) -> None:
        created = ctx.api.create_session(ctx.client_id(), "u")
        ctx.check("ok", created.status == 201, f"answered {created.status}")
        ctx.metric("latency_seconds", 0.123449, sla=1.0)

    scenario = definition("a", run=run, metrics={"latency_seconds": "seconds"})
    result = run_scenario(job(scenario))

    assert result.status is Status.PASS, result.reason
    assert [(m.name, m.value, m.unit) for m in result.metrics] == [
        ("latency_seconds", 0.1234, "seconds")
    ]
    assert [c.name for c in result.checks] == ["ok", "sla:latency_seconds"]
    assert (result.scenario, result.group, result.attempts) == ("a", "g", 1)


def test_a_metric_beyond_its_sla_fails_the_scenario() -> None:
    scenario = definition(
        "slow",
        run=lambda ctx: ctx.metric("latency_seconds", 3.0, sla=1.0),
        metrics={"latency_seconds": "seconds"},
    )
    result = run_scenario(job(scenario))

    assert result.status is Status.FAIL
    assert result.reason == "sla:latency_seconds: 3 seconds (SLA <= 1)"


def test_a_failed_check_fails_and_stops_the_scenario() -> None:
    reached: list[str] = []

    def run(ctx: ScenarioContext) -> None:
        ctx.check("ok", False, "answered 500")
        reached.append("after")

    result = run_scenario(job(definition("f", run=run)))

    assert (result.status, result.reason, reached) == (Status.FAIL, "ok: answered 500", [])


def test_an_exception_is_an_error_and_is_retried() -> None:
    calls = itertools.count(1)

    def run(ctx: ScenarioContext) -> None:
        if next(calls) < 3:
            raise KeyError("sessionId")

    assert run_scenario(job(definition("e", run=run), retries=1)).attempts == 2
    calls = itertools.count(1)
    result = run_scenario(job(definition("e", run=run), retries=2))
    assert (result.status, result.attempts) == (Status.PASS, 3)
    result = run_scenario(job(definition("e", run=lambda ctx: 1 / 0)))
    assert result.status is Status.ERROR
    assert result.error is not None and result.error.type == "ZeroDivisionError"


def test_an_undeclared_check_is_an_error_that_keeps_what_it_saw() -> None:
    scenario = definition("u", run=lambda ctx: ctx.check("typo-check", False, "answered 500"))
    result = run_scenario(job(scenario))

    assert result.status is Status.ERROR
    assert result.error is not None and result.error.type == "ScenarioContractError"
    assert "check 'typo-check' is not declared" in result.error.message
    assert "failed: answered 500" in result.error.message
    assert [c.name for c in result.checks] == ["typo-check"]


def test_an_undeclared_metric_is_an_error() -> None:
    scenario = definition("m", run=lambda ctx: ctx.metric("latency_secs", 1.0))
    result = run_scenario(job(scenario))

    assert result.status is Status.ERROR
    assert result.error is not None
    assert "metric 'latency_secs' is not declared" in result.error.message
    assert result.metrics == []


def test_a_pass_must_record_every_declared_metric_a_failure_need_not() -> None:
    metrics: dict[str, MetricUnit] = {"a_seconds": "seconds", "b_count": "count"}
    passes = definition("p", run=lambda ctx: ctx.metric("a_seconds", 1.0), metrics=metrics)
    result = run_scenario(job(passes))
    assert result.status is Status.ERROR
    assert result.error is not None and "declared metric(s) b_count" in result.error.message

    fails = definition("q", run=lambda ctx: ctx.check("ok", False, "no"), metrics=metrics)
    assert run_scenario(job(fails)).status is Status.FAIL


def test_params_come_from_the_plan_then_the_definition() -> None:
    seen: dict[str, object] = {}

    def run(ctx: ScenarioContext) -> None:
        seen.update(users=ctx.param("users"), size=ctx.param("size"), id=ctx.client_id())

    scenario = definition("p", run=run, params={"users": 10, "size": 4})
    run_scenario(job(scenario, users=3))

    assert seen == {"users": 3, "size": 4, "id": "TEST_r1_p_1"}


def test_a_wait_that_runs_out_fails_its_check() -> None:
    def run(ctx: ScenarioContext) -> None:
        ctx.wait_for("ok", lambda: None, timeout=0.05, interval=0.01)

    result = run_scenario(job(definition("w", run=run)))

    assert result.status is Status.FAIL
    assert result.reason.startswith("ok: not reached after")


@pytest.mark.parametrize("status", [Status.PASS, Status.FAIL])
def test_the_result_carries_timing(status: Status) -> None:
    scenario = definition("t", run=lambda ctx: ctx.check("ok", status is Status.PASS))
    result = run_scenario(job(scenario))

    assert result.status is status
    assert result.started_at is not None and result.finished_at is not None
    assert result.finished_at >= result.started_at and result.duration_seconds >= 0


# --- timeout_seconds is enforced -------------------------------------------------------


def timed(
    body: Callable[[ScenarioContext], object], timeout: int = 1, retries: int = 0
) -> ScenarioResult:
    scenario = definition("probe", run=body, checks=("ready", "never-reached", "holds"))
    spec = ScenarioSpec(name="probe", group="g", tags=[], timeout_seconds=timeout, retries=retries)
    stack = FakeTarget()
    return run_scenario(
        ScenarioJob(scenario, spec, RUN, SlaConfig(), FakeTargetApi(stack), FakeTargetInfra(stack))
    )


def never(ctx: ScenarioContext, timeout: float) -> None:
    """Wait for something that never happens."""
    ctx.wait_for("ready", lambda: None, timeout=timeout)


def test_a_scenario_busy_past_its_timeout_is_an_error_timeout() -> None:
    def busy(ctx: ScenarioContext) -> None:
        time.sleep(30)  # e.g. a slow request loop that never waits through ctx
        ctx.check("never-reached", True)

    result = timed(busy)
    assert result.status is Status.ERROR
    assert result.error is not None and result.error.type == TIMEOUT_ERROR
    assert result.reason == "timeout: ran past its 1s timeout"
    assert result.duration_seconds < 30  # it did not wait for the scenario to finish


def test_a_wait_cut_short_by_the_deadline_is_a_timeout_not_a_failed_check() -> None:
    result = timed(lambda ctx: never(ctx, 600))
    assert result.status is Status.ERROR and result.reason.startswith("timeout:")
    assert result.checks == []


def test_a_wait_that_runs_out_first_fails_its_check() -> None:
    result = timed(lambda ctx: never(ctx, 0.1), timeout=30)
    assert result.status is Status.FAIL
    assert result.reason.startswith("ready: not reached after")


def test_a_scenario_that_raises_is_an_error_and_errors_are_retried() -> None:
    calls: list[int] = []

    def broken(ctx: ScenarioContext) -> None:
        calls.append(1)
        raise KeyError("sessionId")

    result = timed(broken, timeout=30, retries=2)
    assert (result.status, result.attempts, len(calls)) == (Status.ERROR, 3, 3)
    assert result.reason == "KeyError: 'sessionId'"


def test_a_wait_is_visible_while_it_lasts() -> None:
    seen: list[str] = []

    def waiting(ctx: ScenarioContext) -> None:
        def probe() -> bool | None:
            wait = current_wait(RUN.run_id, "probe")
            seen.append(wait.what if wait else "")
            return True if len(seen) > 1 else None

        ctx.wait_for("ready", probe, timeout=30, interval=0.01)

    assert timed(waiting, timeout=30).status is Status.PASS
    assert seen == ["ready", "ready"]
    assert current_wait(RUN.run_id, "probe") is None
