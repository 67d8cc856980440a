"""PublishReport: write the run's HTML report (with trend charts) and its JUnit file where
``harness.report.location`` says: the state folder locally, the results bucket in AWS.

Jinja2 and MarkupSafe are not in the Powertools layer: ``harness.layout`` bundles them into
this function's asset (``FunctionSpec.bundle``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from harness.judge.summary import whole
from harness.report.location import report_location
from harness.report.publish import build_report, publish_report
from harness.wire import ReportEvent, ReportOutput
from harness.wiring import history_store, parse_event, report_store, settings

logger = Logger(service="harness")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parsed = parse_event(ReportEvent, event)
    config = settings()
    history = history_store(config)
    summary = whole(parsed.summary, history)  # a large run's state carries it abridged
    report = build_report(
        summary,
        verdict=parsed.verdict,
        verdict_reason=parsed.verdict_reason,
        regressions=parsed.regressions,
        history=history,
        config=config,
        location=report_location(summary.run_id, config),
        now=datetime.now(UTC),
        alerts=parsed.alerts,
    )
    location = publish_report(report, report_store(config))
    logger.info("report written", extra={"run_id": summary.run_id, "html": location.html})
    return ReportOutput(html=location.html, junit=location.junit, link=location.link).to_wire()
