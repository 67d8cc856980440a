"""The weekly job's trend report: what `harness trends` prints, over the job's week.

The trend summary belongs to the report (``harness.report.weekly.period_trends`` and
``harness.report.text.render_trends``); this task calls it by name, so the job carries
exactly what `harness trends` shows. A harness without it says so instead of passing.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from harness.config import HarnessConfig
from harness.maintenance.model import TaskResult, TaskStatus
from harness.ports import HistoryStore

WEEK_DAYS = 7
MAX_RUNS = 500  # a week of hourly runs plus the baseline window before it


def trend_report(history: HistoryStore, config: HarnessConfig, now: datetime) -> TaskResult:
    try:
        weekly: Any = importlib.import_module("harness.report.weekly")
        text: Any = importlib.import_module("harness.report.text")
        period_trends, render_trends = weekly.period_trends, text.render_trends
    except (ImportError, AttributeError) as err:
        return TaskResult(
            name="trend-report",
            status=TaskStatus.NOT_CHECKED,
            detail=f"not checked: this harness has no trend summary (`harness trends`): {err}",
        )
    target = config.target.name
    runs = history.recent_runs(target, MAX_RUNS)
    trends = period_trends(target, runs, now, WEEK_DAYS, config.sla)
    return TaskResult(name="trend-report", status=TaskStatus.OK, detail=str(render_trends(trends)))
