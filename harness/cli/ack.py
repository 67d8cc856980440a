"""``harness ack SERIES``: acknowledge a known regression. It is still found and shown, marked
with the entry, but neither alerts nor gates the verdict until the entry expires."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from harness.cli.known import add_entry, add_entry_flags


def register(commands: Any) -> None:
    ack = commands.add_parser("ack", help="acknowledge a regression (reason, owner, expiry)")
    ack.set_defaults(handler=handle)
    ack.add_argument(
        "series",
        metavar="SERIES",
        help="series key <target>/<scenario>/<metric> as the regression section shows it; "
        "wildcards * and ? allowed (reference/cold-start/*)",
    )
    add_entry_flags(ack)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    return add_entry(args, "ack", args.series, out)
