"""What a scenario is, and the context it runs in.

A scenario is a plain function ``run(ctx)`` plus a little metadata, including what it does
to the target: the resources it **disrupts** (needs alone) and merely **uses**, and the
edit-service state it **needs** to start from. It talks to the target only through
``ctx.api`` (HTTP, the target contract) and ``ctx.infra`` (the AWS side), so the same code
runs in a local run and in Lambda. A load scenario also has a ``FanOut``: its users run in
batches, one Map iteration (one Lambda) each, and a judge combines what they saw.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar, get_args

from harness.config import SlaConfig
from harness.errors import (
    CheckFailedError,
    ScenarioContractError,
    ScenarioDefinitionError,
    ScenarioTimeoutError,
)
from harness.execution.heartbeat import Wait
from harness.ports import TargetApi, TargetInfra
from harness.wire import (
    SCENARIO_NAME_PATTERN,
    Check,
    Comparison,
    Metric,
    MetricUnit,
    RunContext,
    ScenarioSpec,
    ServiceState,
    TargetResource,
)

T = TypeVar("T")
ParamValue = float | int | str | bool
SLA_CHECK_PREFIX = "sla:"
"""The runner's own checks (one per metric recorded with an SLA); no scenario declares them."""
MAX_TIMEOUT_SECONDS = 900  # a scenario runs in one Lambda invocation
EDIT_SERVICE, SESSIONS_TABLE, API, WORKSPACES = (
    TargetResource.EDIT_SERVICE,
    TargetResource.SESSIONS_TABLE,
    TargetResource.API,
    TargetResource.WORKSPACES,
)
EVERYTHING = frozenset(TargetResource)
"""What a scenario that declares nothing is taken to disrupt: it runs with the target alone."""


@dataclass(frozen=True)
class FanOut:
    """How a load scenario spreads its users (``params[users_param]``) over batches.

    ``run_batch(ctx, users)`` plays the users numbered ``users`` (from 1) and records raw
    samples with ``ctx.sample``; ``judge(ctx, samples)`` turns every batch's samples into
    metrics. ``timing_checks`` are the checks a saturated load generator can fail on its
    own (timeouts, SLA limits): with the generator saturated they blame the harness.
    """

    users_param: str
    run_batch: Callable[[ScenarioContext, range], None]
    judge: Callable[[ScenarioContext, Mapping[str, list[float]]], None]
    timing_checks: frozenset[str] = frozenset()


_waits: dict[tuple[str, str], Wait] = {}
_waits_lock = threading.Lock()


def current_wait(run_id: str, scenario: str) -> Wait | None:
    """The wait a scenario of this process is in, if any (local runs show it while waiting;
    in Lambda the scenario runs in another process and this stays empty)."""
    with _waits_lock:
        return _waits.get((run_id, scenario))


@dataclass(frozen=True)
class ScenarioDefinition:
    """A catalogue entry, checked when it is made: a bad name, unit or timeout fails here,
    at registration, not in the middle of a run.

    ``metrics`` maps each metric the scenario records to its unit; ``checks`` names every
    check it may record. The runner holds a scenario to both (``ScenarioContractError``).

    ``disrupts``, ``uses``, ``needs`` and ``leaves`` declare what it does to the target: the
    planner never runs a scenario that disrupts a resource next to one that uses it. One that
    declares nothing is taken to disrupt everything (it runs with its target alone).
    """

    name: str
    summary: str
    group: str
    tags: tuple[str, ...]
    timeout_seconds: int
    metrics: Mapping[str, MetricUnit]
    checks: tuple[str, ...]
    run: Callable[[ScenarioContext], object]  # what it returns is ignored
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    disrupts: frozenset[TargetResource] = EVERYTHING
    uses: frozenset[TargetResource] = frozenset()
    needs: ServiceState = ServiceState.ANY  # the edit service's state when it starts
    leaves: ServiceState = ServiceState.ANY  # ... and when it ends
    fan_out: FanOut | None = None

    def __post_init__(self) -> None:
        problems = definition_problems(self)
        if problems:
            raise ScenarioDefinitionError(
                f"scenario {self.name!r} is not valid:\n" + "\n".join(f"- {p}" for p in problems)
            )


def definition_problems(definition: ScenarioDefinition) -> list[str]:
    """Every way the definition breaks the catalogue's rules, one line each (empty = valid)."""
    problems = []
    if not re.fullmatch(SCENARIO_NAME_PATTERN, definition.name):
        problems.append(
            f"name: {definition.name!r} does not match {SCENARIO_NAME_PATTERN} (lowercase "
            "letters, digits and '-', e.g. 'preview-assets'): --scenario and the state "
            "machine accept no other"
        )
    if not definition.group.strip():
        problems.append("group: must not be empty (scenarios of a group share setup/teardown)")
    if not 1 <= definition.timeout_seconds <= MAX_TIMEOUT_SECONDS:
        problems.append(f"timeout_seconds: {definition.timeout_seconds} is not in 1..900")
    units = get_args(MetricUnit)
    for metric, unit in definition.metrics.items():
        if unit not in units:
            problems.append(f"metrics.{metric}: unit {unit!r} is not one of {', '.join(units)}")
    for check in definition.checks:
        if not check or check.startswith(SLA_CHECK_PREFIX):
            problems.append(f"checks: {check!r} is empty or uses the runner's 'sla:' prefix")
    if len(set(definition.checks)) != len(definition.checks):
        problems.append("checks: names must be unique")
    if not callable(definition.run):
        problems.append("run: must be a function run(ctx)")
    for state, what in ((definition.needs, "needs"), (definition.leaves, "leaves")):
        if state is ServiceState.COLD and EDIT_SERVICE not in definition.disrupts:
            problems.append(
                f"{what}: a cold service means scaling it to zero, so declare "
                "disrupts=frozenset({EDIT_SERVICE, ...})"
            )
    if definition.fan_out is not None and definition.fan_out.users_param not in definition.params:
        problems.append(
            f"fan_out.users_param: '{definition.fan_out.users_param}' is not one of its params"
        )
    return problems


