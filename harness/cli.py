"""The ``harness`` command. Exit codes: 0 suite passed, 1 suite failed, 2 bad usage or
config, 3 the harness itself failed (the run could not be judged)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from harness.config import (
    KNOWN_FAULTS,
    HarnessConfig,
    TargetConfig,
    format_validation_error,
    load_config,
)
from harness.errors import (
    ConfigError,
    HarnessError,
    InvalidRunRequestError,
    UnknownScenarioError,
)
from harness.models import RunRequest
from harness.planning import new_run_id, resolve_target, select_scenarios
from harness.progress import ExecutionOutcome, Progress
from harness.report import junit_xml, render_history, render_summary
from harness.scenarios import CATALOGUE

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
STATE_MACHINE_ARN_ENV = "HARNESS_STATE_MACHINE_ARN"
STATE_MACHINE_ARN = re.compile(r"^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:\S+$")
PROGRESS_MARK = {"pass": "ok  ", "fail": "FAIL", "error": "ERR ", "skipped": "skip"}


class UsageError(HarnessError):
    """Bad flags: exit code 2."""


# Errors that mean nothing was started: the user has something to fix (exit 2).
USAGE_ERRORS = (UsageError, ConfigError, InvalidRunRequestError, UnknownScenarioError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness", description="Integration tests for a deployed web stack."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a suite through the suite state machine")
    choice = run.add_mutually_exclusive_group()
    choice.add_argument("--suite", choices=["smoke", "full"], help="suite to run (default: full)")
    choice.add_argument(
        "--scenario", action="append", metavar="NAME", help="run just this scenario (repeatable)"
    )
    run.add_argument("--config", type=Path, help="config file (default: ./harness.toml if any)")
    run.add_argument(
        "--target", metavar="URL_OR_FILE", help="target endpoint URL, or a TOML file with [target]"
    )
    run.add_argument("--run-id", help="run id (default: time-based)")
    run.add_argument("--state-dir", type=Path, help="history and reports (default: .harness)")
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

    history = commands.add_parser("history", help="list recorded runs, newest first")
    history.add_argument("--config", type=Path)
    history.add_argument("--state-dir", type=Path)
    history.add_argument("--limit", type=int, default=20)

    cleanup = commands.add_parser(
        "cleanup",
        help="delete expired test sessions on the target (the deployed daily cleanup job)",
    )
    cleanup.add_argument("--config", type=Path)
    cleanup.add_argument("--target", metavar="URL_OR_FILE", help="as for run")
    cleanup.add_argument(
        "--older-than-hours",
        type=float,
        metavar="H",
        help="delete test sessions created more than H hours ago "
        "(default: [run] test_data_expiry_hours, 24)",
    )

    commands.add_parser("scenarios", help="list the scenario catalogue")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args, out)
        if args.command == "history":
            return _history(args, out)
        if args.command == "cleanup":
            return _cleanup(args, out)
        return _scenarios(out)
    except KeyboardInterrupt:
        print("harness: interrupted (a run started with --aws goes on in AWS)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except HarnessError as err:
        print(f"harness: {err}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, USAGE_ERRORS) else EXIT_HARNESS


def _config(args: argparse.Namespace) -> HarnessConfig:
    config = load_config(args.config)
    updates: dict[str, Any] = {}
    if getattr(args, "target", None):
        updates["target"] = _target_from_flag(args.target, config.target)
    if getattr(args, "fault", None):
        if (updates.get("target") or config.target).endpoint:
            raise UsageError("--fault applies only to the bundled reference target")
        updates["reference_target"] = config.reference_target.model_copy(
            update={"faults": list(args.fault)}
        )
    if getattr(args, "state_dir", None) is not None:
        updates["local"] = config.local.model_copy(update={"state_dir": str(args.state_dir)})
    return config.model_copy(update=updates)


def _target_fields(value: str) -> dict[str, Any]:
    """What ``--target`` sets: an endpoint URL, or the keys of a TOML file's [target]."""
    if value.startswith(("http://", "https://")):
        return {"endpoint": value.rstrip("/")}
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"--target {value}: neither an http(s) URL nor an existing file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"--target {value}: not valid TOML: {err}") from err
    fields = data.get("target", data)
    if not isinstance(fields, dict):
        raise UsageError(f"--target {value}: [target] must be a table")
    return fields


def _target_from_flag(value: str, current: TargetConfig) -> TargetConfig:
    try:
        return TargetConfig.model_validate({**current.model_dump(), **_target_fields(value)})
    except ValidationError as err:
        raise UsageError(f"--target {value}:\n{format_validation_error(err)}") from err


def _request(args: argparse.Namespace, config: HarnessConfig) -> RunRequest:
    raw: dict[str, Any] = {
        "suite": args.suite,
        "scenarios": args.scenario,
        "runId": args.run_id or new_run_id(datetime.now(UTC)),
        "flags": {"trigger": "cli"},
    }
    if args.aws and args.target:
        # The deployed config names the target; this run points elsewhere, for once.
        raw["target"] = _target_fields(args.target)
    try:
        request = RunRequest.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as err:
        raise UsageError(f"invalid run request:\n{format_validation_error(err)}") from err
    select_scenarios(request, config, CATALOGUE)  # unknown names fail here, before any start-up
    return request


