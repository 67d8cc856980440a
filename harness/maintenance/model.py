"""What a maintenance job reports: one result per task, recorded in the journal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from harness.wire import WireModel


class TaskStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"  # the task ran and found a problem (or could not run)
    NOT_CHECKED = "not_checked"  # the task could not check here; the detail says why
    SKIPPED = "skipped"  # nothing to do (e.g. already done today)


class TaskResult(WireModel):
    name: str
    status: TaskStatus
    detail: str
    findings: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)


class JobReport(WireModel):
    job: Literal["daily", "weekly"]
    key: str  # "daily-20261125", "weekly-2026-W48": one record per job and period
    started_at: datetime
    finished_at: datetime
    where: str  # "local" or "aws"
    tasks: list[TaskResult]

    @property
    def status(self) -> TaskStatus:
        """Failed if any task failed; else not checked if any could not check; else ok."""
        statuses = {task.status for task in self.tasks}
        for status in (TaskStatus.FAILED, TaskStatus.NOT_CHECKED):
            if status in statuses:
                return status
        return TaskStatus.OK


class MaintenanceEvent(WireModel):
    """What the maintenance schedules send the run_maintenance Lambda."""

    job: Literal["daily", "weekly"]
    trigger: str = "schedule"
