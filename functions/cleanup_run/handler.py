"""Cleanup: after every run, delete that run's sessions (on every pool member), and record
the cleanup in the journal (its duration and efficiency are SLA lines). The daily sweep of
expired test data is a task of the daily maintenance job (functions/run_maintenance)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.errors import HistoryError
from harness.notify.metrics import cleanup_metrics
from harness.target.cleanup import cleanup_entry, cleanup_run_on_pool
from harness.wire import CleanupEvent
from harness.wiring import (
    journal,
    parse_event,
    publish_metrics,
    runs_in_flight,
    settings,
    target_api,
    target_infra,
)

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    run = parse_event(CleanupEvent, event).run
    config = settings()
    configured = config.target.test_prefix  # never the event's alone
    report = cleanup_run_on_pool(run, target_api, target_infra, configured)
    runs_in_flight(config).finish(run.run_id)  # ended through its own Cleanup: nothing to recover
    try:
        journal(config).record(
            cleanup_entry(run.run_id, run.target.name, report, datetime.now(UTC))
        )
    except HistoryError as err:  # the deletes happened; only their record is missing
        logger.warning("cleanup not recorded", extra={"error": str(err)})
    publish_metrics(run.suite, cleanup_metrics(report))
    logger.info("cleanup done", extra={"prefix": report.prefix, "found": report.sessions_found})
    return report.to_wire()
