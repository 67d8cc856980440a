"""Cleanup: runs on every path after planning; deletes only this run's sessions."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from harness.cleanup import cleanup_run
from harness.events import CleanupEvent
from harness.lambda_io import parse_event, target_api, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    run = parse_event(CleanupEvent, event).run
    report = cleanup_run(run, target_api(run.target), target_infra(run.target))
    logger.info("cleanup done", extra={"run_id": run.run_id, "found": report.sessions_found})
    return report.to_wire()
