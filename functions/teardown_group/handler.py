"""TeardownGroup: put the edit service back to the desired count the group found."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.target.groups import teardown_group
from harness.wire import TeardownEvent
from harness.wiring import parse_event, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(TeardownEvent, event)
    return teardown_group(parsed.setup, target_infra(parsed.run.target)).to_wire()
