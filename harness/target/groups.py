"""Group setup: check the target answers, and bring its edit service to the state the
group's scenarios need (cold: scaled to zero; warm: a container running).

There is no per-group teardown: the next group's setup takes the service from wherever the
last one left it, so only a scenario that tests a cold start pays one, and the run puts the
service back as it found it when it releases its leases (``harness.target.leases``).
Setup also records the count it found with the run in flight (the first group's wins), so a
run that dies can still be put back by recovery (``harness.recovery``), which restores the
run's own target: only a group on that target records it (``records_for_recovery``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from harness.errors import TargetRequestError, TargetUnavailableError
from harness.ports import RunsInFlight, TargetApi, TargetInfra
from harness.target.leases import lease_key
from harness.wire import GroupSetup, ResolvedTarget, RunContext, ServiceState, TargetResource

POLL_SECONDS = 0.1


def setup_group(
    api: TargetApi,
    infra: TargetInfra,
    needs: ServiceState,
    *,
    warm_timeout: float,
    cold_timeout: float,
    run: RunContext | None = None,
    in_flight: RunsInFlight | None = None,
) -> GroupSetup:
    try:
        answer = api.health()
    except TargetRequestError as err:
        raise TargetUnavailableError(f"target health check failed: {err}") from err
    if answer.status != 200:
        raise TargetUnavailableError(f"target /health answered {answer.status}, expected 200")
    before = infra.desired_count()
    if run is not None and in_flight is not None:
        in_flight.remember_desired_count(run, before)  # durable before anything changes it
    started = time.monotonic()
    if needs is ServiceState.COLD:
        if before != 0:
            infra.set_desired_count(0)
        _wait("scaled to zero", lambda: not infra.running_task_ids(), cold_timeout)
    elif needs is ServiceState.WARM:
        if before < 1:
            infra.set_desired_count(1)
        _wait("a running edit container", lambda: bool(infra.running_task_ids()), warm_timeout)
    return GroupSetup(
        needs=needs,
        desired_count_before=before,
        desired_count=infra.desired_count(),
        waited_seconds=round(time.monotonic() - started, 3),
    )


def records_for_recovery(run: RunContext, target: ResolvedTarget) -> bool:
    """Whether a group on ``target`` records the count for recovery: only on the run's own
    target's edit service (another pool member's count must not be put back there)."""
    service = TargetResource.EDIT_SERVICE
    return lease_key(target, service) == lease_key(run.target, service)


def _wait(what: str, reached: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not reached():
        if time.monotonic() >= deadline:
            raise TargetUnavailableError(
                f"the edit service did not reach {what} within {timeout:g}s"
            )
        time.sleep(POLL_SECONDS)
