"""``harness history``: the recorded runs, newest first (local, or the deployed table)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from harness.cli.common import (
    EXIT_PASSED,
    add_aws_history_flag,
    add_config_flag,
    add_state_dir_flag,
    config_from_args,
    history_from_args,
)
from harness.report.text import render_history


def register(commands: Any) -> None:
    history = commands.add_parser("history", help="list recorded runs, newest first")
    history.set_defaults(handler=handle)
    add_config_flag(history)
    add_state_dir_flag(history)
    add_aws_history_flag(history)
    history.add_argument("--limit", type=int, default=20)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    store, _ = history_from_args(args, config_from_args(args))
    print(render_history(store.list_runs(args.limit)), file=out)
    return EXIT_PASSED
