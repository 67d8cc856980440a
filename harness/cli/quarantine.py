"""``harness quarantine SCENARIO``: keep a scenario running and reported, but not gating the
verdict (its failures and regressions are suppressed) until the entry expires."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from harness.cli.common import config_from_args
from harness.cli.known import add_entry, add_entry_flags
from harness.judge.ledger import quarantine_pattern
from harness.planning.plan import target_identity
from harness.scenarios import get_scenario


def register(commands: Any) -> None:
    quarantine = commands.add_parser(
        "quarantine", help="stop a scenario from gating (reason, owner, expiry)"
    )
    quarantine.set_defaults(handler=handle)
    quarantine.add_argument("scenario", metavar="SCENARIO", help="a scenario of the catalogue")
    quarantine.add_argument(
        "--target-name",
        metavar="NAME",
        help="the target it is quarantined on (default: the configured target's; * for all)",
    )
    add_entry_flags(quarantine)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    get_scenario(args.scenario)  # an unknown name fails here, listing the known ones
    target = args.target_name or target_identity(config_from_args(args).target)
    return add_entry(args, "quarantine", quarantine_pattern(target, args.scenario), out)
