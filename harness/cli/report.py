"""``harness report [RUN_ID]``: write the HTML report (and JUnit file) of any stored run, by
default the newest, into ``<state_dir>/reports/<run_id>/``; ``--aws`` reads the deployed
history."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, Field, ValidationError

from harness.cli.common import (
    EXIT_PASSED,
    UsageError,
    add_aws_history_flag,
    add_config_flag,
    add_state_dir_flag,
    config_from_args,
    history_config,
)
from harness.config import format_validation_error
from harness.judge.regression import judge_run
from harness.judge.summary import verdict_reason
from harness.report.location import local_location
from harness.report.publish import build_report, publish_report
from harness.wire import RUN_ID_PATTERN


class ReportArgs(BaseModel):
    run_id: str | None = Field(default=None, pattern=RUN_ID_PATTERN)


def register(commands: Any) -> None:
    report = commands.add_parser(
        "report", help="write the HTML report of a stored run (default: the newest)"
    )
    report.set_defaults(handler=handle)
    report.add_argument("run_id", nargs="?", metavar="RUN_ID", help="a run id from harness history")
    add_config_flag(report)
    add_state_dir_flag(report)
    add_aws_history_flag(report)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    try:
        run_id = ReportArgs(run_id=args.run_id).run_id
    except ValidationError as err:
        raise UsageError(f"RUN_ID:\n{format_validation_error(err)}") from err
    from harness.wiring import alert_store, history_store  # Powertools: only when needed

    config, where = history_config(args, config_from_args(args))
    store = history_store(config)
    if run_id is None:
        newest = store.list_runs(1)
        if not newest:
            raise UsageError(f"no runs recorded in {where} yet: run `harness run` first")
        summary = newest[0]
    else:
        found = store.get_run(run_id)
        if found is None:
            raise UsageError(f"no run {run_id} in {where} (see: harness history)")
        summary = found
    alerts = alert_store(config).alert_report(summary.run_id)
    report = build_report(
        summary,
        verdict=summary.verdict,
        verdict_reason=verdict_reason(summary),
        regressions=judge_run(summary, store),
        history=store,
        config=config,
        location=local_location(summary.run_id, Path(config.local.state_dir)),
        now=datetime.now(UTC),
        alerts=alerts,
        notes=[
            "Written after the run by `harness report`: its regressions are re-judged against "
            "the runs before it."
        ],
    )
    from harness.local.report_files import LocalReportFiles

    location = publish_report(report, LocalReportFiles())
    print(f"Report: {location.html}", file=out)
    print(f"JUnit XML: {location.junit}", file=out)
    return EXIT_PASSED
