"""Leases on targets: what a run must claim, who blocks whom, and the AcquireLeases /
ReleaseLeases steps built on them.

A run claims every resource its plan touches on each pool member: exclusively what one of
its scenarios disrupts, shared what they only use (a readers-writer lock, like CTest's
``RESOURCE_LOCK``). A claim waits while another run holds the resource in a conflicting mode
and its lease has not expired; expired leases are reaped by whoever looks next. The stores
(``local/sqlite_leases.py``, ``aws/dynamodb_leases.py``) only keep the records. Acquiring
waits with backoff while another run holds a target and gives up after the configured wait;
releasing puts each edit service back to the desiredCount the run found, then drops the
leases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from harness.config import LeasesConfig
from harness.ports import LeaseStore, TargetInfra
from harness.wire import (
    BusyTarget,
    Holder,
    LanePlan,
    LeaseClaim,
    LeaseMode,
    LeaseOutcome,
    ReleaseReport,
    ResolvedTarget,
    Restored,
    RunContext,
    ServiceState,
    TargetResource,
)


def lease_key(target: ResolvedTarget, resource: TargetResource) -> str:
    """The physical identity of a resource: two configs that name the same ECS service (or
    table, or endpoint) under different target names still contend for it."""
    aws = target.aws_endpoint_url or "aws"
    if resource is TargetResource.EDIT_SERVICE:
        return f"ecs|{aws}|{target.region}|{target.ecs_cluster}/{target.ecs_service}"
    if resource is TargetResource.SESSIONS_TABLE:
        return f"dynamodb|{aws}|{target.region}|{target.sessions_table}"
    return f"{resource}|{target.endpoint.rstrip('/')}"


def claims_for(lanes: Iterable[LanePlan]) -> list[LeaseClaim]:
    """What a plan needs: per pool member and resource, exclusive if any of its scenarios
    there disrupts it, else shared. Sorted by key, so concurrent runs claim in one order.
    The edit service's desiredCount is remembered wherever the run may change it (a
    disruptive scenario, or a group setup that scales it), to put it back at the end."""
    wanted: dict[str, LeaseClaim] = {}
    for lane in lanes:
        scales = any(group.needs is not ServiceState.ANY for group in lane.groups)
        for group in lane.groups:
            for spec in group.scenarios:
                for resource in (*spec.disrupts, *spec.uses):
                    exclusive = resource in spec.disrupts
                    key = lease_key(lane.target, resource)
                    previous = wanted.get(key)
                    if previous is not None and previous.mode is LeaseMode.EXCLUSIVE:
                        continue
                    wanted[key] = LeaseClaim(
                        key=key,
                        target=lane.target.name,
                        resource=resource,
                        mode=LeaseMode.EXCLUSIVE if exclusive else LeaseMode.SHARED,
                        record_desired_count=(exclusive or scales)
                        and resource is TargetResource.EDIT_SERVICE,
                    )
    return [wanted[key] for key in sorted(wanted)]


def live_holders(holders: Mapping[str, Holder], now: datetime) -> dict[str, Holder]:
    """The holders whose lease has not expired (the rest are reaped)."""
    return {run_id: holder for run_id, holder in holders.items() if holder.expires_at > now}


def blocker(holders: Mapping[str, Holder], claim: LeaseClaim, run_id: str) -> Holder | None:
    """The live holder that keeps ``run_id`` from taking ``claim`` (None: it may)."""
    for other, holder in sorted(holders.items(), key=lambda item: item[1].since):
        if other == run_id:
            continue
        if LeaseMode.EXCLUSIVE in (claim.mode, holder.mode):
            return holder
    return None


def busy(claim: LeaseClaim, holder: Holder) -> BusyTarget:
    """The message a waiting (or giving-up) run shows."""
    return BusyTarget(
        target=claim.target,
        resource=claim.resource,
        run_id=holder.run_id,
        since=holder.since,
        until=holder.expires_at,
        message=(
            f"target {claim.target} is busy with run {holder.run_id} since "
            f"{holder.since:%Y-%m-%d %H:%M:%S}Z ({claim.resource} held {holder.mode.value}; "
            f"its lease expires {holder.expires_at:%H:%M:%S}Z)"
        ),
    )


MAX_RETRY_SECONDS = 30


def acquire_leases(
    run: RunContext,
    lanes: Sequence[LanePlan],
    store: LeaseStore,
    infra_for: Callable[[ResolvedTarget], TargetInfra],
    settings: LeasesConfig,
    ttl_seconds: float,
    now: datetime,
    previous: LeaseOutcome | None,
) -> LeaseOutcome:
    """One attempt: every claim of the plan, or none and how long to wait before the next."""
    claims = claims_for(lanes)
    members = {member.name: member for member in run.members}
    for lane in lanes:
        members[lane.target.name] = lane.target
    first = previous.first_tried_at if previous is not None else now
    attempts = previous.attempts + 1 if previous is not None else 1
    found: dict[str, int] = {}  # desired count per target, read while claiming

    def desired_count(claim: LeaseClaim) -> int:
        if claim.target not in found:
            found[claim.target] = infra_for(members[claim.target]).desired_count()
        return found[claim.target]

    blocked = store.acquire(claims, run.run_id, now, ttl_seconds, found=desired_count)
    waited = max(0.0, (now - first).total_seconds())
    if blocked is None:
        start_warming(lanes, infra_for, found)
        return LeaseOutcome(
            acquired=True,
            first_tried_at=first,
            waited_seconds=round(waited, 1),
            wait_limit_seconds=settings.wait_seconds,
            attempts=attempts,
            claims=claims,
        )
    left = settings.wait_seconds - waited
    return LeaseOutcome(
        acquired=False,
        gave_up=left <= 0,
        first_tried_at=first,
        waited_seconds=round(waited, 1),
        wait_limit_seconds=settings.wait_seconds,
        retry_in_seconds=max(
            1, int(min(settings.retry_seconds * attempts, MAX_RETRY_SECONDS, left))
        ),
        attempts=attempts,
        busy=blocked,
        claims=claims,
    )


def start_warming(
    lanes: Sequence[LanePlan],
    infra_for: Callable[[ResolvedTarget], TargetInfra],
    found: Mapping[str, int] | None = None,
) -> list[str]:
    """Ask for an edit container on every leased target whose first group needs one, without
    waiting: those cold starts (which nothing tests) then overlap the run's own start-up
    instead of each lane's first setup. Best effort: the group setup still makes sure.
    ``found``: desired counts just read while leasing, by target name (not read again)."""
    warming = []
    for lane in lanes:
        if lane.groups[0].needs is not ServiceState.WARM:
            continue
        try:
            infra = infra_for(lane.target)
            count = (found or {}).get(lane.target.name)
            if (infra.desired_count() if count is None else count) < 1:
                infra.set_desired_count(1)
                warming.append(lane.target.name)
        except Exception:  # noqa: BLE001 - an optimisation; SetupGroup reports problems
            continue
    return warming


def run_lease_keys(run: RunContext) -> list[str]:
    """Every lease a run may hold: each resource of each pool member."""
    return [lease_key(member, resource) for member in run.members for resource in TargetResource]


def release_leases(
    run: RunContext,
    store: LeaseStore,
    infra_for: Callable[[ResolvedTarget], TargetInfra],
    now: datetime,
) -> ReleaseReport:
    """Restore, then release: every resource of every pool member the run may have claimed
    (releasing what it did not hold is a no-op, so this also works after a partial run).
    An edit service another run is still using is left as it is: that run puts it back."""
    members = {member.name: member for member in run.members}
    restored: list[Restored] = []
    problems: list[str] = []
    keys = run_lease_keys(run)
    found: dict[str, int] = {}
    for key in keys:
        holders = store.holders(key)
        holder = holders.pop(run.run_id, None)
        if holder is None or holder.found_desired_count is None:
            continue
        if live_holders(holders, now):
            continue
        found[holder.target] = holder.found_desired_count
    for name, count in sorted(found.items()):
        if name not in members:
            continue
        try:
            infra = infra_for(members[name])
            if infra.desired_count() != count:
                infra.set_desired_count(count)
                restored.append(Restored(target=name, desired_count=count))
        except Exception as err:  # noqa: BLE001 - the leases must be released regardless
            problems.append(f"{name}: could not restore desiredCount {count}: {err}")
    released = store.release(run.run_id, keys)
    failed = None
    if problems:
        failed = "the edit service was not put back as the run found it: " + "; ".join(problems)
    return ReleaseReport(
        released=len(released), restored=restored, problems=problems, restore_failed=failed
    )
