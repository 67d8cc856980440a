"""What a scenario is, and the context it runs in.

A scenario is a plain function ``run(ctx)`` plus a little metadata. It talks to the target
only through ``ctx.api`` (HTTP, the target contract) and ``ctx.infra`` (the AWS side), so the
same code runs in a local run and in Lambda.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from harness.config import SlaConfig
from harness.errors import CheckFailedError
from harness.ports import TargetApi, TargetInfra
from harness.wire import Check, Comparison, Metric, RunContext, ScenarioSpec

T = TypeVar("T")
ParamValue = float | int | str | bool


@dataclass(frozen=True)
class ScenarioDefinition:
    """A catalogue entry. ``metrics`` and ``checks`` document what the scenario reports."""

    name: str
    summary: str
    group: str
    tags: tuple[str, ...]
    timeout_seconds: int
    metrics: tuple[str, ...]
    checks: tuple[str, ...]
    run: Callable[[ScenarioContext], None]
    params: Mapping[str, ParamValue] = field(default_factory=dict)


@dataclass
class ScenarioContext:
    """Everything a scenario may touch, and where it records what it saw."""

    run: RunContext
    spec: ScenarioSpec
    sla: SlaConfig
    api: TargetApi
    infra: TargetInfra
    deadline: float
    defaults: Mapping[str, ParamValue] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    _counter: int = 0

    def param(self, name: str) -> ParamValue:
        """A scenario parameter: config override first, then the catalogue default."""
        if name in self.spec.params:
            return self.spec.params[name]
        return self.defaults[name]

    def client_id(self) -> str:
        """A fresh client id that cleanup will recognise as this run's."""
        self._counter += 1
        return f"{self.run.client_prefix}{self.spec.name}_{self._counter}"

    def check(self, name: str, passed: bool, detail: str = "") -> None:
        """Record a check; a failed one stops the scenario (later steps depend on it)."""
        self.checks.append(Check(name=name, passed=passed, detail=detail))
        if not passed:
            raise CheckFailedError(f"{name}: {detail}" if detail else name)

    def metric(
        self,
        name: str,
        value: float,
        unit: str,
        *,
        sla: float | None = None,
        comparison: Comparison = Comparison.AT_MOST,
    ) -> Metric:
        metric = Metric.model_validate(
            {
                "name": name,
                "value": round(value, 4),
                "unit": unit,
                "sla": sla,
                "comparison": comparison,
            }
        )
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

        The wait stops at ``timeout`` or at the scenario's deadline, whichever is first, and
        then fails the check named ``what``.
        """
        started = time.monotonic()
        limit = min(started + timeout, self.deadline)
        while True:
            value = probe()
            if value is not None:
                return value, time.monotonic() - started
            if time.monotonic() >= limit:
                waited = time.monotonic() - started
                self.check(what, False, f"not reached after {waited:.1f}s")
            time.sleep(interval)
