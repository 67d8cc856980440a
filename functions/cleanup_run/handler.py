"""Cleanup: after every run, delete that run's sessions; on the daily schedule
(``{"job": "cleanup-expired"}``), delete test sessions older than the expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from harness.notify.metrics import CloudWatchMetric
from harness.planning.plan import resolve_target
from harness.target.cleanup import cleanup_expired, cleanup_run
from harness.wire import CleanupEvent, CleanupReport, ExpiredCleanupEvent
from harness.wiring import parse_event, publish_metrics, settings, target_api, target_infra

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    suite, report = _expired(event) if "job" in event else _after_run(event)
    publish_metrics(suite, [CloudWatchMetric("CleanupSeconds", "Seconds", report.seconds)])
    logger.info("cleanup done", extra={"prefix": report.prefix, "found": report.sessions_found})
    return report.to_wire()


def _after_run(event: dict[str, Any]) -> tuple[str, CleanupReport]:
    run = parse_event(CleanupEvent, event).run
    return run.suite, cleanup_run(run, target_api(run.target), target_infra(run.target))


def _expired(event: dict[str, Any]) -> tuple[str, CleanupReport]:
    job = parse_event(ExpiredCleanupEvent, event).job
    config = settings()
    target = resolve_target(config.target, None)
    max_age = timedelta(hours=config.run.test_data_expiry_hours)
    report = cleanup_expired(
        target, target_api(target), target_infra(target), datetime.now(UTC), max_age
    )
    return job, report
