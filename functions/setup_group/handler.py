"""SetupGroup: check the target answers and remember the edit service's desired count."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.target.groups import setup_group
from harness.wire import GroupEvent
from harness.wiring import parse_event, runs_in_flight, settings, target_api, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(GroupEvent, event)
    target = parsed.run.target
    in_flight = runs_in_flight(settings())
    return setup_group(target_api(target), target_infra(target), parsed.run, in_flight).to_wire()
