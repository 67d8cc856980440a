"""``harness sla``: every SLA line over the last N days of history, with its compliance and
the error budget left (docs/sla.md)."""

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
from harness.judge.budget import month_start, month_to_date
from harness.judge.sla import evaluate_window
from harness.report.sla import render_window
from harness.target.cleanup import cleanup_report
from harness.wire import EntryKind, SlaStatus


def register(commands: Any) -> None:
    sla = commands.add_parser(
        "sla", help="SLA compliance and error budget left over the last days of history"
    )
    sla.set_defaults(handler=handle)
    sla.add_argument("--days", type=int, choices=[1, 7, 30, 90], default=7, help="window (7)")
    add_config_flag(sla)
    add_state_dir_flag(sla)
    add_aws_flag(sla, "read")


def handle(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 when no line is broken over the window, 1 when one is."""
    config = config_from_args(args)
    history, journal = stores(args, config)
    now = datetime.now(UTC)
    since = now - timedelta(days=args.days)
    runs = history.runs_since(min(since, month_start(now)))
    spent = month_to_date(runs, now, config.cost.fixed_monthly_usd)
    window = [run for run in runs if run.started_at >= since]
    cleanups = [cleanup_report(entry) for entry in journal.entries(EntryKind.CLEANUP, since)]
    results = evaluate_window(window, cleanups, config.sla, month_to_date_usd=spent)
    heading = (
        f"SLA over the last {args.days} day(s) ({since:%Y-%m-%d %H:%M} to {now:%Y-%m-%d %H:%M} "
        f"UTC): {len(window)} run(s), {len(cleanups)} cleanup(s); month to date ${spent:.2f}"
    )
    print(render_window(results, heading), file=out)
    broken = [r.line.title for r in results if r.status is SlaStatus.BROKEN]
    if broken:
        print(f"broken: {', '.join(broken)}", file=out)
        return EXIT_FAILED
    return EXIT_PASSED
