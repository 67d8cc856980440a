"""The weekly job's trend report: exactly what `harness trends` prints, over the job's week
(the report's ``period_trends`` and ``render_trends``)."""

from __future__ import annotations

from datetime import datetime

from harness.config import HarnessConfig
from harness.maintenance.model import TaskResult, TaskStatus
from harness.ports import HistoryStore
from harness.report.text import render_trends
from harness.report.trends import TrendSettings
from harness.report.weekly import period_trends

WEEK_DAYS = 7
MAX_RUNS = 500  # a week of hourly runs plus the baseline window before it


def trend_report(history: HistoryStore, config: HarnessConfig, now: datetime) -> TaskResult:
    target = config.target.name
    runs = history.recent_runs(target, MAX_RUNS)
    trends = period_trends(
        target, runs, now, WEEK_DAYS, config.sla, TrendSettings.of(config.regression)
    )
    return TaskResult(name="trend-report", status=TaskStatus.OK, detail=render_trends(trends))
