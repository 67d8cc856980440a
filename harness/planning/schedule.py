"""Lay scenarios out on a pool of equivalent targets: lanes (one per pool member) that run
at the same time, each a sequence of groups; a group's scenarios run together after one setup.

The one hard rule: two scenarios conflict when one disrupts a resource the other uses or
disrupts (or both belong to a ``[groups.X] parallel = false`` group), and conflicting
scenarios never share a group. Groups of one lane run one after another and lanes run on
different targets, so conflicting scenarios never run at the same time on the same target.

Lanes start with the edit service cold (the stack under test scales to zero when idle), and
a group that needs it warm while it is cold waits for one cold start in its setup: a warm-up,
which no scenario time counts but the lane's time does. A group that leaves the service warm
(``cold-start``, ``failure-recovery``, ...) spares the groups after it that warm-up; one that
leaves it cold (``routing-at-zero``) makes the next warm group pay again.

Within the one rule the layout is list scheduling, longest first (LPT): each scenario goes
where the plan ends the earliest (warm-ups counted), preferring the placement that adds the
least scenario time (joining a compatible group whose longest member outlasts it adds none),
then the lane that ends the earliest with it: a warm group goes after one that leaves the
service warm when that ends sooner than a cold target paying a warm-up first. Each lane runs
its groups in the order that pays the fewest warm-ups (``_lane_order``): what needs a cold
service first (its cold start then warms the lane), what leaves it cold last.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.wire import ServiceState, TargetResource


@dataclass(frozen=True)
class Job:
    """A scenario as the scheduler sees it."""

    name: str
    seconds: float
    disrupts: frozenset[TargetResource]
    uses: frozenset[TargetResource]
    needs: ServiceState = ServiceState.ANY
    leaves: ServiceState = ServiceState.ANY
    label: str = ""  # the catalogue group
    label_exclusive: bool = False  # [groups.<label>] parallel = false
    max_concurrency: int = 5  # [groups.<label>] max_concurrency

    @property
    def touches(self) -> frozenset[TargetResource]:
        return self.disrupts | self.uses


def conflict(a: Job, b: Job) -> str | None:
    """Why ``a`` and ``b`` must not run at the same time on one target (None: they may)."""
    for first, second in ((a, b), (b, a)):
        shared = first.disrupts & second.touches
        if shared:
            resources = ", ".join(sorted(shared))
            return f"{first.name} disrupts {resources}, which {second.name} uses"
    if a.label and a.label == b.label and (a.label_exclusive or b.label_exclusive):
        return f"group '{a.label}' runs its scenarios one at a time (parallel = false)"
    return None


def makespan(seconds: Sequence[float], slots: int) -> float:
    """How long ``seconds`` take on ``slots`` workers taking them longest first (what a Map
    with MaxConcurrency does with items sorted that way)."""
    loads = [0.0] * max(1, min(slots, len(seconds)))
    for value in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + value)
    return max(loads) if seconds else 0.0


@dataclass
class Group:
    jobs: list[Job] = field(default_factory=list)

    @property
    def needs(self) -> ServiceState:
        wanted = {job.needs for job in self.jobs} - {ServiceState.ANY}
        return wanted.pop() if wanted else ServiceState.ANY

    @property
    def leaves(self) -> ServiceState:
        """Cold if any member may leave the service at zero, else warm if one leaves it
        running; ANY: as the setup left it."""
        left = {job.leaves for job in self.jobs}
        for state in (ServiceState.COLD, ServiceState.WARM):
            if state in left:
                return state
        return ServiceState.ANY

    def after(self, before: ServiceState) -> ServiceState:
        """The edit service's state once this group ran, from the state it found."""
        return _after(self.needs, self.leaves, before)

    @property
    def concurrency(self) -> int:
        return min((job.max_concurrency for job in self.jobs), default=1)

    @property
    def seconds(self) -> float:
        return makespan([job.seconds for job in self.jobs], self.concurrency)

    def accepts(self, job: Job) -> bool:
        if any(conflict(job, member) for member in self.jobs):
            return False
        return ServiceState.ANY in (job.needs, self.needs) or job.needs == self.needs


