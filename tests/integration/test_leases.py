"""Leases on both stores (SQLite, and DynamoDB on the moto server with the CDK app's table):
contention, all-or-nothing claims, expiry and reaping, races, release and restore."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from harness.aws import table_keys as keys
from harness.aws.dynamodb_leases import DynamoDbLeases
from harness.config import LeasesConfig
from harness.local.moto_server import MotoServer
from harness.local.sqlite_leases import SqliteLeases
from harness.ports import LeaseStore, TargetInfra
from harness.target.leases import acquire_leases, lease_key, release_leases
from harness.wire import (
    GroupPlan,
    LanePlan,
    LeaseClaim,
    LeaseMode,
    ScenarioSpec,
    ServiceState,
    TargetResource,
)
from tests.integration.conftest import create_keyed_table
from tests.integration.stacks import StackFactory

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
EDIT = TargetResource.EDIT_SERVICE


def claim(key: str, mode: LeaseMode, record: bool = False) -> LeaseClaim:
    return LeaseClaim(
        key=key, target=f"target-{key}", resource=EDIT, mode=mode, record_desired_count=record
    )


def nothing_found(_claim: LeaseClaim) -> int | None:
    return None


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LeaseStore]:
    if request.param == "sqlite":
        yield SqliteLeases.in_state_dir(tmp_path)
        return
    moto: MotoServer = request.getfixturevalue("moto_server")
    table = f"leases-{uuid.uuid4().hex[:8]}"
    create_keyed_table(moto.endpoint, table, keys.LEASE_KEY)
    yield DynamoDbLeases(table, region="us-east-1", endpoint_url=moto.endpoint)


def test_exclusive_excludes_everyone_shared_excludes_only_exclusive(store: LeaseStore) -> None:
    assert store.acquire([claim("k", LeaseMode.SHARED)], "reader-1", T0, 60, nothing_found) is None
    assert store.acquire([claim("k", LeaseMode.SHARED)], "reader-2", T0, 60, nothing_found) is None
    busy = store.acquire([claim("k", LeaseMode.EXCLUSIVE)], "writer", T0, 60, nothing_found)
    assert busy is not None and busy.run_id == "reader-1"
    assert busy.message.startswith(
        "target target-k is busy with run reader-1 since 2026-11-25 09:00:00Z"
    )
    store.release("reader-1", ["k"])
    store.release("reader-2", ["k"])
    assert store.acquire([claim("k", LeaseMode.EXCLUSIVE)], "writer", T0, 60, nothing_found) is None
    assert store.acquire([claim("k", LeaseMode.SHARED)], "reader-3", T0, 60, nothing_found)
    assert set(store.holders("k")) == {"writer"}


def test_a_run_gets_all_its_claims_or_none(store: LeaseStore) -> None:
    store.acquire([claim("b", LeaseMode.EXCLUSIVE)], "first", T0, 60, nothing_found)
    wanted = [claim("a", LeaseMode.EXCLUSIVE), claim("b", LeaseMode.EXCLUSIVE)]
    busy = store.acquire(wanted, "second", T0, 60, nothing_found)
    assert busy is not None and busy.target == "target-b"
    assert store.holders("a") == {}  # nothing kept from the failed attempt


def test_an_expired_lease_is_reaped_and_no_longer_blocks(store: LeaseStore) -> None:
    store.acquire([claim("k", LeaseMode.EXCLUSIVE)], "died", T0, 10, nothing_found)
    still = store.acquire(
        [claim("k", LeaseMode.EXCLUSIVE)], "next", T0 + timedelta(seconds=9), 60, nothing_found
    )
    assert still is not None and still.run_id == "died"
    later = T0 + timedelta(seconds=11)
    assert (
        store.acquire([claim("k", LeaseMode.EXCLUSIVE)], "next", later, 60, nothing_found) is None
    )
    assert set(store.holders("k")) == {"next"}  # the dead run's lease is gone, not just ignored


def test_only_one_of_many_racing_runs_wins(store: LeaseStore) -> None:
    winners: list[str] = []
    start = threading.Barrier(6)

    def race(run_id: str) -> None:
        start.wait()
        if store.acquire([claim("k", LeaseMode.EXCLUSIVE)], run_id, T0, 60, nothing_found) is None:
            winners.append(run_id)

    threads = [threading.Thread(target=race, args=(f"run-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(winners) == 1
    assert set(store.holders("k")) == set(winners)


def test_release_returns_what_to_restore_and_is_idempotent(store: LeaseStore) -> None:
    asked: list[str] = []

    def found(what: LeaseClaim) -> int:
        asked.append(what.key)
        return 3

    claims = [claim("svc", LeaseMode.EXCLUSIVE, record=True), claim("api", LeaseMode.SHARED)]
    assert store.acquire(claims, "r", T0, 60, found) is None
    assert asked == ["svc"]
    assert store.holders("svc")["r"].found_desired_count == 3
    released = store.release("r", ["svc", "api", "never-held"])
    assert sorted(h.found_desired_count or 0 for h in released) == [0, 3]
    assert store.release("r", ["svc", "api"]) == []


def _plan_on(stack_target: object) -> list[LanePlan]:
    spec = ScenarioSpec(
        name="cold-start",
        group="lifecycle",
        tags=["smoke"],
        timeout_seconds=60,
        disrupts=[EDIT],
        uses=[TargetResource.API],
    )
    group = GroupPlan(name="g", parallel=False, max_concurrency=1, scenarios=[spec])
    return [LanePlan.model_validate({"target": stack_target, "groups": [group]})]


def test_a_second_run_waits_with_backoff_then_gives_up_naming_the_holder(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    lanes = _plan_on(target.run.target)
    store = SqliteLeases.in_state_dir(tmp_path)
    settings = LeasesConfig(wait_seconds=30, retry_seconds=5)
    first = target.run
    second = first.model_copy(update={"run_id": "second-run"})
    infra = lambda _member: target.infra  # noqa: E731 - one target

    held = acquire_leases(first, lanes, store, infra, settings, 600, T0, None)
    assert held.acquired and {c.mode for c in held.claims} == {
        LeaseMode.EXCLUSIVE,
        LeaseMode.SHARED,
    }

    waiting = acquire_leases(second, lanes, store, infra, settings, 600, T0, None)
    assert not waiting.acquired and not waiting.gave_up
    assert waiting.busy is not None and waiting.busy.run_id == first.run_id
    assert waiting.retry_in_seconds == 5
    again = acquire_leases(
        second, lanes, store, infra, settings, 600, T0 + timedelta(seconds=5), waiting
    )
    assert (again.attempts, again.retry_in_seconds, again.waited_seconds) == (2, 10, 5.0)
    late = acquire_leases(
        second, lanes, store, infra, settings, 600, T0 + timedelta(seconds=31), again
    )
    assert late.gave_up and late.busy is not None
    assert f"busy with run {first.run_id}" in late.busy.message


def test_release_puts_the_edit_service_back_as_the_run_found_it(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    assert target.infra.desired_count() == 0
    store = SqliteLeases.in_state_dir(tmp_path)
    infra = lambda _member: target.infra  # noqa: E731 - one target
    lanes = _plan_on(target.run.target)
    acquire_leases(target.run, lanes, store, infra, LeasesConfig(), 600, datetime.now(UTC), None)
    target.warm()  # the run's scenarios left the service up

    report = release_leases(target.run, store, infra, datetime.now(UTC))

    assert target.infra.desired_count() == 0
    assert [(r.target, r.desired_count) for r in report.restored] == [(target.run.target.name, 0)]
    assert report.released == 2 and report.problems == []
    key = lease_key(target.run.target, EDIT)
    assert store.holders(key) == {}


def test_leasing_starts_the_cold_starts_nothing_tests_at_once(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    warm_lane = _plan_on(target.run.target)[0]
    warm_group = warm_lane.groups[0].model_copy(update={"needs": ServiceState.WARM})
    lanes = [warm_lane.model_copy(update={"groups": [warm_group]})]
    store = SqliteLeases.in_state_dir(tmp_path)
    reads: list[int] = []

    class CountingReads:
        """The stack's real infra, counting the desired-count reads."""

        def __getattr__(self, name: str) -> object:
            return getattr(target.infra, name)

        def desired_count(self) -> int:
            reads.append(target.infra.desired_count())
            return reads[-1]

    infra = lambda _member: cast(TargetInfra, CountingReads())  # noqa: E731 - one target

    outcome = acquire_leases(target.run, lanes, store, infra, LeasesConfig(), 600, T0, None)

    assert outcome.acquired
    assert reads == [0]  # read once while leasing; warming uses what that read found
    assert target.infra.desired_count() == 1  # asked for, not waited for
    assert (
        store.holders(lease_key(target.run.target, EDIT))[target.run.run_id].found_desired_count
        == 0
    )


