"""Say why a plan is what it is (``harness plan``): per scenario, where it runs, how long it is
expected to take and why it sits there; then the critical path and what the pool allows."""

from __future__ import annotations

from harness.planning.plan import Layout
from harness.planning.schedule import Group, Job
from harness.wire import ServiceState


def explain(layout: Layout) -> str:
    plan, laid_out = layout.plan, layout.schedule
    critical = laid_out.critical_lane
    rows = [["LANE", "#", "SCENARIO", "EXPECTED", "WHY"]]
    for lane_plan, lane in zip(plan.lanes, laid_out.lanes, strict=True):
        name = lane_plan.target.name
        shown = f"{'*' if lane is critical else ' '}{name}"
        for number, group in enumerate(lane.groups, start=1):
            for job in group.jobs:
                why = "; ".join(_why(layout, name, group, job))
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
        path = " -> ".join(
            "+".join(job.name for job in group.jobs) + f" {group.seconds:.1f}s"
            for group in critical.groups
        )
        lines.append("")
        lines.append(
            f"Expected wall time {plan.expected_seconds:.1f}s; critical path (*) on "
            f"{plan.lanes[laid_out.lanes.index(critical)].target.name}: {path}"
        )
    lines.append(
        f"One after another it would take {sequential:.1f}s; no plan on "
        f"{len(plan.lanes)} target(s) can beat {layout.lower_bound:.1f}s (the longest "
        "scenario, or the edit-service disruptors spread evenly)."
    )
    return "\n".join(lines)


def _why(layout: Layout, member: str, group: Group, job: Job) -> list[str]:
    reasons = [layout.estimates[job.name].describe()]
    others = [other.name for other in group.jobs if other is not job]
    if job.disrupts and not others:
        reasons.append(f"disrupts {', '.join(sorted(job.disrupts))}: runs alone")
    elif others:
        reasons.append(f"runs alongside {', '.join(others)} (none disrupts what another uses)")
    placement = layout.schedule.placements[job.name]
    if placement.joined:
        reasons.append(f"joined {', '.join(placement.joined)} (cheaper than a group of its own)")
    else:
        reasons.append(
            f"longest first, to the least-loaded target ({member} had "
            f"{placement.lane_seconds_before:.1f}s planned)"
        )
    if group.needs is ServiceState.COLD:
        reasons.append("needs a cold service: first on its lane (its cold start warms the rest)")
    if job.leaves is ServiceState.COLD:
        reasons.append("leaves the service at zero: last on its lane")
    return reasons
