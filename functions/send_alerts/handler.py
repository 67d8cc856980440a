"""Alert: every regression becomes a CloudWatch metric (EMF); alerting ones are routed by
severity (SNS, Slack, GitHub) with de-duplication, escalation and resolve, and what was sent,
shown or not delivered is returned and kept per run in the alert-state store."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger

from harness.notify.delivery import Retrier, RetryPolicy
from harness.notify.dispatch import dispatch_alerts
from harness.notify.lifecycle import regression_key
from harness.notify.metrics import regression_record
from harness.report.location import report_location
from harness.wire import SummaryEvent
from harness.wiring import (
    alert_senders,
    alert_store,
    parse_event,
    publish_metrics,
    settings,
)

logger = Logger(service="harness")
# Stop retrying this long before Lambda's timeout, so the outcome is still written.
SAFETY_SECONDS = 5.0


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(SummaryEvent, event)
    config, summary = settings(), parsed.summary
    regressions = parsed.regressions.regressions if parsed.regressions else []
    for regression in regressions:
        record = regression_record(regression, regression_key(regression, summary.target))
        publish_metrics(
            summary.suite, record.values, dimensions=record.dimensions, metadata=record.metadata
        )
    left = context.get_remaining_time_in_millis() / 1000 - SAFETY_SECONDS
    report = dispatch_alerts(
        summary,
        regressions,
        alerts=config.alerts,
        store=alert_store(config),
        senders=lambda: alert_senders(config),
        retrier=Retrier(RetryPolicy.from_config(config.alerts), deadline=time.monotonic() + left),
        report_link=report_location(summary.run_id, config).link,
    )
    for delivery in report.undelivered:
        logger.warning("alert not delivered", extra=delivery.model_dump(mode="json"))
    return report.to_wire()
