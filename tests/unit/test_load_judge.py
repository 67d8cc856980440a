"""Judging a load scenario from its batches: checks merged, samples pooled, and a saturated
load generator blamed for timing failures instead of the target."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from harness.config import SlaConfig
from harness.scenarios import ScenarioJob
from harness.scenarios.catalogue import BUILT_IN_SCENARIOS
from harness.scenarios.runner import judge_batches
from harness.scenarios.saturation import SaturationMonitor, saturation
from harness.wire import (
    BatchReport,
    Check,
    Saturation,
    ScenarioSpec,
    Status,
    UserBatch,
)
from tests.fakes import RUN, FakeTarget, FakeTargetApi, FakeTargetInfra

DEFINITION = next(d for d in BUILT_IN_SCENARIOS if d.name == "concurrent-sessions")
SPEC = ScenarioSpec(name="concurrent-sessions", group="load", tags=["full"], timeout_seconds=60)
JOB = ScenarioJob(
    definition=DEFINITION,
    spec=SPEC,
    run=RUN,
    sla=SlaConfig(),
    api=FakeTargetApi(FakeTarget()),
    infra=FakeTargetInfra(FakeTarget()),
)
CALM = Saturation(cpu_percent=20, lag_p95_ms=2, lag_max_ms=5, saturated=False)
BUSY = Saturation(cpu_percent=99, lag_p95_ms=240, lag_max_ms=900, saturated=True)


def report(
    first: int, seconds: list[float], checks: list[Check], saturation: Saturation
) -> dict[str, Any]:
    return BatchReport(
        batch=UserBatch(first_user=first, count=len(seconds)),
        checks=checks,
        samples={"creation_seconds": seconds, "sessions_created": [float(len(seconds))]},
        saturation=saturation,
        started_at=datetime(2026, 11, 25, tzinfo=UTC),
        duration_seconds=1.0,
    ).to_wire()


def passed(*names: str) -> list[Check]:
    return [Check(name=name, passed=True) for name in names]


def test_batches_pool_their_samples_into_one_distribution() -> None:
    items = [
        report(1, [0.1, 0.2], passed("all-sessions-created"), CALM),
        report(3, [0.3, 4.0], passed("all-sessions-created"), CALM),
    ]
    result = judge_batches(JOB, items)
    metrics = {m.name: m.value for m in result.metrics}
    assert result.status is Status.PASS
    assert metrics["sessions_created"] == 4
    assert metrics["session_creation_p95_seconds"] > 3  # the slow user of batch 2 counts
    assert metrics["harness_cpu_percent"] == 20


def test_a_timing_failure_of_a_saturated_generator_blames_the_harness() -> None:
    slow = [Check(name="all-sessions-created", passed=False, detail="user 7: no answer")]
    items = [report(1, [9.0, 9.5], slow, BUSY), report(3, [0.2, 0.3], passed(), CALM)]
    result = judge_batches(JOB, items)
    assert result.status is Status.ERROR
    assert result.error is not None and result.error.type == "HarnessSaturated"
    assert "1 of 2 batch(es)" in result.error.message and "CPU up to 99%" in result.error.message
    assert {"harness_cpu_percent", "harness_cpu_wait_percent"} <= {m.name for m in result.metrics}
    assert "all-sessions-created: user 7: no answer" in result.error.message


def test_a_data_leak_fails_the_target_even_when_the_generator_was_saturated() -> None:
    leak = [Check(name="own-marker-isolated", passed=False, detail="user 2 read user 4's marker")]
    items = [report(1, [9.0], leak, BUSY)]
    result = judge_batches(JOB, items)
    assert result.status is Status.FAIL
    assert "user 2 read user 4's marker" in result.reason


def test_a_batch_that_failed_as_a_whole_is_an_error_of_the_scenario() -> None:
    caught = {
        "batch": {"firstUser": 1, "count": 2},
        "caught": {"Error": "Sandbox.Timedout", "Cause": "Task timed out"},
    }
    items = [caught, report(3, [0.2, 0.3], passed(), CALM)]
    result = judge_batches(JOB, items)
    assert result.status is Status.ERROR
    assert result.error is not None and result.error.type == "Sandbox.Timedout"


def test_saturation_is_a_busy_core_or_a_late_timer() -> None:
    assert not saturation(40, 10, [1, 2, 3], cpu_limit=90, lag_limit=100).saturated
    assert saturation(95, 0, [1, 2, 3], cpu_limit=90, lag_limit=100).saturated
    starved = saturation(60, 45, [1, 2, 3], cpu_limit=90, lag_limit=100)
    assert starved.saturated  # it wanted a core and the machine did not give it one
    late = saturation(30, 0, [5.0] * 90 + [150.0] * 10, cpu_limit=90, lag_limit=100)
    assert late.saturated and late.lag_max_ms == 150


def test_the_monitor_measures_this_process() -> None:
    with SaturationMonitor(cpu_limit_percent=90, lag_limit_ms=100) as monitor:
        sum(range(200_000))  # some CPU; how much of a core it gets depends on the machine
    seen = monitor.result()
    assert seen.cpu_percent >= 0 and seen.cpu_wait_percent >= 0
    assert seen.lag_p95_ms >= 0 and seen.lag_max_ms >= seen.lag_p95_ms
