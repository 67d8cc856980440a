"""The daily and weekly jobs: the same task list locally and in AWS; what differs (how a
suite starts, what "expire" means, whether the security tools exist) is the Environment.

Daily: smoke run, expired-test-data sweep, expiry of the harness's own data past retention,
budget check. Weekly: full run, trend report, cost review, security scan. Every task is
idempotent (the suite's run id is derived from the job's period, so re-running the job does
not start a second run), and the job's report replaces the period's earlier one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from harness.config import HarnessConfig
from harness.errors import HarnessError
from harness.judge.budget import month_start, month_to_date
from harness.judge.review import cost_review
from harness.maintenance.model import JobReport, TaskResult, TaskStatus
from harness.notify.metrics import CloudWatchMetric, cleanup_metrics
from harness.ports import HistoryStore, Journal
from harness.report.cost import render_cost_review
from harness.wire import CleanupReport, EntryKind, JournalEntry

BUDGET_WARNING_SHARE = 0.8  # the budget check warns (fails) from 80 % of the budget on


class Environment(Protocol):
    """What a job needs from where it runs (``harness.local.maintenance``,
    ``harness.aws.maintenance``)."""

    @property
    def where(self) -> str: ...

    @property
    def config(self) -> HarnessConfig: ...

    @property
    def history(self) -> HistoryStore: ...

    @property
    def journal(self) -> Journal: ...

    def run_suite(self, suite: str, run_id: str) -> TaskResult: ...

    def sweep(self, now: datetime) -> TaskResult: ...

    def expire(self, now: datetime) -> TaskResult: ...

    def trend_report(self, now: datetime) -> TaskResult: ...

    def security_scan(self) -> TaskResult: ...


def job_key(job: str, now: datetime) -> str:
    """The job's period: one day, or one ISO week."""
    if job == "weekly":
        year, week, _ = now.isocalendar()
        return f"weekly-{year}-W{week:02d}"
    return f"daily-{now:%Y%m%d}"


def budget_check(env: Environment, now: datetime) -> TaskResult:
    config = env.config
    spent = month_to_date(
        env.history.runs_since(month_start(now)), now, config.cost.fixed_monthly_usd
    )
    budget = config.sla.monthly_budget_usd
    share = spent / budget if budget else 1.0
    detail = f"month to date ${spent:.2f} of ${budget:.2f} ({share:.0%})"
    status = TaskStatus.OK if share < BUDGET_WARNING_SHARE else TaskStatus.FAILED
    if status is TaskStatus.FAILED:
        detail += f": {BUDGET_WARNING_SHARE:.0%} or more of the monthly budget is spent"
    return TaskResult(name="budget-check", status=status, detail=detail, data={"usd": spent})


def cost_review_task(env: Environment, now: datetime) -> TaskResult:
    week = timedelta(days=7)
    review = cost_review(
        env.history.runs_since(now - week),
        env.history.runs_since(month_start(now)),
        env.config,
        now,
        week,
    )
    over = review.month_projection_usd > review.budget_usd
    return TaskResult(
        name="cost-review",
        status=TaskStatus.FAILED if over else TaskStatus.OK,
        detail=render_cost_review(review)
        + ("\nthe month's projection is over the budget" if over else ""),
        data={"weekUsd": review.total_usd, "monthToDateUsd": review.month_to_date_usd},
    )


def _tasks(job: str, key: str) -> list[tuple[str, Callable[[Environment, datetime], TaskResult]]]:
    if job == "daily":
        return [
            ("smoke-run", lambda env, now: env.run_suite("smoke", f"{key}-smoke")),
            ("sweep-expired-test-data", lambda env, now: env.sweep(now)),
            ("expire-own-data", lambda env, now: env.expire(now)),
            ("budget-check", budget_check),
        ]
    return [
        ("full-run", lambda env, now: env.run_suite("full", f"{key}-full")),
        ("trend-report", lambda env, now: env.trend_report(now)),
        ("cost-review", cost_review_task),
        ("security-scan", lambda env, now: env.security_scan()),
    ]


JOBS = ("daily", "weekly")


def run_job(
    job: str, env: Environment, now: datetime | None = None, skip: frozenset[str] = frozenset()
) -> JobReport:
    """Run every task of ``job`` (a failing task never stops the others), record the report
    in the journal and return it. ``skip`` names tasks not to run this time."""
    if job not in JOBS:
        raise HarnessError(f"unknown maintenance job {job!r}; jobs: {', '.join(JOBS)}")
    started = now or datetime.now(UTC)
    key = job_key(job, started)
    results = []
    for name, task in _tasks(job, key):
        if name in skip:
            results.append(TaskResult(name=name, status=TaskStatus.SKIPPED, detail="skipped"))
            continue
        try:
            result = task(env, started)
        except HarnessError as err:
            result = TaskResult(name=name, status=TaskStatus.FAILED, detail=str(err))
        results.append(result.model_copy(update={"name": name}))
    report = JobReport(
        job=job,
        key=key,
        started_at=started,
        finished_at=datetime.now(UTC) if now is None else started,
        where=env.where,
        tasks=results,
    )
    env.journal.record(
        JournalEntry(
            kind=EntryKind.JOB,
            key=key,
            at=started,
            target=env.config.target.name,
            body=report.model_dump(mode="json", by_alias=True),
        )
    )
    return report


def maintenance_metrics(report: JobReport) -> list[CloudWatchMetric]:
    """What a maintenance job publishes: failed tasks (alarmed), the sweep like a cleanup,
    and the month-to-date cost the budget check found."""
    found = [
        CloudWatchMetric(
            "MaintenanceTasksFailed",
            "Count",
            sum(1 for task in report.tasks if task.status.value == "failed"),
        )
    ]
    for task in report.tasks:
        if task.name == "sweep-expired-test-data" and "seconds" in task.data:
            found.extend(cleanup_metrics(CleanupReport.model_validate(task.data)))
        if task.name == "budget-check" and "usd" in task.data:
            found.append(CloudWatchMetric("MonthToDateCostUsd", "NoUnit", task.data["usd"]))
    return found
