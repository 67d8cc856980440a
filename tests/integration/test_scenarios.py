"""The built-in scenarios against a real reference target and a real moto server.

Each scenario must pass on the healthy target and fail -- with the broken check named in
its reason -- when the matching fault is injected. SLA limits and target delays are small
so every failure shows within seconds.
"""

from __future__ import annotations

import time

import pytest

from harness.scenarios.catalogue import BUILT_IN_SCENARIOS
from harness.wire import (
    ScenarioResult,
    Status,
)
from tests.integration.stacks import SLA, StackFactory


def _assert_passed(result: ScenarioResult) -> None:
    assert result.status is Status.PASS, result.reason
    assert result.metrics, "a passing scenario reports its metrics"


@pytest.mark.parametrize("name", sorted(d.name for d in BUILT_IN_SCENARIOS))
def test_scenario_passes_on_the_healthy_target(stack: StackFactory, name: str) -> None:
    target = stack()
    if name != "cold-start":  # it scales to zero first anyway
        target.warm()
    params = {"users": 4} if name == "concurrent-sessions" else None

    result = target.run_scenario(name, params=params)

    _assert_passed(result)
    assert all(check.passed for check in result.checks)


def test_cold_start_reports_its_metrics_within_sla(stack: StackFactory) -> None:
    result = stack().run_scenario("cold-start")

    _assert_passed(result)
    metrics = {metric.name: metric for metric in result.metrics}
    assert 0.3 <= metrics["cold_start_seconds"].value < SLA.cold_start_max_seconds
    assert metrics["cold_start_seconds"].sla == SLA.cold_start_max_seconds
    assert {check.name for check in result.checks} >= {
        "sla:cold_start_seconds",
        "sla:session_creation_seconds",
    }


def test_concurrent_sessions_counts_every_user(stack: StackFactory) -> None:
    target = stack()
    target.warm()

    result = target.run_scenario("concurrent-sessions", params={"users": 6})

    _assert_passed(result)
    metrics = {metric.name: metric for metric in result.metrics}
    assert metrics["sessions_created"].value == 6
    assert (
        metrics["session_creation_p50_seconds"].value
        <= metrics["session_creation_p95_seconds"].value
    )


FAULT_CASES = [
    # scenario, fault, the check that must name the failure, SLA changes, request timeout
    ("cold-start", "slow_cold_start", "cold-start-within-sla", {}, 2.0),
    ("session-persistence", "lose_workspace", "workspace-survives-restart", {}, 2.0),
    ("session-persistence", "drop_session_attributes", "session-item-attributes", {}, 2.0),
    ("concurrent-sessions", "shared_workspace", "own-marker-isolated", {}, 2.0),
    ("alb-routing", "misroute", "unknown-session-404", {}, 2.0),
    ("routing-at-zero", "hang_when_unhealthy", "no-hang", {}, 1.0),
    ("routing-at-zero", "crash_error_500", "unavailable-is-503", {}, 2.0),
    ("failure-recovery", "no_recovery", "recovered-within-sla", {"recovery_max_seconds": 2.0}, 2.0),
    ("failure-recovery", "crash_error_500", "unavailable-is-503", {}, 2.0),
]


@pytest.mark.parametrize(
    ("name", "fault", "failed_check", "sla_changes", "request_timeout"),
    FAULT_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in FAULT_CASES],
)
def test_scenario_fails_on_its_fault(
    stack: StackFactory,
    name: str,
    fault: str,
    failed_check: str,
    sla_changes: dict[str, float],
    request_timeout: float,
) -> None:
    target = stack(faults=(fault,), request_timeout=request_timeout)
    if name != "cold-start":  # it scales to zero first anyway
        target.warm()
    params = {"users": 4} if name == "concurrent-sessions" else None
    started = time.monotonic()

    result = target.run_scenario(name, sla=SLA.model_copy(update=sla_changes), params=params)

    assert result.status is Status.FAIL, result.reason or result.status
    assert result.reason.startswith(f"{failed_check}:"), result.reason
    assert time.monotonic() - started < 10, "a fault must fail fast, never hang the suite"
