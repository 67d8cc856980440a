"""What starts a run and how it is laid out: the request (state-machine input), the resolved
target, the run context every step receives, and the plan."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from harness.validation import check_endpoint
from harness.wire.base import (
    RUN_ID_PATTERN,
    SCENARIO_NAME_PATTERN,
    TARGET_NAME_PATTERN,
    WireModel,
)

NAME = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$"
MAX_CHANGED_FILES_CHARS = 16_000
"""The run context travels with every group and scenario of a run, so the changed-file list
is bounded to keep every state far below Step Functions' 256 KB payload limit."""


class SuiteName(StrEnum):
    SMOKE = "smoke"
    FULL = "full"


class Trigger(StrEnum):
    CLI = "cli"
    CONSOLE = "console"
    SCHEDULE = "schedule"
    PIPELINE = "pipeline"


class TargetOverride(WireModel):
    """Fields of the target config that a single run may replace. Never the test prefix:
    cleanup deletes by it, so it comes from the deployed config only. In AWS the endpoints
    cannot be replaced either (``harness.planning.plan``)."""

    name: str | None = Field(default=None, pattern=TARGET_NAME_PATTERN)
    endpoint: str | None = Field(default=None, max_length=2048)
    aws_endpoint_url: str | None = Field(default=None, max_length=2048)
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
    ecs_cluster: str | None = Field(default=None, pattern=NAME)
    ecs_service: str | None = Field(default=None, pattern=NAME)
    sessions_table: str | None = Field(default=None, pattern=NAME)

    @field_validator("endpoint", "aws_endpoint_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_endpoint(value)


class RunFlags(WireModel):
    """Where a run came from and how it should behave."""

    trigger: Trigger = Trigger.CONSOLE
    commit: str | None = Field(default=None, max_length=64)
    changed_files: list[Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=list, max_length=5000
    )
    max_group_concurrency: int | None = Field(default=None, ge=1, le=20)

    @field_validator("changed_files")
    @classmethod
    def _bounded(cls, files: list[str]) -> list[str]:
        total = sum(len(path) for path in files)
        if total > MAX_CHANGED_FILES_CHARS:
            raise ValueError(
                f"{total} characters of paths, at most {MAX_CHANGED_FILES_CHARS}: send fewer "
                "paths (e.g. their folders)"
            )
        return files


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

    run_id: str = Field(pattern=RUN_ID_PATTERN)
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
    notices: list[str] = Field(default_factory=list)  # e.g. the budget gate's downgrade

    @property
    def scenarios(self) -> list[ScenarioSpec]:
        return [spec for group in self.groups for spec in group.scenarios]
