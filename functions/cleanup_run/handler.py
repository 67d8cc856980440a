"""Cleanup: after every run, delete that run's sessions; on the daily schedule
(``{"job": "cleanup-expired"}``), delete test sessions older than the expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from harness.cleanup import CleanupReport, cleanup_expired, cleanup_run
from harness.events import CleanupEvent, ExpiredCleanupEvent
from harness.lambda_io import parse_event, settings, target_api, target_infra
from harness.planning import resolve_target

logger = Logger(service="harness")
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = _expired(event) if "job" in event else _after_run(event)
    metrics.add_metric(name="CleanupSeconds", unit=MetricUnit.Seconds, value=report.seconds)
    logger.info("cleanup done", extra={"prefix": report.prefix, "found": report.sessions_found})
    return report.to_wire()


def _after_run(event: dict[str, Any]) -> CleanupReport:
    run = parse_event(CleanupEvent, event).run
    metrics.add_dimension(name="Suite", value=run.suite)
    return cleanup_run(run, target_api(run.target), target_infra(run.target))


def _expired(event: dict[str, Any]) -> CleanupReport:
    parse_event(ExpiredCleanupEvent, event)
    config = settings()
    target = resolve_target(config.target, None)
    max_age = timedelta(hours=config.run.test_data_expiry_hours)
    return cleanup_expired(
        target, target_api(target), target_infra(target), datetime.now(UTC), max_age
    )
