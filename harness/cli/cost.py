"""``harness cost``: the month to date against the budget, and what recent runs cost per
scenario and per AWS service (the weekly cost review, by hand)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from harness.cli.common import EXIT_PASSED, add_config_flag, add_state_dir_flag, config_from_args
from harness.cli.stores import add_aws_flag, stores
from harness.judge.budget import month_start
from harness.judge.review import cost_review
from harness.report.cost import render_cost_review


def register(commands: Any) -> None:
    cost = commands.add_parser(
        "cost", help="month-to-date cost against the budget; cost per scenario of recent runs"
    )
    cost.set_defaults(handler=handle)
    cost.add_argument("--days", type=int, default=7, help="runs of the last N days (7)")
    add_config_flag(cost)
    add_state_dir_flag(cost)
    add_aws_flag(cost, "read")


def handle(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    history, _ = stores(args, config)
    now = datetime.now(UTC)
    window = timedelta(days=args.days)
    month = history.runs_since(month_start(now))
    recent = history.runs_since(now - window)
    review = cost_review(recent, month, config, now, window)
    print(render_cost_review(review), file=out)
    return EXIT_PASSED
