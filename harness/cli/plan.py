"""``harness plan``: the plan a run would get, with expected durations, the critical path and
why each scenario is where it is. Nothing is started and nothing is written."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import ValidationError

from harness.cli.common import (
    EXIT_PASSED,
    UsageError,
    add_config_flag,
    add_selection_flags,
    add_state_dir_flag,
    config_from_args,
)
from harness.config import HarnessConfig, TargetMember, format_validation_error
from harness.errors import HistoryError
from harness.planning.explain import explain
from harness.planning.plan import lay_out
from harness.planning.pool import reference_planning, reference_pool, target_identity
from harness.scenarios import catalogue
from harness.wire import RunRequest, RunSummary


# Stands in for the addresses the run's bundled targets do not have yet: a valid URL (the
# config checks every endpoint) on a reserved domain (RFC 2606) that nothing ever answers.
def _bundled(name: str) -> str:
    return f"http://{name}.bundled.invalid"


def register(commands: Any) -> None:
    plan = commands.add_parser(
        "plan", help="show the plan a run would get: lanes, expected durations, and why"
    )
    plan.set_defaults(handler=handle)
    add_selection_flags(plan)
    add_config_flag(plan)
    add_state_dir_flag(plan)
    plan.add_argument("--target", metavar="URL_OR_FILE", help="as for run")


def handle(args: argparse.Namespace, out: TextIO) -> int:
    from harness.cli.run import local_resources

    config = config_from_args(args)
    try:
        request = RunRequest.model_validate(
            {k: v for k, v in {"suite": args.suite, "scenarios": args.scenario}.items() if v}
        )
    except ValidationError as err:
        raise UsageError(f"invalid selection:\n{format_validation_error(err)}") from err
    config, where = _pool(local_resources(config, request))
    recent = _recent(config)
    layout = lay_out(request, config, catalogue(), datetime.now(UTC), recent)
    print(
        f"Plan for the {layout.plan.run.suite} suite on {config.target.name} ({where}); "
        f"durations from {len(recent)} recent run(s):",
        file=out,
    )
    print("", file=out)
    print(explain(layout), file=out)
    return EXIT_PASSED


def _pool(config: HarnessConfig) -> tuple[HarnessConfig, str]:
    """The pool as the run would have it; bundled targets get names but no address yet."""
    bundled = not config.target.endpoint and all(not m.endpoint for m in config.targets)
    if not bundled:
        size = max(1, len(config.targets))
        return config, f"a pool of {size} target(s)" if size > 1 else "one target"
    members = (
        [m.model_copy(update={"endpoint": _bundled(m.name)}) for m in config.targets]
        if config.targets
        else [
            TargetMember.model_validate({**m.model_dump(), "endpoint": _bundled(m.name)})
            for m in reference_pool(config.target, config.reference_target.pool_size or 1)
        ]
    )
    pooled = config.model_copy(
        update={
            # Named as the run names it (history, durations), not after the stand-in address.
            "target": config.target.model_copy(
                update={"endpoint": members[0].endpoint, "name": target_identity(config.target)}
            ),
            "targets": members if len(members) > 1 else [],
            "reference_target": config.reference_target.model_copy(update={"pool_size": 0}),
            "planning": reference_planning(config),
        }
    )
    return pooled, f"{len(members)} bundled reference target(s), started by the run"


def _recent(config: HarnessConfig) -> list[RunSummary]:
    from harness.wiring import history_store

    try:
        store = history_store(config)
        return store.recent_runs(config.target.name, config.planning.history_runs)
    except HistoryError:
        return []