def warm_ups(groups: Sequence[Group], start: ServiceState = ServiceState.COLD) -> list[bool]:
    """Which of ``groups`` (in the order they run on one target that starts in ``start``)
    wait for a cold start in their setup: they need the service warm and find it cold."""
    state, paid = start, []
    for group in groups:
        needs = group.needs
        paid.append(needs is ServiceState.WARM and state is not ServiceState.WARM)
        state = _after(needs, group.leaves, state)
    return paid


def _after(needs: ServiceState, leaves: ServiceState, before: ServiceState) -> ServiceState:
    """A group's setup brings the service to what it needs; its scenarios leave it so, or
    as they declare."""
    if leaves is not ServiceState.ANY:
        return leaves
    return before if needs is ServiceState.ANY else needs


def lane_seconds(
    groups: Sequence[Group], warm_up: float, start: ServiceState = ServiceState.COLD
) -> float:
    """How long ``groups`` take on one target, in the order that lane runs them, warm-ups
    of ``warm_up`` seconds each included."""
    keyed = sorted(((_lane_order(group), group) for group in groups), key=lambda pair: pair[0])
    work = -sum(key[-1] for key, _ in keyed)  # the key ends with -group.seconds
    return work + warm_up * sum(warm_ups([group for _, group in keyed], start))


@dataclass
class Lane:
    index: int
    groups: list[Group] = field(default_factory=list)
    warm_up: float = 0.0  # the cold start a warm group waits for on a cold service
    start: ServiceState = ServiceState.COLD  # the edit service's state when the lane starts

    @property
    def seconds(self) -> float:
        return lane_seconds(self.groups, self.warm_up, self.start)

    @property
    def warm_ups(self) -> list[bool]:
        """Per group, in the lane's order: whether its setup waits for a warm-up."""
        return warm_ups(self.groups, self.start)

    @property
    def warm_up_seconds(self) -> float:
        return self.warm_up * sum(self.warm_ups)

    def with_job(self, job: Job, group: Group | None) -> tuple[float, float]:
        """The lane's time with ``job`` added to ``group`` (None: in a group of its own), and
        the scenario time that adds (warm-ups left out)."""
        grown = Group([*group.jobs, job]) if group is not None else Group([job])
        changed = [grown if member is group else member for member in self.groups]
        grouped = changed if group is not None else [*changed, grown]
        work = grown.seconds - (group.seconds if group is not None else 0.0)
        return lane_seconds(grouped, self.warm_up, self.start), work


@dataclass(frozen=True)
class Placement:
    """Where a job went and why (for ``harness plan``)."""

    lane: int
    lane_seconds_before: float
    joined: list[str]  # the jobs already in the group it joined (empty: a group of its own)
    added_seconds: float = 0.0  # how much longer its lane got (warm-ups paid or saved count)
    least_loaded: bool = True  # its lane was (one of) the least loaded then


@dataclass
class Schedule:
    lanes: list[Lane]
    placements: dict[str, Placement]

    @property
    def seconds(self) -> float:
        """The critical path: the lane that ends last (its warm-ups included)."""
        return max((lane.seconds for lane in self.lanes), default=0.0)

    @property
    def most_at_once(self) -> int:
        """The most scenarios it runs at the same time: lanes run together, a lane's groups
        one after another, a group's scenarios up to its concurrency at once."""
        return sum(
            max(min(group.concurrency, len(group.jobs)) for group in lane.groups)
            for lane in self.lanes
        )

    @property
    def critical_lane(self) -> Lane | None:
        return max(self.lanes, key=lambda lane: lane.seconds, default=None)