def test_a_service_another_run_still_uses_is_not_scaled_back_under_it(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    warm_lane = _plan_on(target.run.target)[0]
    reader = warm_lane.groups[0].scenarios[0].model_copy(update={"disrupts": [], "uses": [EDIT]})
    group = warm_lane.groups[0].model_copy(
        update={"needs": ServiceState.WARM, "scenarios": [reader]}
    )
    lanes = [warm_lane.model_copy(update={"groups": [group]})]
    store = SqliteLeases.in_state_dir(tmp_path)
    infra = lambda _member: target.infra  # noqa: E731 - one target
    first, second = target.run, target.run.model_copy(update={"run_id": "second-reader"})
    now = datetime.now(UTC)
    assert acquire_leases(first, lanes, store, infra, LeasesConfig(), 600, now, None).acquired
    assert acquire_leases(second, lanes, store, infra, LeasesConfig(), 600, now, None).acquired
    assert target.infra.desired_count() == 1  # warmed for both readers

    early = release_leases(first, store, infra, now)
    assert early.restored == [] and target.infra.desired_count() == 1  # the second still reads

    last = release_leases(second, store, infra, now)
    # The last one out puts back what *it* found: overlapping runs end as the later found it.
    assert last.restored == [] and target.infra.desired_count() == 1


def test_a_service_that_cannot_be_put_back_fails_the_release_and_frees_the_leases(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    store = SqliteLeases.in_state_dir(tmp_path)
    lanes = _plan_on(target.run.target)
    infra = lambda _member: target.infra  # noqa: E731 - one target
    acquire_leases(target.run, lanes, store, infra, LeasesConfig(), 600, datetime.now(UTC), None)
    target.warm()

    class Denied:
        def desired_count(self) -> int:
            return target.infra.desired_count()

        def set_desired_count(self, count: int) -> None:
            raise ConnectionError("UpdateService denied")

    report = release_leases(target.run, store, lambda _m: Denied(), datetime.now(UTC))  # type: ignore[arg-type,return-value]

    assert report.restored == [] and report.released == 2
    assert report.restore_failed is not None
    assert "was not put back as the run found it" in report.restore_failed
    assert "UpdateService denied" in report.restore_failed
    assert store.holders(lease_key(target.run.target, EDIT)) == {}  # released regardless
