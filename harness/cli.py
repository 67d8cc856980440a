"""The ``harness`` command. Exit codes: 0 suite passed, 1 suite failed, 2 bad usage or
config, 3 the harness itself failed (the run could not be judged)."""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
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
from harness.errors import HarnessError
from harness.models import RunRequest
from harness.planning import new_run_id, select_scenarios
from harness.progress import ExecutionOutcome, Progress
from harness.report import junit_xml, render_history, render_summary
from harness.scenarios import CATALOGUE

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3
PROGRESS_MARK = {"pass": "ok  ", "fail": "FAIL", "error": "ERR ", "skipped": "skip"}


class UsageError(HarnessError):
    """Bad flags or config: exit code 2."""


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

    history = commands.add_parser("history", help="list recorded runs, newest first")
    history.add_argument("--config", type=Path)
    history.add_argument("--state-dir", type=Path)
    history.add_argument("--limit", type=int, default=20)

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
        return _scenarios(out)
    except UsageError as err:
        print(f"harness: {err}", file=sys.stderr)
        return EXIT_USAGE
    except HarnessError as err:
        print(f"harness: {err}", file=sys.stderr)
        return EXIT_USAGE if type(err).__name__ in _USAGE_ERRORS else EXIT_HARNESS


_USAGE_ERRORS = {"ConfigError", "InvalidRunRequestError", "UnknownScenarioError"}


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
    if args.state_dir is not None:
        updates["local"] = config.local.model_copy(update={"state_dir": str(args.state_dir)})
    return config.model_copy(update=updates)


def _target_from_flag(value: str, current: TargetConfig) -> TargetConfig:
    if value.startswith(("http://", "https://")):
        return current.model_copy(update={"endpoint": value.rstrip("/")})
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"--target {value}: neither an http(s) URL nor an existing file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"--target {value}: not valid TOML: {err}") from err
    fields = {**current.model_dump(), **data.get("target", data)}
    try:
        return TargetConfig.model_validate(fields)
    except ValidationError as err:
        raise UsageError(f"--target {value}:\n{format_validation_error(err)}") from err


def _request(args: argparse.Namespace, config: HarnessConfig) -> RunRequest:
    raw = {
        "suite": args.suite,
        "scenarios": args.scenario,
        "runId": args.run_id or new_run_id(datetime.now(UTC)),
        "flags": {"trigger": "cli"},
    }
    try:
        request = RunRequest.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as err:
        raise UsageError(f"invalid run request:\n{format_validation_error(err)}") from err
    select_scenarios(request, config, CATALOGUE)  # unknown names fail here, before any start-up
    return request


def _run(args: argparse.Namespace, out: TextIO) -> int:
    config = _config(args)
    request = _request(args, config)
    from harness.local.engine import LocalEngine  # moto loads only for local runs

    started = time.monotonic()

    def show(progress: Progress) -> None:
        mark = PROGRESS_MARK.get(progress.status.value, "    ") if progress.status else "    "
        if progress.kind == "started":
            mark = " .. "
        print(f"[{time.monotonic() - started:6.1f}s] {mark} {progress.text}", file=out, flush=True)

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
    return _report(outcome, args, state_dir, out)


def _report(outcome: ExecutionOutcome, args: argparse.Namespace, state: Path, out: TextIO) -> int:
    if outcome.status == "FAILED" and outcome.error == "InvalidRunRequest":
        print(f"harness: the state machine rejected the input: {outcome.cause}", file=sys.stderr)
        return EXIT_USAGE
    if outcome.summary is None:
        print(
            f"harness: the run could not be judged ({outcome.status}: {outcome.error}: "
            f"{outcome.cause})",
            file=sys.stderr,
        )
        return EXIT_HARNESS
    print("", file=out)
    print(render_summary(outcome.summary, outcome.regressions), file=out)
    for problem in (outcome.alert_error, outcome.cleanup_error):
        if problem:
            print(f"warning: {problem}", file=out)
    print(f"History: {state} (see: harness history --state-dir {state})", file=out)
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
