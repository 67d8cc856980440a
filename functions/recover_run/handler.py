"""RecoverRun: EventBridge calls this when a suite execution was aborted, timed out or failed.
Puts each edit service the run held back as it found it and releases the run's leases,
deletes the run's test data on every pool member, records the run as aborted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.recovery.execution import recover_execution
from harness.wire import ExecutionStatusChange
from harness.wiring import (
    execution_history,
    history_store,
    lease_store,
    parse_event,
    run_results,
    runs_in_flight,
    settings,
    target_api,
    target_infra,
)

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail = parse_event(ExecutionStatusChange, event).detail
    config = settings()
    found = recover_execution(
        detail.status,
        execution_history(detail.execution_arn),
        in_flight=runs_in_flight(config),
        history=history_store(config),
        ports=lambda target: (target_api(target), target_infra(target)),
        leases=lease_store(config),
        results=run_results(config),
        configured_prefix=config.target.test_prefix,
        now=datetime.now(UTC),
    )
    if isinstance(found, str):
        logger.info(found, extra={"execution": detail.execution_arn})
        return {"recovered": False, "why": found}
    left = found.left("--target <the target's file>")
    logger.warning(
        "recovered a run", extra={"run_id": found.run.run_id, "done": found.done(), "left": left}
    )
    return {"recovered": True, "runId": found.run.run_id, "done": found.done(), "left": left}
