"""``harness history``: the recorded runs, newest first."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from harness.cli.common import EXIT_PASSED, add_config_flag, add_state_dir_flag, config_from_args
from harness.report.text import render_history


def register(commands: Any) -> None:
    history = commands.add_parser("history", help="list recorded runs, newest first")
    history.set_defaults(handler=handle)
    add_config_flag(history)
    add_state_dir_flag(history)
    history.add_argument("--limit", type=int, default=20)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    from harness.local.sqlite_history import SqliteHistory

    config = config_from_args(args)
    store = SqliteHistory.in_state_dir(Path(config.local.state_dir))
    runs = store.list_runs(args.limit)
    print(render_history(runs), file=out)
    return EXIT_PASSED
