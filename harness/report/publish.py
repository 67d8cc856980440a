"""Put a run's report together and hand it to a report store: what the PublishReport step
and ``harness report`` both do. The I/O is behind the ports (history, report store)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from harness.config import HarnessConfig
from harness.ports import HistoryStore, ReportStore
from harness.report.html import ReportInput, render_html
from harness.report.junit import junit_xml
from harness.report.location import ReportLocation
from harness.report.trends import TrendSettings, trend_series
from harness.wire import AlertReport, RegressionReport, RunSummary, Verdict


def build_report(
    summary: RunSummary,
    *,
    verdict: Verdict,
    verdict_reason: str,
    regressions: RegressionReport | None,
    history: HistoryStore,
    config: HarnessConfig,
    location: ReportLocation,
    now: datetime,
    alerts: AlertReport | None = None,
    notes: Sequence[str] = (),
) -> ReportInput:
    """The report of ``summary``, with trends over the runs against its target before it.

    History is read ``trend_runs + [regression] window`` runs deep, so even the oldest point
    on a chart has a full baseline band behind it.
    """
    shown, settings = config.report.trend_runs, TrendSettings.of(config.regression)
    earlier = history.recent_runs(
        summary.target, limit=shown + settings.window, before=summary.started_at
    )
    return ReportInput(
        summary=summary,
        verdict=verdict,
        verdict_reason=verdict_reason,
        regressions=regressions,
        trends=trend_series(summary, earlier, show=shown, settings=settings),
        location=location,
        generated_at=now,
        alerts=alerts,
        notes=notes,
    )


def publish_report(report: ReportInput, store: ReportStore) -> ReportLocation:
    """Render the page and the JUnit file and write both where ``report.location`` says."""
    store.write(report.location, render_html(report).encode(), junit_xml(report.summary))
    return report.location
