"""Plan a run: validate the request, resolve the suite and the pool, estimate durations from
history, and lay the scenarios out in lanes (one per pool member) of groups."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from harness.config import HarnessConfig
from harness.errors import ConfigError, InvalidRunRequestError, StoreError, UnknownScenarioError
from harness.judge.results import RunResults
from harness.layout import function_spec
from harness.planning.cache import CachePlanner
from harness.planning.deployed import check_deployed
from harness.planning.estimates import Estimate, estimate_durations, estimate_warm_up
from harness.planning.payload import check_state_budget
from harness.planning.pool import (
    name_from_endpoint,
    resolve_pool,
    resolve_target,
    target_identity,
)
from harness.planning.schedule import Job, Schedule, lower_bound, schedule
from harness.planning.selection import bounded, decide
from harness.scenarios.base import ScenarioDefinition
from harness.wire import (
    FanOutPlan,
    GroupPlan,
    LanePlan,
    NotRun,
    ResolvedTarget,
    RunContext,
    RunPlan,
    RunRequest,
    RunSummary,
    ScenarioSpec,
    UserBatch,
)

__all__ = [
    "Layout",
    "auto_pool_size",
    "lay_out",
    "name_from_endpoint",
    "new_run_id",
    "plan_run",
    "planned_specs",
    "resolve_target",
    "select_scenarios",
    "spec_for",
    "target_identity",
]


def new_run_id(now: datetime) -> str:
    """Sortable by time, unique enough for concurrent starts: ``20261124T053349Z-3fa2c1``."""
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run_id_for(request: RunRequest, config: HarnessConfig, now: datetime) -> str:
    """The request's run id locally; in AWS always a new one (cleanup deletes by run id, so
    whoever can start an execution must not pick it)."""
    if not config.run.deployed:
        return request.run_id or new_run_id(now)
    if request.run_id is not None:
        raise InvalidRunRequestError(
            "runId: the deployed harness makes the run id itself; remove runId from the input"
        )
    return new_run_id(now)


def select_scenarios(
    request: RunRequest, config: HarnessConfig, catalogue: Mapping[str, ScenarioDefinition]
) -> tuple[str, list[str]]:
    """The suite label and the scenario names to run, in catalogue order for suites."""
    if request.scenarios is not None:
        unknown = [
            f"scenarios[{index}]: unknown scenario '{name}'"
            for index, name in enumerate(request.scenarios)
            if name not in catalogue
        ]
        if unknown:
            raise UnknownScenarioError(
                "; ".join(unknown) + f" (known scenarios: {', '.join(sorted(catalogue))})"
            )
        return "custom", list(dict.fromkeys(request.scenarios))
    suite = request.suite.value if request.suite is not None else config.run.default_suite
    names = [
        name
        for name, definition in catalogue.items()
        if config.scenario(name).enabled
        and suite in (config.scenario(name).tags or definition.tags)
    ]
    if not names:
        raise InvalidRunRequestError(
            f"suite: '{suite}' selects no scenarios; tag scenarios with '{suite}' or pick "
            "another suite (smoke, full)"
        )
    return suite, names


def spec_for(name: str, definition: ScenarioDefinition, config: HarnessConfig) -> ScenarioSpec:
    override = config.scenario(name)
    unknown = sorted(set(override.params) - set(definition.params))
    if unknown:
        raise ConfigError(
            f"scenarios.{name}.params: unknown parameter(s) {unknown}; "
            f"'{name}' takes {sorted(definition.params)}"
        )
    params = dict(override.params)
    return ScenarioSpec(
        name=name,
        group=override.group or definition.group,
        tags=list(override.tags or definition.tags),
        timeout_seconds=override.timeout_seconds or definition.timeout_seconds,
        retries=override.retries if override.retries is not None else 0,
        params=params,
        disrupts=sorted(definition.disrupts),
        uses=sorted(definition.uses),
        needs=definition.needs,
        fan_out=_fan_out(name, definition, {**definition.params, **params}, config),
    )


def _fan_out(
    name: str,
    definition: ScenarioDefinition,
    params: Mapping[str, float | int | str | bool],
    config: HarnessConfig,
) -> FanOutPlan | None:
    """A load scenario's users in batches of ``[load] users_per_batch``."""
    if definition.fan_out is None:
        return None
    field = definition.fan_out.users_param
    users = params[field]
    if isinstance(users, bool) or not isinstance(users, int) or users < 1:
        raise ConfigError(f"scenarios.{name}.params.{field}: must be an integer >= 1, got {users}")
    size = config.load.users_per_batch
    batches = [
        UserBatch(first_user=first, count=min(size, users - first + 1))
        for first in range(1, users + 1, size)
    ]
    return FanOutPlan(
        users=users,
        batches=batches,
        max_concurrency=min(len(batches), config.load.max_batches_in_flight),
        distributed=len(batches) > config.load.distributed_above_batches,
    )


