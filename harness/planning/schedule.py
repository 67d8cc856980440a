"""Lay scenarios out on a pool of equivalent targets: lanes (one per pool member) that run
at the same time, each a sequence of groups; a group's scenarios run together after one setup.

The one hard rule: two scenarios conflict when one disrupts a resource the other uses or
disrupts (or both belong to a ``[groups.X] parallel = false`` group), and conflicting
scenarios never share a group. Groups of one lane run one after another and lanes run on
different targets, so conflicting scenarios never run at the same time on the same target.

Within that rule the layout is list scheduling, longest first (LPT): each scenario goes where
the plan ends the earliest, preferring the placement that adds the least work (joining a
compatible group whose longest member outlasts it adds none), then the least-loaded target.
Then each lane puts first what needs a cold service (its cold start then warms the lane) and
last what leaves it cold.
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
        left = {job.leaves for job in self.jobs} - {ServiceState.ANY}
        return ServiceState.COLD if ServiceState.COLD in left else ServiceState.ANY

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

    def seconds_with(self, job: Job) -> float:
        concurrency = min(self.concurrency, job.max_concurrency)
        return makespan([member.seconds for member in self.jobs] + [job.seconds], concurrency)


@dataclass
class Lane:
    index: int
    groups: list[Group] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(group.seconds for group in self.groups)


@dataclass(frozen=True)
class Placement:
    """Where a job went and why (for ``harness plan``)."""

    lane: int
    lane_seconds_before: float
    joined: list[str]  # the jobs already in the group it joined (empty: a group of its own)


@dataclass
class Schedule:
    lanes: list[Lane]
    placements: dict[str, Placement]

    @property
    def seconds(self) -> float:
        """The critical path: the lane that ends last."""
        return max((lane.seconds for lane in self.lanes), default=0.0)

    @property
    def critical_lane(self) -> Lane | None:
        return max(self.lanes, key=lambda lane: lane.seconds, default=None)


def schedule(jobs: Sequence[Job], lanes: int) -> Schedule:
    """Place ``jobs`` on up to ``lanes`` lanes; empty lanes are dropped."""
    pool = [Lane(index) for index in range(max(1, lanes))]
    placements: dict[str, Placement] = {}
    order = sorted(range(len(jobs)), key=lambda i: (-jobs[i].seconds, i))
    for job in (jobs[i] for i in order):
        now = max(lane.seconds for lane in pool)
        best: tuple[float, float, int, float, int] | None = None
        choice: tuple[Lane, Group | None] | None = None
        for lane in pool:
            options: list[tuple[Group | None, float]] = [
                (group, lane.seconds - group.seconds + group.seconds_with(job))
                for group in lane.groups
                if group.accepts(job)
            ]
            options.append((None, lane.seconds + job.seconds))
            for group, ends in options:
                # The plan's end first, then the least added work (a free ride in a group
                # beats a target of its own), then joining, then the earlier lane end.
                key = (
                    round(max(now, ends), 6),  # rounded: float noise must not pick a lane
                    round(ends - lane.seconds, 6),
                    1 if group is None else 0,
                    round(ends, 6),
                    lane.index,
                )
                if best is None or key < best:
                    best, choice = key, (lane, group)
        assert choice is not None
        lane, joined = choice
        placements[job.name] = Placement(
            lane=lane.index,
            lane_seconds_before=lane.seconds,
            joined=[member.name for member in joined.jobs] if joined else [],
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
    """Cold-needing groups first (their cold start is the one the lane pays), groups that
    leave the service cold last, longer groups earlier within each."""
    return (
        0 if group.needs is ServiceState.COLD else 1,
        1 if group.leaves is ServiceState.COLD else 0,
        -group.seconds,
    )


def lower_bound(jobs: Sequence[Job], lanes: int) -> float:
    """No plan on ``lanes`` targets can end sooner: the longest scenario, or the work of the
    scenarios that disrupt the edit service (each needs a target alone) spread evenly."""
    alone = sum(job.seconds for job in jobs if TargetResource.EDIT_SERVICE in job.disrupts)
    longest = max((job.seconds for job in jobs), default=0.0)
    return max(longest, alone / max(1, lanes))
