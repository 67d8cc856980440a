"""Group setup and cleanup on in-memory ports: what they ask of the target and what they
leave behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harness.errors import TargetInfraError, TargetUnavailableError, UnsafeCleanupError
from harness.report.text import describe_cleanup
from harness.target.cleanup import cleanup_expired, cleanup_run, cleanup_run_on_pool
from harness.target.groups import setup_group
from harness.wire import GroupSetup, ResolvedTarget, ServiceState
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


def setup(
    api: FakeTargetApi,
    infra: FakeTargetInfra,
    needs: ServiceState = ServiceState.ANY,
    timeout: float = 5.0,
) -> GroupSetup:
    return setup_group(api, infra, needs, warm_timeout=timeout, cold_timeout=timeout)


def test_setup_leaves_a_service_no_one_needs_in_any_state_as_it_is() -> None:
    api, infra = ports(FakeTarget(desired=2))
    found = setup(api, infra)
    assert (found.desired_count_before, found.desired_count) == (2, 2)
    assert api.target.calls == ["GET /health"] and infra.desired_history == []


def test_setup_warms_a_cold_service_and_cools_a_warm_one_only_when_asked() -> None:
    api, infra = ports(FakeTarget(desired=0, tasks=[]))
    warm = setup(api, infra, ServiceState.WARM)
    assert (warm.desired_count_before, warm.desired_count) == (0, 1)
    assert setup(api, infra, ServiceState.WARM).desired_count_before == 1  # nothing to do
    cold = setup(api, infra, ServiceState.COLD)
    assert (cold.desired_count_before, cold.desired_count) == (1, 0)
    assert infra.desired_history == [1, 0]


def test_setup_fails_when_the_service_never_gets_there() -> None:
    api, infra = ports(FakeTarget(desired=1))
    infra.target.tasks = []  # the service says 1, but no container ever starts
    with pytest.raises(TargetUnavailableError, match="did not reach a running edit container"):
        setup(api, infra, ServiceState.WARM, timeout=0.05)


def test_setup_records_the_pre_run_count_with_the_run_in_flight() -> None:
    api, infra = ports(FakeTarget(desired=2))
    in_flight = FakeRunsInFlight()
    for _ in range(2):  # the second group's setup finds the service cold: the first count wins
        setup_group(
            api,
            infra,
            ServiceState.COLD,
            warm_timeout=5,
            cold_timeout=5,
            run=RUN,
            in_flight=in_flight,
        )
    entry = in_flight.get(RUN.run_id)
    assert entry is not None and entry.desired_count == 2  # durable: the pre-run count
    assert infra.desired_history == [0]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (FakeTarget(down=True), "target health check failed: GET /health failed"),
        (FakeTarget(health_status=502), "target /health answered 502, expected 200"),
    ],
)
def test_setup_refuses_a_target_that_is_not_up(target: FakeTarget, message: str) -> None:
    with pytest.raises(TargetUnavailableError, match=message):
        setup(*ports(target))


def test_setup_passes_on_the_infra_adapters_error() -> None:
    target = FakeTarget()
    with pytest.raises(TargetInfraError, match="not found"):
        setup(FakeTargetApi(target), FakeTargetInfra(target, missing_service=True))


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


def test_cleanup_reports_each_kind_with_what_is_left_and_why() -> None:
    target = FakeTarget()
    prefix = RUN.client_prefix
    ours = [target.add_session(f"{prefix}x_{n}") for n in range(4)]
    target.undeletable.add(ours[0])  # the API refuses one: it goes directly
    customer = target.add_session("customer-1")
    target.log_streams = [f"{prefix}x_{n}/edit" for n in range(5)] + ["customer-1/edit"]

    report = cleanup_run(RUN, *ports(target), "TEST_")

    kinds = {kind.kind: kind for kind in report.kinds}
    assert (kinds["sessions"].found, kinds["sessions"].deleted, kinds["sessions"].left) == (4, 4, 0)
    workspaces = kinds["workspaces"]
    assert (workspaces.deleted, workspaces.left) == (3, 1)
    assert "the stack's own storage cleanup" in workspaces.note
    assert (kinds["log streams"].found, kinds["log streams"].deleted) == (5, 5)
    assert target.log_streams == ["customer-1/edit"] and customer in target.items
    assert describe_cleanup(report).startswith("sessions 4/4, workspaces 3/4 (1 belong to")


def test_a_failing_kind_is_reported_and_the_others_still_run() -> None:
    target = FakeTarget()
    session = target.add_session(f"{RUN.client_prefix}x_1")
    api, infra = ports(target)

    def broken(name_prefix: str, created_before: object = None) -> list[str]:
        raise TargetInfraError("DescribeLogStreams failed: AccessDenied")

    infra.find_log_streams = broken  # type: ignore[method-assign]
    report = cleanup_run(RUN, api, infra, "TEST_")

    (streams,) = [kind for kind in report.kinds if kind.kind == "log streams"]
    assert streams.note == "failed: TargetInfraError: DescribeLogStreams failed: AccessDenied"
    assert session not in target.items and report.deleted_via_api == 1


def test_a_scan_that_returns_foreign_sessions_cannot_get_them_deleted() -> None:
    target = FakeTarget()
    mine = target.add_session(f"{RUN.client_prefix}x_1")
    customer = target.add_session("customer-1")
    api, infra = ports(target)
    everything = infra.find_sessions("")
    infra.find_sessions = lambda client_id_prefix, created_before=None: everything  # type: ignore[method-assign]

    report = cleanup_run(RUN, api, infra, "TEST_")

    assert report.sessions_found == 1 and mine not in target.items
    assert customer in target.items
    assert f"DELETE /api/sessions/{customer}" not in target.calls


def _pool() -> tuple[dict[str, FakeTarget], list[ResolvedTarget]]:
    members = [TARGET, TARGET.model_copy(update={"name": "t-2", "ecs_service": "s-2"})]
    return {member.name: FakeTarget() for member in members}, members


def test_cleanup_on_a_pool_cleans_every_member_into_one_report() -> None:
    targets, members = _pool()
    for number, target in enumerate(targets.values()):
        for n in range(number + 2):
            target.add_session(f"{RUN.client_prefix}x_{n}")
        target.add_session("customer-1")
    run = RUN.model_copy(update={"pool": members})

    def api_for(member: ResolvedTarget) -> FakeTargetApi:
        return FakeTargetApi(targets[member.name])

    def infra_for(member: ResolvedTarget) -> FakeTargetInfra:
        return FakeTargetInfra(targets[member.name])

    report = cleanup_run_on_pool(run, api_for, infra_for, "TEST_")

    assert (report.prefix, report.sessions_found, report.deleted_via_api) == (
        RUN.client_prefix,
        5,
        5,
    )
    (sessions,) = [kind for kind in report.kinds if kind.kind == "sessions"]
    assert (sessions.found, sessions.deleted) == (5, 5)
    assert all(len(target.items) == 1 for target in targets.values())  # the customers'


def test_cleanup_on_a_pool_with_an_unsafe_prefix_touches_no_member() -> None:
    targets, members = _pool()
    for target in targets.values():
        target.add_session(f"{RUN.client_prefix}x_1")
    run = RUN.model_copy(update={"pool": members})

    with pytest.raises(UnsafeCleanupError, match="refusing to clean up"):
        cleanup_run_on_pool(
            run,
            lambda member: FakeTargetApi(targets[member.name]),
            lambda member: FakeTargetInfra(targets[member.name]),
            "cust",
        )
    assert all(len(t.items) == 1 and t.calls == [] for t in targets.values())
