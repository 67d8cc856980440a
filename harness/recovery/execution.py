"""Recovery of a deployed run from its execution (``functions/recover_run``): the execution's
history says which run it was (the Plan step's output), what it had done (every scenario
result), and how it ended."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from harness.execution.history import ExecutionOutcome, apply_event
from harness.judge.results import RunResults
from harness.ports import HistoryStore, LeaseStore, RunsInFlight
from harness.recovery.recover import Ports, RecoveryReport, recover_run
from harness.wire import FailError

# Executions that ended in one of the suite's own Fail states went through Cleanup (or never
# created anything): only HarnessFailed may still lack its record.
OWN_ENDS = {FailError.SUITE_FAILED, FailError.INVALID_RUN_REQUEST, FailError.PLAN_FAILED}
MAX_REASON = 500


def recover_execution(
    status: str,
    events: Iterable[dict[str, Any]],
    *,
    in_flight: RunsInFlight,
    history: HistoryStore,
    ports: Ports,
    leases: LeaseStore,
    results: RunResults,
    configured_prefix: str,
    now: datetime,
) -> RecoveryReport | str:
    """The recovery report, or why there was nothing to recover."""
    outcome = ExecutionOutcome(execution_arn="")
    for event in events:
        apply_event(outcome, event)
    if outcome.error in OWN_ENDS:
        return f"the execution ended in its own {outcome.error} state: nothing to recover"
    if outcome.plan is None:
        return "the execution never got past planning: it created nothing"
    run = outcome.plan.run
    reason = status if outcome.error is None else f"{status}: {outcome.error}: {outcome.cause}"
    return recover_run(
        run,
        reason=reason[:MAX_REASON],
        entry=in_flight.get(run.run_id),
        results=results.whole(run.run_id, outcome.results),
        ports=ports,
        leases=leases,
        history=history,
        in_flight=in_flight,
        configured_prefix=configured_prefix,
        now=now,
    )
