"""``harness cost``: the month to date against the budget, and what recent runs cost per
scenario and per AWS service (the weekly cost review, by hand); ``--estimate SUITE`` prices a
suite before it runs."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from harness import layout
from harness.cli.common import EXIT_PASSED, add_config_flag, add_state_dir_flag, config_from_args
from harness.cli.stores import add_aws_flag, stores
from harness.config import HarnessConfig
from harness.judge.budget import month_start
from harness.judge.cost import RunCost, estimate_plan
from harness.judge.prices import RECORDED_ON, SOURCE
from harness.judge.review import cost_review
from harness.planning.plan import select_scenarios, spec_for
from harness.report.cost import render_cost_review
from harness.scenarios import catalogue
from harness.wire import RunRequest, SuiteName


def register(commands: Any) -> None:
    cost = commands.add_parser(
        "cost", help="month-to-date cost against the budget; cost per scenario of recent runs"
    )
    cost.set_defaults(handler=handle)
    cost.add_argument("--days", type=int, default=7, help="runs of the last N days (7)")
    cost.add_argument(
        "--estimate",
        choices=[suite.value for suite in SuiteName],
        metavar="SUITE",
        help="instead: what one run of SUITE (smoke, full) would cost in AWS",
    )
    cost.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="with --estimate: every scenario takes S seconds (default: its last recorded "
        "duration, else its timeout)",
    )
    add_config_flag(cost)
    add_state_dir_flag(cost)
    add_aws_flag(cost, "read")


def handle(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    history, _ = stores(args, config)
    now = datetime.now(UTC)
    if args.estimate:
        print(_render_estimate(args.estimate, _estimate(args, config, history), config), file=out)
        return EXIT_PASSED
    window = timedelta(days=args.days)
    month = history.runs_since(month_start(now))
    recent = history.runs_since(now - window)
    review = cost_review(recent, month, config, now, window)
    print(render_cost_review(review), file=out)
    return EXIT_PASSED


def _estimate(args: argparse.Namespace, config: HarnessConfig, history: Any) -> RunCost:
    scenarios = catalogue()
    _, names = select_scenarios(RunRequest(suite=args.estimate), config, scenarios)
    groups: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        spec = spec_for(name, scenarios[name], config)
        groups.setdefault(spec.group, []).append(spec.to_wire())
    # One lane: a run on one target (a pool adds one transition per further member).
    lane = {"groups": [{"name": g, "scenarios": specs} for g, specs in groups.items()]}
    plan = {"lanes": [lane]}
    known: dict[str, float] = {}
    for run in reversed(history.recent_runs(config.target.name, 20)):
        known.update({r.scenario: r.duration_seconds for r in run.results})
    seconds = {
        name: args.seconds
        if args.seconds is not None
        else known.get(name, scenarios[name].timeout_seconds)
        for name in names
    }
    return estimate_plan(layout.suite_definition(), plan, seconds, config)


def _render_estimate(suite: str, cost: RunCost, config: HarnessConfig) -> str:
    steps = cost.steps
    lines = [
        f"One {suite} run: ~${cost.total_usd:.6f} ({config.cost.region}; {SOURCE}, recorded "
        f"{RECORDED_ON})",
        f"  {steps.transitions} state transitions, {sum(steps.invocations.values())} Lambda "
        f"invocations, {cost.usage.lambda_gb_seconds:.1f} Lambda GB-s, "
        f"{cost.usage.fargate_vcpu_seconds:.1f} Fargate vCPU-s",
        "  by service: " + ", ".join(f"{k} ${v:.6f}" for k, v in cost.by_service.items()),
        "  by scenario: " + ", ".join(f"{k} ${v:.6f}" for k, v in cost.by_scenario.items()),
    ]
    return "\n".join(lines)
