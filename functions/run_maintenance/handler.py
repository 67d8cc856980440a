"""Maintenance: the daily and weekly jobs on their schedules (``{"job": "daily"}``), the same
tasks `harness maintenance` runs locally; the report is recorded in the journal."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

from harness.maintenance import run_job
from harness.maintenance.jobs import maintenance_metrics
from harness.maintenance.model import MaintenanceEvent
from harness.wiring import maintenance_environment, parse_event, publish_metrics, settings

logger = Logger(service="harness")
STATE_MACHINE_ARN_ENV = "HARNESS_STATE_MACHINE_ARN"


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    job = parse_event(MaintenanceEvent, event).job
    env = maintenance_environment(settings(), os.environ[STATE_MACHINE_ARN_ENV])
    report = run_job(job, env)
    publish_metrics(f"maintenance-{job}", maintenance_metrics(report))
    logger.info("maintenance done", extra={"key": report.key, "status": report.status})
    return report.to_wire()