def planned_specs(
    request: RunRequest, config: HarnessConfig, catalogue: Mapping[str, ScenarioDefinition]
) -> tuple[str, list[ScenarioSpec]]:
    """The suite label and a spec per selected scenario (no estimates yet)."""
    suite, names = select_scenarios(request, config, catalogue)
    return suite, [spec_for(name, catalogue[name], config) for name in names]


def job_for(
    spec: ScenarioSpec, definition: ScenarioDefinition, seconds: float, config: HarnessConfig
) -> Job:
    settings = config.group(spec.group)
    return Job(
        name=spec.name,
        seconds=seconds,
        disrupts=frozenset(spec.disrupts),
        uses=frozenset(spec.uses),
        needs=spec.needs,
        leaves=definition.leaves,
        label=spec.group,
        label_exclusive=not settings.parallel,
        max_concurrency=settings.max_concurrency,
    )


def schedule_within_slots(
    jobs: Sequence[Job], lanes: int, config: HarnessConfig, warm_up: float = 0.0
) -> tuple[Schedule, list[Job]]:
    """The layout of ``jobs`` on up to ``lanes`` targets (each starting cold, paying
    ``warm_up`` before a group that needs a container there) that never runs more scenarios
    at once than the run_scenario function's reserved concurrency (beyond it AWS throttles
    them, and a scenario throttled past its retries errors). When the free layout would,
    each lane gets an equal share of the slots; returns the layout and the jobs as capped."""
    laid_out = schedule(jobs, lanes, warm_up)
    slots = function_spec("run_scenario", config.deploy.functions).reserved_concurrency
    if slots is None or laid_out.most_at_once <= slots:
        return laid_out, list(jobs)
    lanes = max(1, min(lanes, slots))
    share = max(1, slots // lanes)
    capped = [replace(job, max_concurrency=min(job.max_concurrency, share)) for job in jobs]
    return schedule(capped, lanes, warm_up), capped


@dataclass(frozen=True)
class Layout:
    """A plan and what explains it (``harness plan`` prints this)."""

    plan: RunPlan
    schedule: Schedule
    estimates: dict[str, Estimate]
    jobs: list[Job]
    pool: list[ResolvedTarget]
    warm_up: Estimate  # what a lane pays before a warm group on a cold service

    @property
    def lower_bound(self) -> float:
        return lower_bound(self.jobs, len(self.plan.lanes), self.warm_up.seconds)


def lay_out(
    request: RunRequest,
    config: HarnessConfig,
    catalogue: Mapping[str, ScenarioDefinition],
    now: datetime,
    recent: Sequence[RunSummary] = (),
    cache: CachePlanner | None = None,
    results: RunResults | None = None,
) -> Layout:
    """The plan, from the request, the config (pool, groups, load, selection) and recent runs.
    With ``cache``, fresh passes answer their scenarios; with ``results``, why each scenario
    runs, is skipped or reused is stored with the run (by reference: hundreds of reasons would
    crowd the state), for Aggregate to record."""
    suite, planned = planned_specs(request, config, catalogue)
    target, pool = resolve_pool(config, request.target)
    check_deployed(request, config, pool)
    run = RunContext(
        run_id=run_id_for(request, config, now),
        suite=suite,
        started_at=now,
        target=target,
        # The change list is consumed here: the rest of the run never carries it.
        flags=request.flags.model_copy(update={"changed_files": None}),
        pool=pool if len(pool) > 1 else [],
    )
    specs, skipped, reasons = _select(request, config, catalogue, suite, planned)
    cached: list[NotRun] = []
    notices: list[str] = []
    if cache is not None:
        modules = {spec.name: catalogue[spec.name].run.__module__ for spec in specs}
        reused = cache.apply(run, specs, modules, now)
        specs, cached, notices = reused.to_run, reused.cached, notices + reused.notices
        for name, why in reused.reasons.items():
            reasons[name] = bounded(f"{why}; {reasons[name]}")
    if results is not None:
        try:
            results.put_reasons(run.run_id, reasons)
        except StoreError as err:
            notices.append(bounded(f"the selection reasons could not be stored: {err}"))
    estimates = estimate_durations(
        [spec.name for spec in specs], recent, config.planning.default_estimate_seconds
    )
    jobs = [
        job_for(spec, catalogue[spec.name], estimates[spec.name].seconds, config) for spec in specs
    ]
    # Every pool member starts with its edit service cold (the stack scales to zero when idle).
    warm_up = estimate_warm_up(recent, config.warm_up_estimate_seconds)
    limit = request.flags.max_group_concurrency or config.run.max_group_concurrency
    lanes_at_most = min(len(pool), limit or len(pool))
    laid_out, jobs = schedule_within_slots(jobs, lanes_at_most, config, warm_up.seconds)
    by_name = {spec.name: spec for spec in specs}
    lanes = []
    for lane in laid_out.lanes:
        member = pool[lane.index]
        groups = [
            GroupPlan(
                name=f"{member.name}#{number}",
                parallel=len(group.jobs) > 1 and group.concurrency > 1,
                max_concurrency=group.concurrency if len(group.jobs) > 1 else 1,
                needs=group.needs,
                expected_seconds=round(group.seconds, 3),
                warm_up_seconds=round(warm_up.seconds, 3) if pays else 0.0,
                scenarios=[
                    by_name[job.name].model_copy(
                        update={"expected_seconds": estimates[job.name].seconds}
                    )
                    for job in group.jobs
                ],
            )
            for number, (group, pays) in enumerate(zip(lane.groups, lane.warm_ups, strict=True), 1)
        ]
        lanes.append(
            LanePlan(target=member, groups=groups, expected_seconds=round(lane.seconds, 3))
        )
    plan = RunPlan(
        run=run,
        lanes=lanes,
        max_group_concurrency=max(1, len(lanes)),
        expected_seconds=round(laid_out.seconds, 3),
        notices=notices,
        skipped=skipped,
        cached=cached,
    )
    check_state_budget(plan)
    return Layout(
        plan=plan,
        schedule=laid_out,
        estimates=estimates,
        jobs=jobs,
        pool=pool,
        warm_up=warm_up,
    )


def _select(
    request: RunRequest,
    config: HarnessConfig,
    catalogue: Mapping[str, ScenarioDefinition],
    suite: str,
    planned: Sequence[ScenarioSpec],
) -> tuple[list[ScenarioSpec], list[NotRun], dict[str, str]]:
    """Change-based selection: (specs to run, skipped ones, the reason for each scenario)."""
    by_name = {spec.name: spec for spec in planned}
    specs, skipped, reasons = [], [], {}
    for decision in decide(request, config, catalogue, suite, list(by_name)):
        spec = by_name[decision.scenario]
        reasons[spec.name] = decision.reason
        if decision.selected:
            specs.append(spec)
        else:
            skipped.append(NotRun(name=spec.name, group=spec.group))
    return specs, skipped, reasons


def plan_run(
    request: RunRequest,
    config: HarnessConfig,
    catalogue: Mapping[str, ScenarioDefinition],
    now: datetime,
    recent: Sequence[RunSummary] = (),
    cache: CachePlanner | None = None,
    results: RunResults | None = None,
) -> RunPlan:
    return lay_out(request, config, catalogue, now, recent, cache, results).plan


def auto_pool_size(
    specs: Sequence[ScenarioSpec],
    catalogue: Mapping[str, ScenarioDefinition],
    config: HarnessConfig,
    cap: int,
) -> int:
    """How many pool members keep every group of these scenarios running at once: the lanes
    an unbounded pool would use (durations unknown, so every scenario counts the same)."""
    jobs = [job_for(spec, catalogue[spec.name], 1.0, config) for spec in specs]
    return max(1, min(cap, len(schedule(jobs, len(jobs)).lanes)))
