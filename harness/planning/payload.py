"""Step Functions caps an execution's input and every state at 256 KB; a run that outgrows it
dies mid-run with ``States.DataLimitExceeded`` and leaves no record. Plan checks its own plan
against the cap up front, so a plan too large is refused at once, naming the fix."""

from __future__ import annotations

import json

from harness.errors import InvalidRunRequestError
from harness.wire import RunPlan

STATE_LIMIT_BYTES = 256 * 1024
HEADROOM = 0.9  # what the steps after RunGroups add, and estimation error
# A ScenarioOutcome at its largest: a reason of OUTCOME_REASON_LENGTH characters, a long name.
MAX_OUTCOME_BYTES = 320


def _size(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def peak_state_bytes(plan: RunPlan) -> int:
    """The largest state the run can reach: after RunLanes, the plan plus every lane's
    outcome as LaneDone and GroupDone leave it (names, outcomes, what failed; the specs are
    not repeated), each scenario's outcome at its largest."""
    trimmed = [
        {
            "lane": {"target": {"name": lane.target.name}},
            "groupResults": [
                {
                    "group": {"name": group.name, "scenarios": [s.name for s in group.scenarios]},
                    "results": [],
                    "setupError": None,
                    "runError": None,
                }
                for group in lane.groups
            ],
        }
        for lane in plan.lanes
    ]
    outcomes = len(plan.scenarios) * MAX_OUTCOME_BYTES
    return _size(plan.to_wire()) + _size(trimmed) + outcomes


def check_state_budget(plan: RunPlan) -> None:
    peak = peak_state_bytes(plan)
    if peak > STATE_LIMIT_BYTES * HEADROOM:
        raise InvalidRunRequestError(
            f"the plan has {len(plan.scenarios)} scenarios in {len(plan.groups)} group(s): its "
            f"state could reach {peak // 1024} KB, more than Step Functions allows "
            f"({STATE_LIMIT_BYTES // 1024} KB, kept {1 - HEADROOM:.0%} spare); run fewer at "
            "once: split the suite with tags, or narrow it with --changed-files"
        )
