"""The confirm pass's plan: only the scenarios a judgement flagged, laid out by the same
planner as any run, to be run by the same state that runs every plan.

The confirm pass keeps the run's context (run id, target, flags), so everything it creates on
the target carries the run's prefix and the run's Cleanup removes it too; only its start time
is its own and its suite is ``confirm``, which keeps it out of every baseline.

It runs between the run's AcquireLeases and ReleaseLeases, under the leases the run holds, so
each flagged scenario runs again on the pool member it ran on, in the group it ran in: a
subset of the run's own lanes, which the leases cover and which never overlap conflicting
scenarios (a lane runs its groups one after another).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from harness.config import HarnessConfig
from harness.judge.series import CONFIRM_SUITE
from harness.planning.plan import plan_run
from harness.scenarios.base import ScenarioDefinition
from harness.wire import ConfirmationPlan, JudgedRun, LanePlan, RunRequest, TargetOverride


def plan_confirmation(
    judged: JudgedRun,
    config: HarnessConfig,
    catalogue: Mapping[str, ScenarioDefinition],
    now: datetime,
) -> ConfirmationPlan:
    run = judged.run
    names = judged.regressions.confirm_scenarios
    if not names:
        raise ValueError(f"run {run.run_id} has nothing to confirm")
    # The run's own id and target replace the plan's below; a deployed Plan refuses both in a
    # request (it makes every run id and tests only its configured targets).
    override = TargetOverride(name=run.target.name, endpoint=run.target.endpoint)
    request = RunRequest(
        scenarios=names, target=None if config.run.deployed else override, flags=run.flags
    )
    plan = plan_run(request, config, catalogue, now=now)
    lanes = rerun_lanes(judged.lanes, set(names))
    if lanes:
        plan = plan.model_copy(
            update={
                "lanes": lanes,
                "expected_seconds": max(lane.expected_seconds for lane in lanes),
            }
        )
    again = run.model_copy(update={"suite": CONFIRM_SUITE, "started_at": now})
    return ConfirmationPlan.model_validate(
        {
            **plan.to_wire(),
            "run": again.to_wire(),
            "confirmationOf": judged.to_wire(),
        }
    )


def rerun_lanes(lanes: Sequence[LanePlan], names: set[str]) -> list[LanePlan]:
    """The run's lanes cut down to the named scenarios (empty groups and lanes dropped)."""
    kept: list[LanePlan] = []
    for lane in lanes:
        groups = []
        for group in lane.groups:
            specs = [spec for spec in group.scenarios if spec.name in names]
            if specs:
                expected = sum(spec.expected_seconds or 0.0 for spec in specs)
                groups.append(
                    group.model_copy(
                        update={
                            "scenarios": specs,
                            "expected_seconds": expected
                            if not group.parallel
                            else max(spec.expected_seconds or 0.0 for spec in specs),
                        }
                    )
                )
        if groups:
            total = sum(group.expected_seconds for group in groups)
            kept.append(lane.model_copy(update={"groups": groups, "expected_seconds": total}))
    return kept
