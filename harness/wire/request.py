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
# Step Functions caps an execution's input and every state at 256 KB. The change list is the
# one input field that grows with the change, so it gets a budget of its own; Plan consumes it
# and the rest of the run never carries it (docs/performance.md, "Payload limits").
MAX_CHANGED_FILES = 5000
MAX_CHANGED_FILES_BYTES = 240_000
MAX_PATH_LENGTH = 1024
# Reasons and notes are bounded: hundreds of them travel in the state.
MAX_NOTE_LENGTH = 300


class SuiteName(StrEnum):
    SMOKE = "smoke"
    FULL = "full"


class Trigger(StrEnum):
    CLI = "cli"
    CONSOLE = "console"
    SCHEDULE = "schedule"
    PIPELINE = "pipeline"


class TargetResource(StrEnum):
    """What a scenario can touch on a target: the planner never runs a scenario that
    disrupts one of these next to another that uses it (docs/scenarios.md, "Resources")."""

    EDIT_SERVICE = "edit-service"  # the ECS service of edit containers
    SESSIONS_TABLE = "sessions-table"  # the DynamoDB sessions table
    API = "api"  # the HTTP API behind the ALB
    WORKSPACES = "workspaces"  # per-session files on EFS


class ServiceState(StrEnum):
    """The edit service's state a scenario needs when it starts (group setup provides it)."""

    COLD = "cold"  # scaled to zero: the scenario tests a cold start
    WARM = "warm"  # a container running: no cold start the scenario does not test
    ANY = "any"


