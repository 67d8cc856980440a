"""AcquireLeases: claim what the plan touches on each target, or say who holds it and when
to try again (the state machine waits and loops, then gives up with "target X is busy")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.target.leases import acquire_leases
from harness.wire import LeaseEvent
from harness.wiring import lease_store, parse_event, settings, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(LeaseEvent, event)
    config = settings()
    outcome = acquire_leases(
        parsed.run,
        parsed.lanes,
        lease_store(config),
        target_infra,
        config.leases,
        config.lease_ttl_seconds,
        datetime.now(UTC),
        parsed.leases,
    )
    if outcome.busy is not None:
        logger.info(outcome.busy.message, extra={"waited": outcome.waited_seconds})
    return outcome.to_wire()
