"""SetupGroup: check the target answers and bring its edit service to the state the group's
scenarios need (cold or warm), recording the count it found with the run in flight."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.scenarios.steps import SCALE_DOWN_TIMEOUT_SECONDS
from harness.target.groups import records_for_recovery, setup_group
from harness.wire import GroupEvent
from harness.wiring import parse_event, runs_in_flight, settings, target_api, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(GroupEvent, event)
    config = settings()
    recorded = records_for_recovery(parsed.run, parsed.target)
    return setup_group(
        target_api(parsed.target),
        target_infra(parsed.target),
        parsed.group.needs,
        warm_timeout=config.sla.cold_start_max_seconds,
        cold_timeout=SCALE_DOWN_TIMEOUT_SECONDS,
        run=parsed.run,
        in_flight=runs_in_flight(config) if recorded else None,
    ).to_wire()
