"""Group setup and teardown: check the target is up, and put the edit service back as the
group found it (scenarios scale it to zero and back). Setup also records the count with the run
in flight (the first group's wins), so a run that dies can still be put back by recovery."""

from __future__ import annotations

from harness.errors import TargetRequestError, TargetUnavailableError
from harness.ports import RunsInFlight, TargetApi, TargetInfra
from harness.wire import GroupSetup, GroupTeardown, RunContext


def setup_group(
    api: TargetApi, infra: TargetInfra, run: RunContext, in_flight: RunsInFlight
) -> GroupSetup:
    try:
        answer = api.health()
    except TargetRequestError as err:
        raise TargetUnavailableError(f"target health check failed: {err}") from err
    if answer.status != 200:
        raise TargetUnavailableError(f"target /health answered {answer.status}, expected 200")
    count = infra.desired_count()
    in_flight.remember_desired_count(run, count)  # durable before any scenario changes it
    return GroupSetup(original_desired_count=count)


def teardown_group(setup: GroupSetup | None, infra: TargetInfra) -> GroupTeardown:
    if setup is None:
        return GroupTeardown(restored_desired_count=None)
    if infra.desired_count() == setup.original_desired_count:
        return GroupTeardown(restored_desired_count=None)
    infra.set_desired_count(setup.original_desired_count)
    return GroupTeardown(restored_desired_count=setup.original_desired_count)
