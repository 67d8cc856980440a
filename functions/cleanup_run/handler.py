"""Cleanup: after every run, delete that run's sessions; on the daily schedule
(``{"job": "cleanup-expired"}``), delete test sessions older than the expiry. Each cleanup is
recorded in the journal (its duration and efficiency are SLA lines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from harness.errors import HistoryError
from harness.notify.metrics import cleanup_metrics
from harness.planning.plan import resolve_target
from harness.target.cleanup import cleanup_entry, cleanup_expired, cleanup_run
from harness.wire import CleanupEvent, CleanupReport, ExpiredCleanupEvent
from harness.wiring import (
    journal,
    parse_event,
    publish_metrics,
    settings,
    target_api,
    target_infra,
)

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    suite, key, target, report = _expired(event) if "job" in event else _after_run(event)
    try:
        journal(settings()).record(cleanup_entry(key, target, report, datetime.now(UTC)))
    except HistoryError as err:  # the deletes happened; only their record is missing
        logger.warning("cleanup not recorded", extra={"error": str(err)})
    publish_metrics(suite, cleanup_metrics(report))
    logger.info("cleanup done", extra={"prefix": report.prefix, "found": report.sessions_found})
    return report.to_wire()


def _after_run(event: dict[str, Any]) -> tuple[str, str, str, CleanupReport]:
    run = parse_event(CleanupEvent, event).run
    report = cleanup_run(run, target_api(run.target), target_infra(run.target))
    return run.suite, run.run_id, run.target.name, report


def _expired(event: dict[str, Any]) -> tuple[str, str, str, CleanupReport]:
    job = parse_event(ExpiredCleanupEvent, event).job
    config = settings()
    target = resolve_target(config.target, None)
    max_age = timedelta(hours=config.run.test_data_expiry_hours)
    now = datetime.now(UTC)
    report = cleanup_expired(target, target_api(target), target_infra(target), now, max_age)
    return job, f"sweep-{now:%Y%m%dT%H%M%S}", target.name, report