class TargetOverride(WireModel):
    """Fields of the target config that a single run may replace. Never the test prefix:
    cleanup deletes by it, so it comes from the deployed config only. In AWS the endpoints
    cannot be replaced either (``harness.planning.deployed``)."""

    name: str | None = Field(default=None, pattern=TARGET_NAME_PATTERN)
    endpoint: str | None = Field(default=None, max_length=2048)
    aws_endpoint_url: str | None = Field(default=None, max_length=2048)
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
    ecs_cluster: str | None = Field(default=None, pattern=NAME)
    ecs_service: str | None = Field(default=None, pattern=NAME)
    sessions_table: str | None = Field(default=None, pattern=NAME)
    version: str | None = Field(default=None, max_length=200)
    version_path: str | None = Field(default=None, pattern=r"^(/[\w./-]*)?$")
    session_log_group: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_#./-]{0,512}$")

    @field_validator("endpoint", "aws_endpoint_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_endpoint(value)


class RunFlags(WireModel):
    """Where a run came from and how it should behave."""

    trigger: Trigger = Trigger.CONSOLE
    commit: str | None = Field(default=None, max_length=64)
    # None: no change information, the suite runs as asked. A list (even empty): run what the
    # change can affect (``[selection]`` in the config). Plan drops it from the run context.
    changed_files: list[Annotated[str, Field(min_length=1, max_length=MAX_PATH_LENGTH)]] | None = (
        Field(default=None, max_length=MAX_CHANGED_FILES)
    )
    max_group_concurrency: int | None = Field(default=None, ge=1, le=40)
    no_cache: bool = False  # run everything even when a cached pass would do

    @field_validator("changed_files")
    @classmethod
    def _changed_files_fit(cls, files: list[str] | None) -> list[str] | None:
        if files is None:
            return None
        size = sum(len(name.encode()) + 3 for name in files)  # as JSON: quotes and a comma
        if size > MAX_CHANGED_FILES_BYTES:
            raise ValueError(
                f"{len(files)} changed files take {size} bytes, more than the "
                f"{MAX_CHANGED_FILES_BYTES} a run's input may carry (Step Functions caps it at "
                "256 KB); a change this large selects the whole suite anyway: leave "
                "changedFiles out"
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
    version: str = ""  # what is deployed; empty: ask version_path, else unknown
    version_path: str = ""
    session_log_group: str = ""  # where the stack logs each session (optional)


class RunContext(WireModel):
    """What every step of a run needs to know about the run.

    ``target`` names the target in history (its addresses are the first pool member's);
    ``pool`` lists every equivalent target the run may use (empty: just ``target``).
    """

    run_id: str = Field(pattern=RUN_ID_PATTERN)
    suite: str
    started_at: datetime
    target: ResolvedTarget
    flags: RunFlags
    pool: list[ResolvedTarget] = Field(default_factory=list)

    @property
    def members(self) -> list[ResolvedTarget]:
        """The pool members this run may touch (cleanup and leases go over all of them)."""
        return list(self.pool) or [self.target]

    @property
    def client_prefix(self) -> str:
        """Every identifier this run creates on the target starts with this."""
        return f"{self.target.test_prefix}{self.run_id}_"


class UserBatch(WireModel):
    """Users ``first_user`` .. ``first_user + count - 1`` of a load scenario (numbered from 1)."""

    first_user: int = Field(ge=1)
    count: int = Field(ge=1, le=10_000)


class FanOutPlan(WireModel):
    """How a load scenario's users are spread over Map iterations (one batch each)."""

    users: int = Field(ge=1)
    batches: list[UserBatch] = Field(min_length=1, max_length=10_000)
    max_concurrency: int = Field(ge=1, le=10_000)
    distributed: bool = False  # a DISTRIBUTED Map: child executions instead of iterations


class ScenarioSpec(WireModel):
    """One planned scenario: what to run, how long it may take, what it touches."""

    name: str
    group: str
    tags: list[str]
    timeout_seconds: int = Field(ge=1, le=900)
    retries: int = Field(default=0, ge=0, le=3)
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    disrupts: list[TargetResource] = Field(default_factory=list)
    uses: list[TargetResource] = Field(default_factory=list)
    needs: ServiceState = ServiceState.ANY
    expected_seconds: float | None = Field(default=None, ge=0)
    fan_out: FanOutPlan | None = None
    cache_key: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")  # None: not cached


class GroupPlan(WireModel):
    """Scenarios that run together on one target after one setup (which brings the edit
    service to ``needs``); ``parallel`` runs them concurrently, up to ``max_concurrency``."""

    name: str
    parallel: bool
    max_concurrency: int = Field(ge=1, le=40)
    scenarios: list[ScenarioSpec] = Field(min_length=1)
    needs: ServiceState = ServiceState.ANY
    expected_seconds: float = Field(default=0.0, ge=0)
    # The cold start its setup is expected to wait for (needs warm, finds the service cold).
    warm_up_seconds: float = Field(default=0.0, ge=0)


class LanePlan(WireModel):
    """One pool member's share of the run: its groups, one after another (``expected_seconds``
    counts their warm-ups too)."""

    target: ResolvedTarget
    groups: list[GroupPlan] = Field(min_length=1)
    expected_seconds: float = Field(default=0.0, ge=0)


class NotRun(WireModel):
    """A scenario of the suite that the plan does not run: skipped by change-based selection,
    or answered by a cached pass (``cached_from`` names the run it came from). Why is stored
    by reference with the run's results, like every scenario's selection reason."""

    name: str
    group: str
    cached_from: str | None = None


class RunPlan(WireModel):
    """The output of the Plan step: lanes run at the same time (up to
    ``max_group_concurrency``), each on its own pool member, its groups in order. ``lanes``
    may be empty when every scenario was skipped or cached; ``skipped`` and ``cached`` still
    reach Aggregate, so each one is recorded."""

    run: RunContext
    lanes: list[LanePlan] = Field(default_factory=list)
    max_group_concurrency: int = Field(ge=1, le=40)
    expected_seconds: float = Field(default=0.0, ge=0)  # the critical path
    notices: list[str] = Field(default_factory=list)  # e.g. the budget gate's downgrade
    skipped: list[NotRun] = Field(default_factory=list)
    cached: list[NotRun] = Field(default_factory=list)

    @property
    def groups(self) -> list[GroupPlan]:
        return [group for lane in self.lanes for group in lane.groups]

    @property
    def scenarios(self) -> list[ScenarioSpec]:
        return [spec for group in self.groups for spec in group.scenarios]
