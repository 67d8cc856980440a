"""ReleaseLeases: put each edit service the run held alone back as it found it, then drop the
run's leases. Reached from every path after planning, like Cleanup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.target.leases import release_leases
from harness.wire import ReleaseEvent
from harness.wiring import lease_store, parse_event, settings, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    run = parse_event(ReleaseEvent, event).run
    report = release_leases(run, lease_store(settings()), target_infra, datetime.now(UTC))
    for problem in report.problems:
        logger.warning(problem)
    return report.to_wire()