def _progress_printer(out: TextIO) -> Callable[[Progress], None]:
    started = time.monotonic()

    def show(progress: Progress) -> None:
        mark = PROGRESS_MARK.get(progress.status.value, "    ") if progress.status else "    "
        if progress.kind == "started":
            mark = " .. "
        print(f"[{time.monotonic() - started:6.1f}s] {mark} {progress.text}", file=out, flush=True)

    return show


def _run(args: argparse.Namespace, out: TextIO) -> int:
    if args.aws and args.fault:
        raise UsageError("--fault applies only to the bundled reference target, not to --aws")
    config = _config(args)
    request = _request(args, config)
    if args.aws:
        return _run_in_aws(args, config, request, out)
    from harness.local.engine import LocalEngine  # moto loads only for local runs

    show = _progress_printer(out)
    state_dir = Path(config.local.state_dir)
    with LocalEngine(config, state_dir) as engine:
        target = engine.config.target
        kind = "bundled reference target" if engine.reference_target else "target"
        print(
            f"harness: local engine on {engine.moto.endpoint}; {kind} {target.name} at "
            f"{target.endpoint}",
            file=out,
            flush=True,
        )
        outcome = engine.run(request.to_wire(), name=str(request.run_id), on_progress=show)
    history = f"History: {state_dir} (see: harness history --state-dir {state_dir})"
    return _report(outcome, args, history, out)


def _run_in_aws(
    args: argparse.Namespace, config: HarnessConfig, request: RunRequest, out: TextIO
) -> int:
    """Start the deployed state machine and follow it exactly like a local run."""
    from harness.aws.clients import client
    from harness.aws.executions import start_and_follow

    arn = args.state_machine_arn or os.environ.get(STATE_MACHINE_ARN_ENV, "")
    match = STATE_MACHINE_ARN.match(arn)
    if match is None:
        raise UsageError(
            "--aws needs the suite state machine: pass --state-machine-arn ARN or set "
            f"${STATE_MACHINE_ARN_ENV} (the stack output SuiteStateMachineArn)"
            + (f"; {arn!r} is not a state machine ARN" if arn else "")
        )
    sfn = client("stepfunctions", region=match.group(1))
    print(f"harness: starting {arn}", file=out, flush=True)
    outcome = start_and_follow(
        sfn,
        arn,
        request.to_wire(),
        name=str(request.run_id),
        on_progress=_progress_printer(out),
        timeout_seconds=config.sla.suite_max_seconds + 60,
    )
    return _report(outcome, args, f"Execution: {outcome.execution_arn}", out)


def _report(outcome: ExecutionOutcome, args: argparse.Namespace, history: str, out: TextIO) -> int:
    if outcome.status == "FAILED" and outcome.error == "InvalidRunRequest":
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
    print(render_summary(outcome.summary, outcome.regressions), file=out)
    for problem in (outcome.alert_error, outcome.cleanup_error):
        if problem:
            print(f"warning: {problem}", file=out)
    print(history, file=out)
    if args.junit is not None:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_bytes(junit_xml(outcome.summary))
        print(f"JUnit XML: {args.junit}", file=out)
    if outcome.status == "SUCCEEDED":
        return EXIT_PASSED
    if outcome.error == "SuiteFailed":
        return EXIT_FAILED
    print(f"harness: {outcome.error}: {outcome.cause}", file=sys.stderr)
    return EXIT_HARNESS


def _history(args: argparse.Namespace, out: TextIO) -> int:
    from harness.local.sqlite_history import SqliteHistory

    config = _config(args)
    store = SqliteHistory.in_state_dir(Path(config.local.state_dir))
    runs = store.list_runs(args.limit)
    print(render_history(runs), file=out)
    return EXIT_PASSED


def _cleanup(args: argparse.Namespace, out: TextIO) -> int:
    """The daily cleanup, by hand: only sessions whose clientId starts with the test prefix."""
    from harness.cleanup import cleanup_expired
    from harness.lambda_io import target_api, target_infra

    config = _config(args)
    hours = args.older_than_hours
    if hours is None:
        hours = config.run.test_data_expiry_hours
    if hours < 0:
        raise UsageError("--older-than-hours must be 0 or more")
    target = resolve_target(config.target, None)
    now = datetime.now(UTC)
    report = cleanup_expired(
        target, target_api(target), target_infra(target), now, timedelta(hours=hours)
    )
    print(
        f"cleanup: {report.sessions_found} test session(s) on {target.name} with clientId "
        f"{report.prefix}* created before {report.created_before:%Y-%m-%d %H:%M:%S}Z: "
        f"{report.deleted_via_api} deleted through the API, {report.deleted_directly} directly "
        f"({report.seconds:.2f}s)",
        file=out,
    )
    return EXIT_PASSED


def _scenarios(out: TextIO) -> int:
    for definition in CATALOGUE.values():
        print(
            f"{definition.name:<22} group={definition.group:<10} tags={','.join(definition.tags)}"
            f"  {definition.summary}",
            file=out,
        )
    return EXIT_PASSED


if __name__ == "__main__":
    sys.exit(main())
