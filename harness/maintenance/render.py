"""Maintenance job reports for people."""

from __future__ import annotations

from collections.abc import Sequence

from harness.maintenance.model import JobReport
from harness.report.text import table


def render_job(report: JobReport) -> str:
    lines = [
        f"Maintenance {report.key} ({report.where}): {report.status.value.upper()} "
        f"({report.started_at:%Y-%m-%d %H:%M} UTC)"
    ]
    for task in report.tasks:
        detail = task.detail.replace("\n", "\n      ")
        lines.append(f"  {task.status.value:<11} {task.name}: {detail}")
        lines.extend(f"      finding: {finding}" for finding in task.findings)
    return "\n".join(lines)


def render_jobs(reports: Sequence[JobReport]) -> str:
    if not reports:
        return "no maintenance job recorded in this period"
    rows = [["JOB", "WHERE", "STARTED", "STATUS", "TASKS"]]
    for report in sorted(reports, key=lambda r: r.started_at, reverse=True):
        tasks = ", ".join(f"{t.name} {t.status.value}" for t in report.tasks)
        rows.append(
            [report.key, report.where, f"{report.started_at:%Y-%m-%d %H:%M}",
             report.status.value, tasks]
        )  # fmt: skip
    return "\n".join(table(rows))
