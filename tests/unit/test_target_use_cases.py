"""Group setup/teardown and cleanup on in-memory ports: what they ask of the target and what
they leave behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harness.errors import TargetInfraError, TargetUnavailableError, UnsafeCleanupError
from harness.target.cleanup import cleanup_expired, cleanup_run
from harness.target.groups import setup_group, teardown_group
from harness.wire import GroupSetup
from tests.fakes import (
    NOW,
    RUN,
    TARGET,
    FakeRunsInFlight,
    FakeTarget,
    FakeTargetApi,
    FakeTargetInfra,
)


def ports(target: FakeTarget) -> tuple[FakeTargetApi, FakeTargetInfra]:
    return FakeTargetApi(target), FakeTargetInfra(target)


def test_setup_remembers_the_desired_count_of_a_healthy_target() -> None:
    api, infra = ports(FakeTarget(desired=2))
    in_flight = FakeRunsInFlight()
    assert setup_group(api, infra, RUN, in_flight) == GroupSetup(original_desired_count=2)
    assert api.target.calls == ["GET /health"]
    infra.set_desired_count(0)  # a scenario scaled it; the next group's setup sees 0
    setup_group(api, infra, RUN, in_flight)
    entry = in_flight.get(RUN.run_id)
    assert entry is not None and entry.desired_count == 2  # durable: the pre-run count


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (FakeTarget(down=True), "target health check failed: GET /health failed"),
        (FakeTarget(health_status=502), "target /health answered 502, expected 200"),
    ],
)
def test_setup_refuses_a_target_that_is_not_up(target: FakeTarget, message: str) -> None:
    with pytest.raises(TargetUnavailableError, match=message):
        setup_group(*ports(target), RUN, FakeRunsInFlight())


def test_setup_passes_on_the_infra_adapters_error() -> None:
    target = FakeTarget()
    with pytest.raises(TargetInfraError, match="not found"):
        setup_group(
            FakeTargetApi(target),
            FakeTargetInfra(target, missing_service=True),
            RUN,
            FakeRunsInFlight(),
        )


def test_teardown_restores_only_what_changed() -> None:
    target = FakeTarget(desired=0)
    infra = FakeTargetInfra(target)

    assert (
        teardown_group(GroupSetup(original_desired_count=0), infra).restored_desired_count is None
    )
    assert teardown_group(None, infra).restored_desired_count is None
    assert infra.desired_history == []
    restored = teardown_group(GroupSetup(original_desired_count=1), infra)
    assert restored.restored_desired_count == 1
    assert (target.desired, infra.desired_history) == (1, [1])


def test_cleanup_deletes_this_runs_sessions_and_nothing_else() -> None:
    target = FakeTarget()
    ours = [target.add_session(f"{RUN.client_prefix}x_{n}") for n in range(12)]
    others = {
        target.add_session("TEST_otherrun_x_1"),
        target.add_session("customer-42"),
        target.add_session(f"prod_{RUN.client_prefix}x"),  # contains the prefix, not ours
    }
    target.undeletable.add(ours[0])  # the API fails on this one: deleted directly

    report = cleanup_run(RUN, *ports(target), "TEST_", workers=4)

    assert (report.prefix, report.sessions_found) == (RUN.client_prefix, 12)
    assert (report.deleted_via_api, report.deleted_directly) == (11, 1)
    assert set(target.items) == others


def test_cleanup_of_an_unreachable_api_deletes_every_item_directly() -> None:
    target = FakeTarget()
    for n in range(3):
        target.add_session(f"{RUN.client_prefix}x_{n}")
    target.down = True

    report = cleanup_run(RUN, *ports(target), "TEST_")

    assert (report.deleted_via_api, report.deleted_directly) == (0, 3)
    assert target.items == {}


@pytest.mark.parametrize(("prefix", "configured"), [("", "TEST_"), ("T", "T"), ("cust", "TEST_")])
def test_cleanup_with_an_unsafe_prefix_refuses_to_touch_anything(
    prefix: str, configured: str
) -> None:
    target = FakeTarget()
    target.add_session("customer", created_at=NOW - timedelta(days=9))
    unsafe = TARGET.model_copy(update={"test_prefix": prefix})

    with pytest.raises(UnsafeCleanupError, match="refusing to clean up"):
        cleanup_expired(unsafe, *ports(target), NOW, timedelta(hours=1), configured)
    assert len(target.items) == 1 and target.calls == []


def test_expired_cleanup_takes_only_old_test_sessions() -> None:
    target = FakeTarget()
    old = target.add_session("TEST_deadrun_x_1", created_at=NOW - timedelta(hours=30))
    recent = target.add_session("TEST_liverun_x_1", created_at=NOW - timedelta(hours=1))
    customer = target.add_session("customer", created_at=NOW - timedelta(days=9))

    report = cleanup_expired(TARGET, *ports(target), NOW, timedelta(hours=24), "TEST_")

    assert report.sessions_found == 1 and report.created_before == NOW - timedelta(hours=24)
    assert old not in target.items and {recent, customer} <= set(target.items)
