"""The data that crosses the state machine: requests, plans, results and summaries.

Everything here is JSON on the wire (camelCase, like the rest of Step Functions) and
validated by pydantic on the way in, so a bad field is named where it entered.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,47}$"
SCENARIO_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class WireModel(BaseModel):
    """Base for models that travel as JSON: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def to_wire(self) -> dict[str, object]:
        """The JSON-ready dict the state machine carries."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class StateEvent(WireModel):
    """A slice of the execution state: fields the reader does not use are ignored."""

    model_config = ConfigDict(**{**WireModel.model_config, "extra": "ignore"})


class SuiteName(StrEnum):
    SMOKE = "smoke"
    FULL = "full"


class Trigger(StrEnum):
    CLI = "cli"
    CONSOLE = "console"
    SCHEDULE = "schedule"
    PIPELINE = "pipeline"


class TargetOverride(WireModel):
    """Fields of the target config that a single run may replace."""

    name: str | None = None
    endpoint: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/.*)?$")
    aws_endpoint_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    region: str | None = None
    ecs_cluster: str | None = None
    ecs_service: str | None = None
    sessions_table: str | None = None
    test_prefix: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,32}$")


class RunFlags(WireModel):
    """Where a run came from and how it should behave."""

    trigger: Trigger = Trigger.CONSOLE
    commit: str | None = Field(default=None, max_length=64)
    changed_files: list[str] = Field(default_factory=list, max_length=5000)
    max_group_concurrency: int | None = Field(default=None, ge=1, le=20)


class RunRequest(WireModel):
    """The state-machine input. Either a suite or an explicit scenario list, not both."""

    suite: SuiteName | None = None
    scenarios: list[Annotated[str, Field(pattern=SCENARIO_NAME_PATTERN)]] | None = Field(
        default=None, min_length=1, max_length=100
    )
    run_id: str | None = Field(default=None, pattern=RUN_ID_PATTERN)
    target: TargetOverride | None = None
    flags: RunFlags = Field(default_factory=RunFlags)

    @model_validator(mode="after")
    def _suite_or_scenarios(self) -> RunRequest:
        if self.suite is not None and self.scenarios is not None:
            raise ValueError("give either 'suite' or 'scenarios', not both")
        return self


class ResolvedTarget(WireModel):
    """The stack under test as one run sees it: config merged with the request's override."""

    name: str
    endpoint: str
    aws_endpoint_url: str | None = None
    region: str
    ecs_cluster: str
    ecs_service: str
    sessions_table: str
    test_prefix: str
    request_timeout_seconds: float


class RunContext(WireModel):
    """What every step of a run needs to know about the run."""

    run_id: str
    suite: str
    started_at: datetime
    target: ResolvedTarget
    flags: RunFlags

    @property
    def client_prefix(self) -> str:
        """Every identifier this run creates on the target starts with this."""
        return f"{self.target.test_prefix}{self.run_id}_"


class ScenarioSpec(WireModel):
    """One planned scenario: what to run and how long it may take."""

    name: str
    group: str
    tags: list[str]
    timeout_seconds: int = Field(ge=1, le=900)
    retries: int = Field(default=0, ge=0, le=3)
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)


class GroupPlan(WireModel):
    """Scenarios that share setup and teardown; ``parallel`` runs them concurrently."""

    name: str
    parallel: bool
    max_concurrency: int = Field(ge=1, le=40)
    scenarios: list[ScenarioSpec] = Field(min_length=1)


class RunPlan(WireModel):
    """The output of the Plan step."""

    run: RunContext
    groups: list[GroupPlan] = Field(min_length=1)
    max_group_concurrency: int = Field(ge=1, le=20)

    @property
    def scenarios(self) -> list[ScenarioSpec]:
        return [spec for group in self.groups for spec in group.scenarios]


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class Comparison(StrEnum):
    """How a metric is held against its SLA limit."""

    AT_MOST = "at_most"
    AT_LEAST = "at_least"


class Metric(WireModel):
    name: str
    value: float
    unit: Literal["seconds", "milliseconds", "percent", "count", "usd", "ratio"]
    sla: float | None = None
    comparison: Comparison = Comparison.AT_MOST

    @property
    def within_sla(self) -> bool | None:
        if self.sla is None:
            return None
        if self.comparison is Comparison.AT_MOST:
            return self.value <= self.sla
        return self.value >= self.sla


class Check(WireModel):
    name: str
    passed: bool
    detail: str = ""


class ErrorInfo(WireModel):
    type: str
    message: str


class ScenarioResult(WireModel):
    scenario: str
    group: str
    status: Status
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float = Field(default=0.0, ge=0)
    metrics: list[Metric] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    error: ErrorInfo | None = None
    attempts: int = Field(default=1, ge=0)

    @property
    def reason(self) -> str:
        """One line that says why a scenario did not pass."""
        if self.error is not None:
            return f"{self.error.type}: {self.error.message}"
        failed = [check for check in self.checks if not check.passed]
        if failed:
            return "; ".join(f"{c.name}: {c.detail}" if c.detail else c.name for c in failed)
        return ""


class MetricStats(WireModel):
    """A metric across a run's scenarios."""

    name: str
    unit: str
    count: int
    p50: float
    p95: float
    p99: float
    max: float


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class RunSummary(WireModel):
    run_id: str
    suite: str
    target: str
    trigger: Trigger
    commit: str | None = None
    started_at: datetime
    finished_at: datetime
    duration_seconds: float
    verdict: Verdict
    success_rate: float = Field(ge=0, le=1)
    counts: dict[Status, int]
    results: list[ScenarioResult]
    metrics: list[MetricStats]
    estimated_cost_usd: float = Field(default=0.0, ge=0)


class Regression(WireModel):
    metric: str
    current: float
    baseline: float
    change_ratio: float
    severity: Literal["low", "medium", "high"]
    message: str


class RegressionReport(WireModel):
    run_id: str
    baseline_run_id: str | None = None
    regressions: list[Regression]
