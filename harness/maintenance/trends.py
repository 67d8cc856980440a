"""The weekly job's trend report: what `harness trends` prints, over the job's week."""

from __future__ import annotations

from datetime import datetime

from harness.config import HarnessConfig
from harness.maintenance.model import TaskResult, TaskStatus
from harness.ports import HistoryStore


def trend_report(history: HistoryStore, config: HarnessConfig, now: datetime) -> TaskResult:
    """Not built on this version: the trend summary belongs to the report
    (``harness.report.weekly.period_trends`` + ``harness.report.text.render_trends``); this
    task calls it once it is there, and says so plainly until then."""
    return TaskResult(
        name="trend-report",
        status=TaskStatus.NOT_CHECKED,
        detail="not checked: the trend summary (`harness trends`) is not part of this version",
    )
