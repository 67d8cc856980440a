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

from harness.cli.changes import add_change_flags, changed_files_from_args
from harness.cli.common import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_HARNESS,
    EXIT_PASSED,
    EXIT_USAGE,
    UsageError,
    add_config_flag,
    add_selection_flags,
    add_state_dir_flag,
    checked_output_file,
    config_from_args,
)
from harness.cli.local_run import run_locally
from harness.cli.signals import Interrupted, Interruptions
from harness.config import KNOWN_FAULTS, MAX_POOL_SIZE, HarnessConfig, format_validation_error
from harness.execution.history import ExecutionOutcome, Progress
from harness.judge.sla import with_cleanup
from harness.planning.plan import auto_pool_size, new_run_id, planned_specs
from harness.report.junit import junit_xml
from harness.report.sla import render_run_sla
from harness.report.text import render_alerts, render_summary
from harness.scenarios import catalogue
from harness.wire import FailError, RunRequest

STATE_MACHINE_ARN_ENV = "HARNESS_STATE_MACHINE_ARN"
STATE_MACHINE_ARN = re.compile(r"^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:\S+$")
PROGRESS_MARK = {
    "pass": "ok  ",
    "fail": "FAIL",
    "error": "ERR ",
    "skipped": "skip",
    "cached": "hit ",
}
KIND_MARK = {"started": " .. ", "heartbeat": " .. ", "waiting": "wait"}


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="run a suite through the suite state machine")
    run.set_defaults(handler=handle)
    add_selection_flags(run)
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
    add_change_flags(run)
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="run every scenario even when a cached pass would answer it (passes are still stored)",
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
    config = local_resources(config, request)
    state_dir = Path(config.local.state_dir)
    history = f"History: {state_dir} (see: harness history --state-dir {state_dir})"
    return run_locally(
        config,
        request,
        out,
        _progress_printer(out),
        lambda outcome: _report(_whole_summary(outcome, state_dir), args, history, out, config),
        target_flag=f"--target {args.target}" if args.target else "",
    )


def local_resources(config: HarnessConfig, request: RunRequest) -> HarnessConfig:
    """What a local run starts, where the config leaves it open: ``reference_target.pool_size
    = 0`` means as many bundled reference targets as the plan keeps busy at once (its groups
    really run at the same time); unset ``local.worker_processes`` means one worker process
    per core for the load generator when a load scenario has more than one batch."""
    _, specs = planned_specs(request, config, catalogue())
    updates: dict[str, Any] = {}
    bundled = not config.target.endpoint and not config.targets
    if bundled and not config.reference_target.pool_size:
        cap = min(MAX_POOL_SIZE, config.run.max_group_concurrency or MAX_POOL_SIZE)
        size = auto_pool_size(specs, catalogue(), config, cap)
        updates["reference_target"] = config.reference_target.model_copy(update={"pool_size": size})
    if config.local.worker_processes is None:
        batches = max((len(s.fan_out.batches) for s in specs if s.fan_out), default=0)
        workers = min(os.cpu_count() or 1, batches) if batches > 1 else 0
        updates["local"] = config.local.model_copy(update={"worker_processes": workers})
    return config.model_copy(update=updates)


def _whole_summary(outcome: ExecutionOutcome, state_dir: Path) -> ExecutionOutcome:
    """A large run's state carried an abridged summary: the report shows the stored one."""
    if outcome.summary is not None and outcome.summary.abridged:
        from harness.local.sqlite_history import SqliteHistory

        whole = SqliteHistory.in_state_dir(state_dir).get_run(outcome.summary.run_id)
        outcome.summary = whole or outcome.summary
    return outcome


def _request(args: argparse.Namespace, config: HarnessConfig) -> RunRequest:
    raw: dict[str, Any] = {
        "suite": args.suite,
        "scenarios": args.scenario,
        # In AWS, Plan makes the run id; locally the CLI names the run (and its execution).
        "runId": None if args.aws else args.run_id or new_run_id(datetime.now(UTC)),
        "flags": {"trigger": "cli", "commit": args.commit, "noCache": args.no_cache},
    }
    changed = changed_files_from_args(args)
    if changed is not None:
        raw["flags"]["changedFiles"] = changed
    try:
        request = RunRequest.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as err:
        raise UsageError(f"invalid run request:\n{format_validation_error(err)}") from err
    planned_specs(request, config, catalogue())  # unknown names fail here, before any start-up
    return request


def _progress_printer(out: TextIO) -> Callable[[Progress], None]:
    started = time.monotonic()

    def show(progress: Progress) -> None:
        mark = PROGRESS_MARK.get(progress.status.value, "    ") if progress.status else "    "
        mark = KIND_MARK.get(progress.kind, mark)
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
    if outcome.status == "FAILED" and outcome.error == FailError.TARGET_BUSY:
        print(f"harness: nothing ran: {outcome.cause}", file=sys.stderr)
        return EXIT_BUSY
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
    restore_failed = outcome.release_error or (
        outcome.release.restore_failed if outcome.release is not None else None
    )
    if restore_failed:  # the Gate failed the run for it, whatever the judged verdict
        print(f"Verdict: FAILED - {outcome.cause or restore_failed}", file=out)
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
