"""``harness select``: which scenarios a change would run, and why, without running anything."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from pydantic import ValidationError

from harness.cli.changes import add_change_flags, changed_files_from_args
from harness.cli.common import EXIT_PASSED, UsageError, add_config_flag, config_from_args
from harness.config import format_validation_error
from harness.planning.plan import select_scenarios, spec_for
from harness.planning.selection import decide
from harness.report.text import table
from harness.scenarios import catalogue
from harness.wire import RunRequest


def register(commands: Any) -> None:
    select = commands.add_parser(
        "select", help="show which scenarios a change would run and why (runs nothing)"
    )
    select.set_defaults(handler=handle)
    choice = select.add_mutually_exclusive_group()
    choice.add_argument("--suite", choices=["smoke", "full"], help="suite (default: full)")
    choice.add_argument("--scenario", action="append", metavar="NAME", help="as for run")
    add_config_flag(select)
    add_change_flags(select)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    changed = changed_files_from_args(args)
    raw: dict[str, Any] = {"suite": args.suite, "scenarios": args.scenario}
    if changed is not None:
        raw["flags"] = {"changedFiles": changed}
    try:
        request = RunRequest.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as err:
        raise UsageError(f"invalid selection request:\n{format_validation_error(err)}") from err
    known = catalogue()
    suite, names = select_scenarios(request, config, known)
    decisions = decide(request, config, known, suite, names)
    rows = [["SCENARIO", "GROUP", "DECISION", "WHY"]]
    for decision in decisions:
        group = spec_for(decision.scenario, known[decision.scenario], config).group
        rows.append(
            [decision.scenario, group, "run" if decision.selected else "skip", decision.reason]
        )
    print("\n".join(table(rows)), file=out)
    chosen = sum(1 for decision in decisions if decision.selected)
    source = "no change list" if changed is None else f"{len(changed)} changed file(s)"
    print(
        f"\n{chosen} of {len(decisions)} scenario(s) of the {suite} suite would run ({source}).",
        file=out,
    )
    return EXIT_PASSED
