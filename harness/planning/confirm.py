"""The confirm pass's plan: only the scenarios a judgement flagged, laid out by the same
planner as any run, to be run by the same state that runs every plan.

The confirm pass keeps the run's context (run id, target, flags), so everything it creates on
the target carries the run's prefix and the run's Cleanup removes it too; only its start time
is its own and its suite is ``confirm``, which keeps it out of every baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from harness.config import HarnessConfig
from harness.judge.series import CONFIRM_SUITE
from harness.planning.plan import plan_run
from harness.scenarios.base import ScenarioDefinition
from harness.wire import ConfirmationPlan, JudgedRun, RunRequest, TargetOverride


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
    request = RunRequest(
        scenarios=names,
        run_id=run.run_id,
        target=TargetOverride(name=run.target.name, endpoint=run.target.endpoint),
        flags=run.flags,
    )
    plan = plan_run(request, config, catalogue, now=now)
    again = run.model_copy(update={"suite": CONFIRM_SUITE, "started_at": now})
    return ConfirmationPlan.model_validate(
        {
            **plan.to_wire(),
            "run": again.to_wire(),
            "confirmationOf": judged.to_wire(),
        }
    )
