"""Resource-aware parallel plans: how long the state machine takes to run a plan (RunLanes,
from its history) against the sum of the scenario times (what one-after-another costs) and
the critical path the constraints allow: the planner's layout recomputed on the durations
actually measured and the warm-up actually measured (a pool starts cold, so a lane whose
first groups need a container waits for one cold start in their setup). The scenario-only
path (warm-ups left out) and the lower bound no layout can beat are printed too.

Two suites, each run twice on the local engine (the first run seeds the durations the
second one plans with; nothing follows the history while a run runs, it is read after):

- the built-in suite on a pool of ``--pool`` bundled reference targets;
- a synthetic suite of ``--synthetic`` scenarios that sleep 0.3-3 s, every fourth one
  disrupting the edit service.

    python -m benchmarks.plan [--pool 3] [--synthetic 24] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.aws.clients import client
from harness.config import HarnessConfig
from harness.execution.history import ExecutionOutcome, apply_event
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer, start_moto_server
from harness.planning.estimates import WARM_UP_METRIC
from harness.planning.plan import job_for, planned_specs, schedule_within_slots
from harness.planning.schedule import Group, Job, lower_bound, warm_ups
from harness.scenarios import catalogue
from harness.scenarios.base import API, EDIT_SERVICE, ScenarioContext, ScenarioDefinition
from harness.wire import RunPlan, RunRequest, RunSummary, ServiceState

SYNTHETIC = "synthetic"
# The module (the package exports its ``catalogue()`` function under the same name).
catalogue_module: Any = importlib.import_module("harness.scenarios.catalogue")


@dataclass(frozen=True)
class Measured:
    suite: str
    wall: float  # RunLanes, entered to exited
    total: float  # the whole execution
    sequential: float  # the sum of the scenario durations
    critical_path: float  # the planner's layout on the measured durations and warm-up
    scenario_path: float  # the same, warm-ups left out
    warm_up: float  # what one warm-up took (the setups that paid one, p50)
    lower_bound: float
    planned: float  # what the plan expected before the run
    setup: float  # the most any one target waited in group setups (cold starts not tested)
    passed: bool


def synthetic_suite(count: int, scale: float) -> list[ScenarioDefinition]:
    """Scenarios that only sleep: spread durations, every fourth one disrupting."""

    def sleeper(seconds: float) -> Any:
        def run(ctx: ScenarioContext) -> None:
            time.sleep(seconds)
            ctx.metric("slept_seconds", seconds)

        return run

    suite = []
    for number in range(count):
        seconds = round(scale * (0.3 + 2.7 * ((number * 7) % count) / max(1, count - 1)), 3)
        disruptive = number % 4 == 0
        suite.append(
            ScenarioDefinition(
                name=f"synthetic-{number:02d}",
                summary=f"sleeps {seconds}s (benchmark scaffolding)",
                group=SYNTHETIC,
                tags=(SYNTHETIC,),
                timeout_seconds=120,
                metrics={"slept_seconds": "seconds"},
                checks=(),
                run=sleeper(seconds),
                disrupts=frozenset({EDIT_SERVICE}) if disruptive else frozenset(),
                uses=frozenset({API}) if disruptive else frozenset({EDIT_SERVICE, API}),
                needs=ServiceState.ANY,
            )
        )
    return suite


@contextmanager
def registered(definitions: list[ScenarioDefinition]) -> Iterator[None]:
    """The synthetic scenarios in the catalogue, as plugins, while the benchmark runs (the
    in-process Lambda handlers look scenarios up in the same catalogue)."""
    installed = catalogue_module.plugin_entries

    def with_synthetic(points: Any = None) -> list[tuple[ScenarioDefinition, str]]:
        return [*installed(points), *((d, "plugin benchmarks.plan") for d in definitions)]

    catalogue_module.plugin_entries = with_synthetic
    catalogue_module.catalogue.cache_clear()
    try:
        yield
    finally:
        catalogue_module.plugin_entries = installed
        catalogue_module.catalogue.cache_clear()


def run_quietly(
    engine: LocalEngine, execution_input: dict[str, Any], name: str
) -> tuple[ExecutionOutcome, list[dict[str, Any]]]:
    """Run one execution without following its history meanwhile (a follower re-reading a
    long history five times a second takes CPU from the run it watches); read it at the end."""
    sfn = client(
        "stepfunctions", region=engine.config.history.region, endpoint_url=engine.moto.endpoint
    )
    arn = sfn.start_execution(
        stateMachineArn=engine.state_machine_arn, name=name, input=json.dumps(execution_input)
    )["executionArn"]
    limit = engine.config.sla.suite_max_seconds
    deadline = time.monotonic() + limit
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} still running after {limit}s")
        time.sleep(0.5)
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    outcome = ExecutionOutcome(execution_arn=arn)
    for event in events:
        apply_event(outcome, event)
    return outcome, events


def _setup_waits(events: list[dict[str, Any]]) -> float:
    """The most any one target waited in its group setups (for a container to start)."""
    waited: dict[str, float] = {}
    for event in events:
        details = event.get("stateExitedEventDetails") or {}
        if details.get("name") == "SetupGroup":
            state = json.loads(details.get("output") or "{}")
            member = str(state.get("target", {}).get("name", "?"))
            seconds = float((state.get("setup") or {}).get("waitedSeconds", 0.0))
            waited[member] = waited.get(member, 0.0) + seconds
    return max(waited.values(), default=0.0)


def _measured_warm_up(
    events: list[dict[str, Any]], plan: RunPlan, jobs: dict[str, Job], summary: RunSummary
) -> float:
    """What one warm-up took: the p50 of the setup waits of the groups that paid one (a
    warm group on a cold service, as the planner counts them), else the run's measured cold
    start, else nothing."""
    paid: set[str] = set()
    for lane in plan.lanes:
        groups = [Group([jobs[spec.name] for spec in group.scenarios]) for group in lane.groups]
        paid.update(g.name for g, pays in zip(lane.groups, warm_ups(groups), strict=True) if pays)
    waits = []
    for event in events:
        details = event.get("stateExitedEventDetails") or {}
        if details.get("name") == "SetupGroup":
            state = json.loads(details.get("output") or "{}")
            if state.get("group", {}).get("name") in paid:
                waits.append(float((state.get("setup") or {}).get("waitedSeconds", 0.0)))
    if not waits:
        waits = [
            metric.value
            for result in summary.results
            for metric in result.metrics
            if metric.name == WARM_UP_METRIC
        ]
    return statistics.median(waits) if waits else 0.0


def _timestamps(events: list[dict[str, Any]]) -> tuple[float, float]:
    def at(kind: str, name: str | None = None) -> datetime:
        for event in events:
            details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails")
            if event["type"] == kind and (name is None or (details or {}).get("name") == name):
                return event["timestamp"]  # type: ignore[no-any-return]
        raise LookupError(f"no {kind} {name or ''} in the history")

    wall = (at("MapStateExited", "RunLanes") - at("MapStateEntered", "RunLanes")).total_seconds()
    total = (events[-1]["timestamp"] - events[0]["timestamp"]).total_seconds()
    return wall, total


def measure(
    moto: MotoServer, config: HarnessConfig, request: dict[str, Any], suite: str
) -> Measured:
    """Run twice (the first run seeds the history the second plans with); measure the second."""
    with (
        tempfile.TemporaryDirectory() as state,
        LocalEngine(config, Path(state), moto=moto) as engine,
    ):
        for attempt in range(2):
            run_id = f"bench-{uuid.uuid4().hex[:6]}-{attempt}"
            outcome, events = run_quietly(engine, {**request, "runId": run_id}, run_id)
        summary, plan = outcome.summary, outcome.plan
        if summary is None or plan is None:
            raise RuntimeError(f"{suite}: the run could not be judged: {outcome.cause}")
        wall, total = _timestamps(events)
        measured = {result.scenario: result.duration_seconds for result in summary.results}
        scenarios = catalogue()
        _, specs = planned_specs(RunRequest.model_validate(request), engine.config, scenarios)
        jobs = [
            job_for(spec, scenarios[spec.name], measured[spec.name], engine.config)
            for spec in specs
        ]
        warm_up = _measured_warm_up(events, plan, {job.name: job for job in jobs}, summary)
        lanes = len(plan.run.members)  # the pool, whether or not the plan used all of it
        critical, capped = schedule_within_slots(jobs, lanes, engine.config, warm_up)
        scenarios_only, _ = schedule_within_slots(jobs, lanes, engine.config)
        return Measured(
            suite=suite,
            wall=wall,
            total=total,
            sequential=sum(measured.values()),
            critical_path=critical.seconds,
            scenario_path=scenarios_only.seconds,
            warm_up=warm_up,
            lower_bound=lower_bound(capped, lanes, warm_up),
            planned=plan.expected_seconds,
            setup=_setup_waits(events),
            passed=summary.verdict.value == "passed",
        )


def run(
    moto: MotoServer, pool: int, synthetic: int, scale: float, builtin: bool = True
) -> list[Measured]:
    def config(suffix: str) -> HarnessConfig:
        return HarnessConfig.model_validate(
            {
                "target": {
                    "name": f"bench-{suffix}",
                    "ecs_cluster": f"bench-{suffix}",
                    "ecs_service": f"edit-{suffix}",
                    "sessions_table": f"sessions-{suffix}",
                },
                "reference_target": {"pool_size": pool},
                "cache": {"enabled": False},  # the second run must run, not be reused
            }
        )

    results = []
    if builtin:
        results.append(measure(moto, config(uuid.uuid4().hex[:6]), {"suite": "full"}, "built-in"))
    definitions = synthetic_suite(synthetic, scale)
    with registered(definitions):
        request = {"scenarios": [d.name for d in definitions]}
        results.append(measure(moto, config(uuid.uuid4().hex[:6]), request, SYNTHETIC))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", type=int, default=3, help="bundled reference targets")
    parser.add_argument("--synthetic", type=int, default=24, help="synthetic scenarios")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies their durations")
    args = parser.parse_args()
    moto = start_moto_server()
    try:
        rows = run(moto, args.pool, args.synthetic, args.scale)
    finally:
        moto.stop()
    print(f"parallel plans on a pool of {args.pool} reference targets (second of two runs):")
    for row in rows:
        print(
            f"  {row.suite:<9} wall {row.wall:6.2f}s  sequential {row.sequential:6.2f}s "
            f"(x{row.sequential / row.wall:4.2f} faster)  critical path {row.critical_path:6.2f}s "
            f"(wall x{row.wall / row.critical_path:4.2f} of it; warm-ups of {row.warm_up:4.2f}s "
            f"included, scenarios only {row.scenario_path:6.2f}s)  lower bound "
            f"{row.lower_bound:5.2f}s  planned {row.planned:5.2f}s  setups waited up to "
            f"{row.setup:4.2f}s on a target  whole execution {row.total:5.2f}s  "
            f"{'passed' if row.passed else 'FAILED'}"
        )


if __name__ == "__main__":
    main()
