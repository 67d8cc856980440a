"""``harness scenarios``: the scenario catalogue."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from harness.cli.common import EXIT_PASSED
from harness.scenarios import CATALOGUE


def register(commands: Any) -> None:
    commands.add_parser("scenarios", help="list the scenario catalogue").set_defaults(
        handler=handle
    )


def handle(args: argparse.Namespace, out: TextIO) -> int:
    for definition in CATALOGUE.values():
        print(
            f"{definition.name:<22} group={definition.group:<10} tags={','.join(definition.tags)}"
            f"  {definition.summary}",
            file=out,
        )
    return EXIT_PASSED
