"""Plan: validate the run request and lay out the run. Bad input fails here, before anything
is created, with an error the state machine turns into its RejectInput Fail state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.errors import InvalidRunRequestError
from harness.planning.plan import plan_run
from harness.scenarios import catalogue
from harness.wire import RunRequest
from harness.wiring import parse_event, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = parse_event(RunRequest, event, InvalidRunRequestError)
    plan = plan_run(request, settings(), catalogue(), now=datetime.now(UTC))
    logger.info("planned run", extra={"run_id": plan.run.run_id, "scenarios": len(plan.scenarios)})
    return plan.to_wire()
