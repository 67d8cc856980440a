"""``harness run``: plan and run a suite through the suite state machine, locally on the
embedded engine or on the deployed state machine in AWS, and judge it."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from harness.cli.common import (
    EXIT_FAILED,
    EXIT_HARNESS,
    EXIT_PASSED,
    EXIT_USAGE,
    UsageError,
    add_config_flag,
    add_state_dir_flag,
    checked_output_file,
    config_from_args,
)
from harness.cli.local_run import run_locally
from harness.cli.signals import Interrupted, Interruptions
from harness.config import KNOWN_FAULTS, HarnessConfig, format_validation_error
from harness.execution.history import ExecutionOutcome, Progress
from harness.judge.sla import with_cleanup
from harness.planning.plan import new_run_id, select_scenarios
from harness.report.junit import junit_xml
from harness.report.sla import render_run_sla
from harness.report.text import render_alerts, render_summary
from harness.scenarios import catalogue
from harness.wire import FailError, RunRequest

STATE_MACHINE_ARN_ENV = "HARNESS_STATE_MACHINE_ARN"
STATE_MACHINE_ARN = re.compile(r"^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:\S+$")
PROGRESS_MARK = {"pass": "ok  ", "fail": "FAIL", "error": "ERR ", "skipped": "skip"}


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="run a suite through the suite state machine")
    run.set_defaults(handler=handle)
    choice = run.add_mutually_exclusive_group()
    choice.add_argument("--suite", choices=["smoke", "full"], help="suite to run (default: full)")
    choice.add_argument(
        "--scenario", action="append", metavar="NAME", help="run just this scenario (repeatable)"
    )
    add_config_flag(run)
    run.add_argument(
        "--target", metavar="URL_OR_FILE", help="target endpoint URL, or a TOML file with [target]"
    )
    run.add_argument("--run-id", help="run id (default: time-based)")
    run.add_argument(
        "--commit",
        help="the commit under test (recorded; repeat runs of one commit measure "
        "the false-positive rate)",
    )
    add_state_dir_flag(run)
    run.add_argument(
        "--fault",
        action="append",
        choices=sorted(KNOWN_FAULTS),
        metavar="NAME",
        help="make the bundled reference target misbehave (repeatable): "
        + ", ".join(sorted(KNOWN_FAULTS)),
    )
    run.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here")
    run.add_argument(
        "--aws",
        action="store_true",
        help="run on the deployed state machine in AWS instead of locally (see docs/deploy.md)",
    )
    run.add_argument(
        "--state-machine-arn",
        metavar="ARN",
        help=f"with --aws: the suite state machine (default: ${STATE_MACHINE_ARN_ENV})",
    )


def handle(args: argparse.Namespace, out: TextIO) -> int:
    if args.aws and args.fault:
        raise UsageError("--fault applies only to the bundled reference target, not to --aws")
    if args.aws and args.target:
        raise UsageError(
            "--target does not apply to --aws: the deployed harness tests the target its "
            "config names (deploy a config for another target)"
        )
    if args.aws and args.run_id:
        raise UsageError("--run-id does not apply to --aws: the deployed harness makes the run id")
    config = config_from_args(args)
    request = _request(args, config)
    args.junit = checked_output_file(args.junit, "--junit")  # before the suite, not after
    if args.aws:
        return _run_in_aws(args, config, request, out)
    state_dir = Path(config.local.state_dir)
    history = f"History: {state_dir} (see: harness history --state-dir {state_dir})"
    return run_locally(
        config,
        request,
        out,
        _progress_printer(out),
        lambda outcome: _report(outcome, args, history, out, config),
        target_flag=f"--target {args.target}" if args.target else "",
    )


def _request(args: argparse.Namespace, config: HarnessConfig) -> RunRequest:
    raw: dict[str, Any] = {
        "suite": args.suite,
        "scenarios": args.scenario,
        # In AWS, Plan makes the run id; locally the CLI names the run (and its execution).
        "runId": None if args.aws else args.run_id or new_run_id(datetime.now(UTC)),
        "flags": {"trigger": "cli", "commit": args.commit},
    }
    try:
        request = RunRequest.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as err:
        raise UsageError(f"invalid run request:\n{format_validation_error(err)}") from err
    select_scenarios(request, config, catalogue())  # unknown names fail here, before any start-up
    return request


def _progress_printer(out: TextIO) -> Callable[[Progress], None]:
    started = time.monotonic()

    def show(progress: Progress) -> None:
        mark = PROGRESS_MARK.get(progress.status.value, "    ") if progress.status else "    "
        if progress.kind in ("started", "heartbeat"):
            mark = " .. "
        print(f"[{time.monotonic() - started:6.1f}s] {mark} {progress.text}", file=out, flush=True)

    return show


def _run_in_aws(
    args: argparse.Namespace, config: HarnessConfig, request: RunRequest, out: TextIO
) -> int:
    """Start the deployed state machine and follow it exactly like a local run."""
    from harness.aws.clients import client
    from harness.execution.follow import follow, start_execution

    arn = args.state_machine_arn or os.environ.get(STATE_MACHINE_ARN_ENV, "")
    match = STATE_MACHINE_ARN.match(arn)
    if match is None:
        raise UsageError(
            "--aws needs the suite state machine: pass --state-machine-arn ARN or set "
            f"${STATE_MACHINE_ARN_ENV} (the stack output StateMachineArn)"
            + (f"; {arn!r} is not a state machine ARN" if arn else "")
        )
    sfn = client("stepfunctions", region=match.group(1))
    print(f"harness: starting {arn}", file=out, flush=True)
    name = f"cli-{new_run_id(datetime.now(UTC))}"
    with Interruptions() as signals:
        outcome = start_execution(sfn, arn, request.to_wire(), name)
        try:
            follow(
                sfn,
                outcome,
                _progress_printer(out),
                timeout_seconds=config.sla.suite_max_seconds + 60,
            )
            signals.shield()
        except Interrupted as stop:
            print(
                f"harness: interrupted by {stop.name}; the execution goes on in AWS (its "
                f"cleanup and recovery run there): {outcome.execution_arn}",
                file=sys.stderr,
            )
            return stop.exit_code
    return _report(outcome, args, f"Execution: {outcome.execution_arn}", out, config)


def _report(
    outcome: ExecutionOutcome,
    args: argparse.Namespace,
    history: str,
    out: TextIO,
    config: HarnessConfig,
) -> int:
    if outcome.status == "FAILED" and outcome.error == FailError.INVALID_RUN_REQUEST:
        print(f"harness: the state machine rejected the input: {outcome.cause}", file=sys.stderr)
        return EXIT_USAGE
    if outcome.summary is None:
        # No summary, but every scenario result seen in the history is still shown.
        for result in outcome.results.values():
            print(f"{result.scenario}: {result.status.value} {result.reason}".rstrip(), file=out)
        print(
            f"harness: the run could not be judged ({outcome.status}: {outcome.error}: "
            f"{outcome.cause}); {outcome.execution_arn}",
            file=sys.stderr,
        )
        return EXIT_HARNESS
    print("", file=out)
    print(render_summary(outcome.summary, outcome.regressions, outcome.confirm_results), file=out)
    if outcome.alerts is not None:
        print(render_alerts(outcome.alerts), file=out)
    if outcome.summary.sla:
        lines = with_cleanup(outcome.summary.sla, outcome.cleanup, config.sla)
        print("", file=out)
        print(render_run_sla(lines), file=out)
    for problem in (outcome.alert_error, outcome.cleanup_error):
        if problem:
            print(f"warning: {problem}", file=out)
    if outcome.report_error:
        print(f"warning: the report was not written: {outcome.report_error}", file=out)
    print(history, file=out)
    if outcome.report is not None:
        print(f"Report: {outcome.report.html}", file=out)
        if outcome.report.html.startswith("s3://"):  # a private bucket: open it in the console
            print(f"  open: {outcome.report.link}", file=out)
    if args.junit is not None:
        args.junit.write_bytes(junit_xml(outcome.summary))
        print(f"JUnit XML: {args.junit}", file=out)
    if outcome.status == "SUCCEEDED":
        return EXIT_PASSED
    if outcome.error == FailError.SUITE_FAILED:
        return EXIT_FAILED
    print(f"harness: {outcome.error}: {outcome.cause}", file=sys.stderr)
    return EXIT_HARNESS
