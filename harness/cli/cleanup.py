"""``harness cleanup``: the deployed daily cleanup job, by hand against a target."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from pydantic import ValidationError

from harness.cli.common import (
    EXIT_HARNESS,
    EXIT_PASSED,
    UsageError,
    add_config_flag,
    config_from_args,
)
from harness.config import HarnessConfig
from harness.planning.plan import resolve_target
from harness.wire import RunContext, RunFlags


def register(commands: Any) -> None:
    cleanup = commands.add_parser(
        "cleanup",
        help="delete expired test sessions on the target (the deployed daily cleanup job)",
    )
    cleanup.set_defaults(handler=handle)
    add_config_flag(cleanup)
    cleanup.add_argument("--target", metavar="URL_OR_FILE", help="as for run")
    which = cleanup.add_mutually_exclusive_group()
    which.add_argument(
        "--older-than-hours",
        type=float,
        metavar="H",
        help="delete test sessions created more than H hours ago "
        "(default: [run] test_data_expiry_hours, 24)",
    )
    which.add_argument(
        "--run-id",
        metavar="RUN",
        help="delete the test sessions of this one run now, whatever their age "
        "(what an interrupted run says it left)",
    )


def handle(args: argparse.Namespace, out: TextIO) -> int:
    """The daily cleanup, by hand: only sessions whose clientId starts with the test prefix."""
    from harness.report.text import describe_cleanup
    from harness.target.cleanup import cleanup_expired
    from harness.wiring import target_api, target_infra

    config = config_from_args(args)
    if args.run_id is not None:
        return _one_run(args.run_id, config, out)
    hours = args.older_than_hours
    if hours is None:
        hours = config.run.test_data_expiry_hours
    if hours < 0:
        raise UsageError("--older-than-hours must be 0 or more")
    target = resolve_target(config.target, None)
    now = datetime.now(UTC)
    report = cleanup_expired(
        target,
        target_api(target),
        target_infra(target),
        now,
        timedelta(hours=hours),
        config.target.test_prefix,
    )
    print(
        f"cleanup: {report.sessions_found} test session(s) on {target.name} with clientId "
        f"{report.prefix}* created before {report.created_before:%Y-%m-%d %H:%M:%S}Z: "
        f"{report.deleted_via_api} deleted through the API, {report.deleted_directly} directly "
        f"({report.seconds:.2f}s)",
        file=out,
    )
    print(f"  by kind: {describe_cleanup(report)}", file=out)
    return EXIT_PASSED


def _one_run(run_id: str, config: HarnessConfig, out: TextIO) -> int:
    from harness.target.cleanup import cleanup_run
    from harness.wiring import target_api, target_infra

    target = resolve_target(config.target, None)
    try:
        run = RunContext(
            run_id=run_id,
            suite="cleanup",
            started_at=datetime.now(UTC),
            target=target,
            flags=RunFlags(),
        )
    except ValidationError as err:
        raise UsageError(f"--run-id {run_id!r} is not a run id") from err
    report = cleanup_run(run, target_api(target), target_infra(target), config.target.test_prefix)
    print(
        f"cleanup: {report.sessions_found} test session(s) of run {run_id} on {target.name} "
        f"(clientId {report.prefix}*): {report.deleted_via_api} deleted through the API, "
        f"{report.deleted_directly} directly, {report.left} left ({report.seconds:.2f}s)",
        file=out,
    )
    return EXIT_PASSED if report.left == 0 else EXIT_HARNESS
