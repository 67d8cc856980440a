"""``harness trends``: the trend summary of the last days (default: a week) against one target:
what got worse, the flakiest scenarios, SLA compliance."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import ValidationError

from harness.cli.common import (
    EXIT_PASSED,
    UsageError,
    add_aws_history_flag,
    add_config_flag,
    add_state_dir_flag,
    config_from_args,
    history_from_args,
)
from harness.config import ReportConfig, format_validation_error
from harness.planning.plan import target_identity
from harness.report.text import render_trends
from harness.report.trends import TrendSettings
from harness.report.weekly import period_trends

# Enough runs for a week of hourly runs plus a baseline window before it.
MAX_RUNS = 500


def register(commands: Any) -> None:
    trends = commands.add_parser(
        "trends", help="what got worse, flakiest scenarios and SLA compliance over recent days"
    )
    trends.set_defaults(handler=handle)
    trends.add_argument(
        "--target-name",
        metavar="NAME",
        help="the target's name as history stores it (default: the configured target's)",
    )
    trends.add_argument("--days", type=int, help="days to summarise (default: [report] trend_days)")
    add_config_flag(trends)
    add_state_dir_flag(trends)
    add_aws_history_flag(trends)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    days = config.report.trend_days
    if args.days is not None:
        try:
            days = ReportConfig.model_validate({"trend_days": args.days}).trend_days
        except ValidationError as err:
            raise UsageError(f"--days:\n{format_validation_error(err)}") from err
    target = args.target_name or target_identity(config.target)
    store, _ = history_from_args(args, config)
    runs = store.recent_runs(target, limit=MAX_RUNS)
    trends = period_trends(
        target, runs, datetime.now(UTC), days, config.sla, TrendSettings.of(config.regression)
    )
    print(render_trends(trends), file=out)
    return EXIT_PASSED