@dataclass(frozen=True)
class ScenarioJob:
    """Everything one scenario run needs: which scenario, as planned, in which run, against
    which target."""

    definition: ScenarioDefinition
    spec: ScenarioSpec
    run: RunContext
    sla: SlaConfig
    api: TargetApi
    infra: TargetInfra


@dataclass
class ScenarioContext:
    """Everything a scenario may touch, and where it records what it saw."""

    job: ScenarioJob
    deadline: float
    checks: list[Check] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)
    _counter: int = 0
    _cancelled: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """The scenario ran out of time: every further step raises ``ScenarioTimeoutError``."""
        self._cancelled.set()

    def _stop_if_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise ScenarioTimeoutError(f"ran past its {self.spec.timeout_seconds}s timeout")

    @property
    def run(self) -> RunContext:
        return self.job.run

    @property
    def spec(self) -> ScenarioSpec:
        return self.job.spec

    @property
    def sla(self) -> SlaConfig:
        return self.job.sla

    @property
    def api(self) -> TargetApi:
        return self.job.api

    @property
    def infra(self) -> TargetInfra:
        return self.job.infra

    def param(self, name: str) -> ParamValue:
        """A scenario parameter: config override first, then the catalogue default."""
        if name in self.spec.params:
            return self.spec.params[name]
        return self.job.definition.params[name]

    def client_id(self, user: int | None = None) -> str:
        """A client id that cleanup will recognise as this run's: user ``user`` of a load
        scenario (unique across batches), else a fresh one."""
        if user is not None:
            return f"{self.run.client_prefix}{self.spec.name}_u{user}"
        self._counter += 1
        return f"{self.run.client_prefix}{self.spec.name}_{self._counter}"

    def sample(self, name: str, values: list[float]) -> None:
        """Raw numbers a fan-out judge combines across batches (e.g. every user's latency)."""
        self.samples.setdefault(name, []).extend(round(value, 4) for value in values)

    def check(self, name: str, passed: bool, detail: str = "") -> None:
        """Record a check; a failed one stops the scenario (later steps depend on it).

        A check the definition does not declare is recorded, then stops the scenario with
        ``ScenarioContractError`` (an ``error``: the scenario, not the target, is wrong).
        """
        self._stop_if_cancelled()
        self.checks.append(Check(name=name, passed=passed, detail=detail))
        if name not in self.job.definition.checks:
            outcome = "held" if passed else f"failed: {detail}"
            raise ScenarioContractError(
                f"check '{name}' is not declared in the checks of '{self.spec.name}' "
                f"(declare it); it {outcome}"
            )
        if not passed:
            raise CheckFailedError(f"{name}: {detail}" if detail else name)

    def metric(
        self,
        name: str,
        value: float,
        *,
        sla: float | None = None,
        comparison: Comparison = Comparison.AT_MOST,
    ) -> Metric:
        """Record a metric in the unit its definition declares."""
        unit = self.job.definition.metrics.get(name)
        if unit is None:
            raise ScenarioContractError(
                f"metric '{name}' is not declared in the metrics of '{self.spec.name}' "
                f"(declare it with its unit); it measured {value:g}"
            )
        metric = Metric(name=name, value=round(value, 4), unit=unit, sla=sla, comparison=comparison)
        self.metrics.append(metric)
        return metric

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def wait_for(
        self,
        what: str,
        probe: Callable[[], T | None],
        *,
        timeout: float,
        interval: float = 0.1,
    ) -> tuple[T, float]:
        """Poll ``probe`` until it returns a value; returns (value, seconds waited).

        The wait stops at ``timeout`` and fails the check named ``what``; if the scenario's
        deadline comes first, the scenario has run out of time (``ScenarioTimeoutError``).
        """
        started = time.monotonic()
        limit = min(started + timeout, self.deadline)
        with self._waiting(Wait(what, started, limit)):
            while True:
                self._stop_if_cancelled()
                value = probe()
                if value is not None:
                    return value, time.monotonic() - started
                if time.monotonic() >= limit:
                    waited = time.monotonic() - started
                    if limit >= self.deadline:
                        self.cancel()
                        self._stop_if_cancelled()
                    self.check(what, False, f"not reached after {waited:.1f}s")
                self._cancelled.wait(interval)

    @contextmanager
    def _waiting(self, wait: Wait) -> Iterator[None]:
        key = (self.run.run_id, self.spec.name)
        with _waits_lock:
            _waits[key] = wait
        try:
            yield
        finally:
            with _waits_lock:
                if _waits.get(key) is wait:
                    del _waits[key]
