"""Say why a plan is what it is (``harness plan``): per scenario, where it runs, how long it is
expected to take and why it sits there; the warm-ups each lane pays (a group that needs the
edit service warm and finds it cold waits for a cold start); then the critical path and what
the pool allows."""

from __future__ import annotations

from harness.planning.plan import Layout
from harness.planning.schedule import Group, Job, Lane
from harness.wire import ServiceState

WARM_UP_ROW = "(warm-up)"


def explain(layout: Layout) -> str:
    plan, laid_out = layout.plan, layout.schedule
    critical = laid_out.critical_lane
    rows = [["LANE", "#", "SCENARIO", "EXPECTED", "WHY"]]
    for lane_plan, lane in zip(plan.lanes, laid_out.lanes, strict=True):
        name = lane_plan.target.name
        shown = f"{'*' if lane is critical else ' '}{name}"
        for number, (group, pays) in enumerate(zip(lane.groups, lane.warm_ups, strict=True), 1):
            if pays:
                why = _why_warm_up(lane, number - 1)
                rows.append([shown, str(number), WARM_UP_ROW, f"{lane.warm_up:.1f}s", why])
                shown = ""
            for job in group.jobs:
                why = "; ".join(_why(layout, lane, number - 1, job))
                rows.append([shown, str(number), job.name, f"{job.seconds:.1f}s", why])
                shown = ""
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    ]
    sequential = sum(job.seconds for job in layout.jobs)
    if critical is not None:
        steps = []
        for group, pays in zip(critical.groups, critical.warm_ups, strict=True):
            if pays:
                steps.append(f"warm-up {critical.warm_up:.1f}s")
            steps.append("+".join(job.name for job in group.jobs) + f" {group.seconds:.1f}s")
        lines.append("")
        lines.append(
            f"Expected wall time {plan.expected_seconds:.1f}s; critical path (*) on "
            f"{plan.lanes[laid_out.lanes.index(critical)].target.name}: {' -> '.join(steps)}"
        )
    paid = sum(sum(lane.warm_ups) for lane in laid_out.lanes)
    lines.append(
        f"Warm-ups paid: {paid}, {layout.warm_up.seconds:.1f}s each ({_warm_up_source(layout)}); "
        "every target starts with its edit service cold."
    )
    lines.append(
        f"One after another it would take {sequential:.1f}s (scenarios only); no plan on "
        f"{len(plan.lanes)} target(s) can beat {layout.lower_bound:.1f}s (the longest "
        "scenario, the edit-service disruptors spread evenly, or the longest warm-needing "
        "scenario after the cheapest way to warm its target)."
    )
    return "\n".join(lines)


def _warm_up_source(layout: Layout) -> str:
    estimate = layout.warm_up
    if estimate.source == "history":
        return f"p50 of {estimate.runs} cold_start_seconds measurement(s) in recent runs"
    return (
        "no recent run measured a cold start: [planning] warm_up_estimate_seconds (unset: a "
        "bundled target's own cold_start_seconds, else the cold-start SLA)"
    )


def _why_warm_up(lane: Lane, index: int) -> str:
    if index == 0:
        return "the target starts cold: this setup waits for a cold start"
    before = lane.groups[index - 1]
    return (
        f"{'+'.join(job.name for job in before.jobs)} left the service at zero: this setup "
        "waits for a cold start"
    )


def _why(layout: Layout, lane: Lane, index: int, job: Job) -> list[str]:
    group = lane.groups[index]
    member = layout.plan.lanes[layout.schedule.lanes.index(lane)].target.name
    reasons = [layout.estimates[job.name].describe()]
    others = [other.name for other in group.jobs if other is not job]
    if job.disrupts and not others:
        reasons.append(f"disrupts {', '.join(sorted(job.disrupts))}: runs alone")
    elif others:
        reasons.append(f"runs alongside {', '.join(others)} (none disrupts what another uses)")
    placement = layout.schedule.placements[job.name]
    if placement.joined:
        reasons.append(f"joined {', '.join(placement.joined)} (cheaper than a group of its own)")
    elif placement.added_seconds < job.seconds - 0.05:
        added = placement.added_seconds
        change = f"adds only {added:.1f}s" if added >= 0 else f"saves {-added:.1f}s"
        reasons.append(
            f"longest first, to {member} ({placement.lane_seconds_before:.1f}s planned): it "
            f"{change} there, as it spares a group a warm-up"
        )
    elif placement.least_loaded:
        reasons.append(
            f"longest first, to the least-loaded target ({member} had "
            f"{placement.lane_seconds_before:.1f}s planned)"
        )
    else:
        reasons.append(
            f"longest first, to {member} ({placement.lane_seconds_before:.1f}s planned): it "
            f"adds {placement.added_seconds:.1f}s there, less than on a cold target, where a "
            "warm-up comes with it"
        )
    if group.needs is ServiceState.COLD:
        reasons.append("needs a cold service: first on its lane (its cold start warms the rest)")
    elif group.needs is ServiceState.WARM and not lane.warm_ups[index]:
        warmer = _warmed_by(lane.groups[:index])
        reasons.append(f"needs a warm service: {warmer} left it warm (no warm-up)")
    if job.leaves is ServiceState.COLD:
        reasons.append("leaves the service at zero: last on its lane")
    return reasons


def _warmed_by(before: list[Group]) -> str:
    """The latest group that left the service warm (or warmed it in its setup)."""
    state, warmer = ServiceState.COLD, ""
    for group in before:
        after = group.after(state)
        if after is ServiceState.WARM and state is not ServiceState.WARM:
            warmer = "+".join(job.name for job in group.jobs)
        state = after
    return warmer or "an earlier group"
