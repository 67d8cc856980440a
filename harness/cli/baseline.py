"""``harness baseline pin|unpin|show``: the baselines runs are judged against.

Rolling baselines need no command: every run is judged against the last ``[regression]
window`` passing runs of each series. ``pin`` freezes that window as it stood at one run
(e.g. a release) until ``unpin``; ``show`` prints what each series is compared with.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any, TextIO

from harness.cli.common import EXIT_PASSED, UsageError, add_store_flags, stores_from_args
from harness.config import HarnessConfig
from harness.judge.detection import fmt
from harness.judge.judgement import Stores
from harness.judge.series import is_confirm_run
from harness.judge.series_baselines import (
    baseline_for,
    pin_baselines,
    pinned_as_baseline,
    run_series,
)
from harness.planning.plan import target_identity
from harness.report.text import table
from harness.wire.metrics import METRICS


def register(commands: Any) -> None:
    baseline = commands.add_parser("baseline", help="pin, unpin or show baselines")
    actions = baseline.add_subparsers(dest="action", required=True)
    pin = actions.add_parser("pin", help="freeze the baselines as they stood at one run")
    pin.add_argument("run_id", metavar="RUN_ID", help="a stored run (see: harness history)")
    pin.add_argument("--scenario", metavar="NAME", help="only this scenario's series")
    unpin = actions.add_parser("unpin", help="go back to rolling baselines")
    show = actions.add_parser("show", help="what each series is compared with")
    for parser in (unpin, show):
        parser.add_argument(
            "--target-name",
            metavar="NAME",
            help="target name (default: the configured target's)",
        )
        parser.add_argument("--scenario", metavar="NAME", help="only this scenario's series")
    for parser in (pin, unpin, show):
        add_store_flags(parser)
        parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    config, stores = stores_from_args(args)
    if args.action == "pin":
        _pin(args.run_id, args.scenario, config, stores, out)
        return EXIT_PASSED
    target = args.target_name or target_identity(config.target)
    if args.action == "unpin":
        removed = stores.baselines.unpin(target, args.scenario)
        print(f"unpinned {removed} series of target {target}: rolling baselines again", file=out)
    else:
        _show(target, args.scenario, config, stores, out)
    return EXIT_PASSED


def _pin(
    run_id: str, scenario: str | None, config: HarnessConfig, stores: Stores, out: TextIO
) -> None:
    settings = config.regression
    run = stores.history.get_run(run_id)
    if run is None:
        raise UsageError(f"no stored run {run_id!r} (see: harness history)")
    if is_confirm_run(run):
        raise UsageError(f"{run_id} is a confirm pass; pin the run it confirmed")
    past = stores.history.recent_runs(run.target, settings.history_runs, before=run.started_at)
    frozen = pin_baselines(run, past, settings, datetime.now(UTC), scenario)
    if not frozen:
        only = f" for scenario {scenario!r}" if scenario else ""
        raise UsageError(f"run {run_id} has no series to pin{only}")
    stores.baselines.pin(frozen)
    print(f"pinned {len(frozen)} series of target {run.target} as of run {run_id}:", file=out)
    rows = [["SERIES", "SAMPLES", "MEDIAN", "NOTE"]]
    for baseline in frozen:
        base = pinned_as_baseline(baseline)
        short = base.count < settings.min_samples
        note = f"too few to judge (needs {settings.min_samples})" if short else ""
        rows.append([baseline.key, str(base.count), _value(baseline.metric, base.median), note])
    print("\n".join(table(rows)), file=out)


def _show(
    target: str, scenario: str | None, config: HarnessConfig, stores: Stores, out: TextIO
) -> None:
    settings = config.regression
    past = stores.history.recent_runs(target, settings.history_runs)
    latest = next((run for run in past if not is_confirm_run(run)), None)
    if latest is None:
        print(f"no runs of target {target} yet: baselines build up as runs are stored", file=out)
        return
    pinned = {baseline.key: baseline for baseline in stores.baselines.list_pinned(target)}
    rows = [["SERIES", "BASELINE", "SAMPLES", "MEDIAN", "MAD", "BETTER"]]
    for ref in run_series(latest):
        if scenario and ref.scenario != scenario:
            continue
        better = METRICS[ref.metric].direction.split("_")[0]
        base = baseline_for(ref, past, pinned, latest.suite, settings)
        if base is None:
            rows.append([ref.key, "none yet", "0", "-", "-", better])
            continue
        source = f"pinned at {pinned[ref.key].pinned_from}" if ref.key in pinned else "rolling"
        short = "" if base.count >= settings.min_samples else f" (<{settings.min_samples})"
        median, mad = _value(ref.metric, base.median), _value(ref.metric, base.mad)
        rows.append([ref.key, source, f"{base.count}{short}", median, mad, better])
    print(
        f"baselines of target {target} for the series of run {latest.run_id} "
        f"(window {settings.window}, judged from {settings.min_samples} samples):",
        file=out,
    )
    print("\n".join(table(rows)), file=out)


def _value(metric: str, value: float) -> str:
    spec = METRICS.get(metric)
    symbol = f" {spec.symbol}" if spec and spec.symbol else ""
    return f"{fmt(value)}{symbol}"
