"""``harness scenarios``: the scenario catalogue, and where each scenario came from
(``built-in``, or the plugin package that registered it)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from harness.cli.common import EXIT_PASSED
from harness.scenarios import catalogue


def register(commands: Any) -> None:
    commands.add_parser(
        "scenarios", help="list the scenario catalogue (built-in and plugins)"
    ).set_defaults(handler=handle)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    scenarios = catalogue()
    for name, definition in scenarios.items():
        print(
            f"{name:<22} group={definition.group:<10} tags={','.join(definition.tags):<11}"
            f" from={scenarios.source(name):<9}  {definition.summary}",
            file=out,
        )
    return EXIT_PASSED
