"""``harness maintenance daily|weekly``: the scheduled jobs, by hand on this machine (the
deployed ones run in the run_maintenance Lambda); ``maintenance status`` shows the last
recorded jobs (local, or with --aws the deployed journal)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from harness.cli.common import (
    EXIT_FAILED,
    EXIT_PASSED,
    add_config_flag,
    add_state_dir_flag,
    config_from_args,
)
from harness.cli.stores import add_aws_flag, stores
from harness.maintenance import JOBS, JobReport, TaskStatus
from harness.maintenance.render import render_job, render_jobs
from harness.wire import EntryKind

TASKS = {
    "daily": ("smoke-run", "sweep-expired-test-data", "expire-own-data", "budget-check"),
    "weekly": ("full-run", "trend-report", "cost-review", "security-scan"),
}


def register(commands: Any) -> None:
    maintenance = commands.add_parser(
        "maintenance", help="run the daily or weekly maintenance job here, or show past jobs"
    )
    jobs = maintenance.add_subparsers(dest="job", required=True)
    for job in JOBS:
        parser = jobs.add_parser(job, help=f"the {job} job: " + ", ".join(TASKS[job]))
        parser.set_defaults(handler=handle_job)
        parser.add_argument(
            "--skip", action="append", choices=TASKS[job], default=[], help="skip a task"
        )
        add_config_flag(parser)
        add_state_dir_flag(parser)
    status = jobs.add_parser("status", help="the jobs recorded in the last days")
    status.set_defaults(handler=handle_status)
    status.add_argument("--days", type=int, default=8)
    add_config_flag(status)
    add_state_dir_flag(status)
    add_aws_flag(status, "read")


def handle_job(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 when no task failed (a task that could not check is shown, not failed)."""
    from harness.local.maintenance import LocalMaintenance
    from harness.maintenance import run_job
    from harness.wiring import connect

    env = LocalMaintenance(config_from_args(args), connect)
    report = run_job(args.job, env, skip=frozenset(args.skip))
    print(render_job(report), file=out)
    return EXIT_FAILED if report.status is TaskStatus.FAILED else EXIT_PASSED


def handle_status(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    _, journal = stores(args, config)
    since = datetime.now(UTC) - timedelta(days=args.days)
    reports = [JobReport.model_validate(e.body) for e in journal.entries(EntryKind.JOB, since)]
    print(render_jobs(reports), file=out)
    return EXIT_PASSED
