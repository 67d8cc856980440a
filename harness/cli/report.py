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
from harness.judge.judgement import judgement_of
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
    from harness.wiring import alert_store, judge_stores  # Powertools: only when needed

    config, where = history_config(args, config_from_args(args))
    stores = judge_stores(config)
    store = stores.history
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
    now = datetime.now(UTC)
    regressions = store.get_regressions(summary.run_id)
    note = "Written after the run by `harness report`, with the regressions judged when it ran."
    if regressions is None:  # never judged (the harness failed before): judge it now
        regressions = judgement_of(summary, stores, config.regression, now)
        note = (
            "Written after the run by `harness report`: it was never judged, so its regressions "
            "are judged now against the runs before it (without a confirm pass)."
        )
    report = build_report(
        summary,
        verdict=regressions.verdict or summary.verdict,
        verdict_reason=regressions.verdict_reason or verdict_reason(summary),
        regressions=regressions,
        history=store,
        config=config,
        location=local_location(summary.run_id, Path(config.local.state_dir)),
        now=now,
        alerts=alerts,
        notes=[note],
    )
    from harness.local.report_files import LocalReportFiles

    location = publish_report(report, LocalReportFiles())
    print(f"Report: {location.html}", file=out)
    print(f"JUnit XML: {location.junit}", file=out)
    return EXIT_PASSED