def schedule(
    jobs: Sequence[Job],
    lanes: int,
    warm_up: float = 0.0,
    start: ServiceState = ServiceState.COLD,
) -> Schedule:
    """Place ``jobs`` on up to ``lanes`` lanes, each starting with the edit service in
    ``start`` and paying ``warm_up`` seconds before a group that needs it warm while it is
    cold; empty lanes are dropped."""
    pool = [Lane(index, warm_up=warm_up, start=start) for index in range(max(1, lanes))]
    placements: dict[str, Placement] = {}
    order = sorted(range(len(jobs)), key=lambda i: (-jobs[i].seconds, i))
    for job in (jobs[i] for i in order):
        ends_now = [lane.seconds for lane in pool]
        best: tuple[float, float, int, float, int] | None = None
        choice: tuple[Lane, Group | None, float] | None = None
        for lane, before in zip(pool, ends_now, strict=True):
            # Where the rest of the plan ends (a lane can end sooner with a job added: a
            # cold-start placed before its warm groups spares them their warm-up).
            others = max((end for i, end in enumerate(ends_now) if i != lane.index), default=0.0)
            options: list[Group | None] = [g for g in lane.groups if g.accepts(job)]
            options.append(None)
            for group in options:
                ends, work = lane.with_job(job, group)
                # The plan's end first, then the least added scenario time (a free ride in a
                # group beats a target of its own), then joining, then the earlier lane end
                # (warm-ups counted: after a group that leaves the service warm, when that
                # ends sooner than a cold target that pays a warm-up first).
                key = (
                    round(max(others, ends), 6),  # rounded: float noise must not pick a lane
                    round(work, 6),
                    1 if group is None else 0,
                    round(ends, 6),
                    lane.index,
                )
                if best is None or key < best:
                    best, choice = key, (lane, group, ends - before)
        assert choice is not None
        lane, joined, added = choice
        before = ends_now[lane.index]
        placements[job.name] = Placement(
            lane=lane.index,
            lane_seconds_before=before,
            joined=[member.name for member in joined.jobs] if joined else [],
            added_seconds=added,
            least_loaded=before <= min(ends_now) + 1e-6,
        )
        if joined is None:
            joined = Group()
            lane.groups.append(joined)
        joined.jobs.append(job)
    for lane in pool:
        lane.groups.sort(key=_lane_order)
        for group in lane.groups:
            group.jobs.sort(key=lambda job: -job.seconds)  # longest first inside the Map too
    used = [lane for lane in pool if lane.groups]
    return Schedule(lanes=used, placements=placements)


def _lane_order(group: Group) -> tuple[int, int, float]:
    """The order that pays the fewest warm-ups: cold-needing groups first (the lane starts
    cold; of them, those that leave it cold before those that leave it warm), then the rest
    (one that warms the service without needing it warm first), and last what leaves it cold
    (a warm-needing one before one that does not care). Longer groups earlier within each:
    that order changes no warm-up."""
    needs, leaves = group.needs, group.leaves
    if needs is ServiceState.COLD:
        rank = (0, {ServiceState.COLD: 0, ServiceState.ANY: 1, ServiceState.WARM: 2}[leaves])
    elif leaves is ServiceState.COLD:
        rank = (2, 0 if needs is ServiceState.WARM else 1)
    else:
        rank = (1, 0 if needs is ServiceState.ANY and leaves is ServiceState.WARM else 1)
    return (*rank, -group.seconds)


def lower_bound(
    jobs: Sequence[Job],
    lanes: int,
    warm_up: float = 0.0,
    start: ServiceState = ServiceState.COLD,
) -> float:
    """No plan on ``lanes`` targets can end sooner: the longest scenario, or the work of the
    scenarios that disrupt the edit service (each needs a target alone) spread evenly, or (on
    lanes that start cold) the longest warm-needing scenario plus what warming its target
    costs at the least: a warm-up, or a scenario that leaves the service warm without
    needing it warm (``cold-start``) run before it."""
    alone = sum(job.seconds for job in jobs if TargetResource.EDIT_SERVICE in job.disrupts)
    longest = max((job.seconds for job in jobs), default=0.0)
    warmed = 0.0
    if start is not ServiceState.WARM:
        for job in jobs:
            if job.needs is not ServiceState.WARM:
                continue
            warmers = [
                other.seconds
                for other in jobs
                if other is not job
                and other.needs is not ServiceState.WARM
                and other.leaves is ServiceState.WARM
            ]
            warmed = max(warmed, job.seconds + min([warm_up, *warmers]))
    return max(longest, alone / max(1, lanes), warmed)
