"""The runtime sections of the config: what a run reads (target, SLA, cost, groups,
scenarios, planning, leases, load, selection, cache, the bundled reference target, local
state, history). How it is judged and alerted on is in ``judging.py``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.validation import check_endpoint
from harness.wire.base import TARGET_NAME_PATTERN

MIN_TEST_PREFIX_LENGTH = 4
"""Cleanup deletes sessions whose clientId starts with the test prefix: a shorter one (``T``)
would match a real customer's ids too."""


class Section(BaseModel):
    # Numbers become strings where a string is expected: HARNESS__DEPLOY__ACCOUNT=123456789012
    # arrives JSON-decoded as a number, and an account id is still a string.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, defer_build=True)


class TargetConfig(Section):
    """The stack under test. An empty ``endpoint`` means: start the bundled reference target."""

    # Runs against different names are never compared. Empty: "reference" for the bundled
    # reference target, else derived from the endpoint's host (see docs/regressions.md).
    name: str = Field(default="", pattern=TARGET_NAME_PATTERN)
    endpoint: str = ""
    aws_endpoint_url: str | None = None
    region: str = "us-east-1"
    ecs_cluster: str = "webordinary-edit"
    ecs_service: str = "edit-service"
    sessions_table: str = "webordinary-edit-sessions"
    test_prefix: str = Field(
        default="TEST_", pattern=rf"^[A-Za-z0-9_-]{{{MIN_TEST_PREFIX_LENGTH},32}}$"
    )
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # What is deployed (a release, image tag or commit); part of every result-cache key. Empty
    # and no version_path: the version is unknown and the cache is off for this target.
    version: str = Field(default="", max_length=200)
    # Or ask the target: GET <endpoint><version_path> answering {"version": "..."}.
    version_path: str = Field(default="", pattern=r"^(/[\w./-]*)?$")
    # Optional: the CloudWatch log group where the stack writes each session's log stream,
    # named after its clientId; cleanup deletes the streams of the harness's own sessions.
    session_log_group: str = Field(default="", pattern=r"^[A-Za-z0-9_#./-]{0,512}$")

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return check_endpoint(value) if value else value

    @field_validator("aws_endpoint_url")
    @classmethod
    def _aws_endpoint(cls, value: str | None) -> str | None:
        return check_endpoint(value) if value else None


SlaName = Literal[
    "success_rate",
    "availability",
    "cold_start",
    "session_creation",
    "suite_duration",
    "cleanup_duration",
    "recovery",
    "false_positive_rate",
    "cost_per_run",
    "monthly_budget",
    "cleanup_efficiency",
]
# The SLA lines that can fail a run's verdict: those known when Aggregate judges the run.
GATEABLE_SLAS: tuple[str, ...] = (
    "success_rate",
    "availability",
    "cold_start",
    "session_creation",
    "suite_duration",
    "recovery",
    "cost_per_run",
)

# What gated before the SLA lines were judged per run: the scenario-level limits.
DEFAULT_GATES: tuple[SlaName, ...] = ("success_rate", "cold_start", "session_creation", "recovery")


class TargetMember(Section):
    """One ``[[targets]]`` entry: a pool member, equivalent to the others. Keys left out
    come from ``[target]``, which also names the pool in history (and whose test_prefix
    every member shares: cleanup and the sweep delete only by it)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    endpoint: str | None = None
    aws_endpoint_url: str | None = None
    region: str | None = None
    ecs_cluster: str | None = None
    ecs_service: str | None = None
    sessions_table: str | None = None
    test_prefix: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,32}$")
    request_timeout_seconds: float | None = Field(default=None, gt=0, le=120)
    version: str | None = Field(default=None, max_length=200)
    version_path: str | None = Field(default=None, pattern=r"^(/[\w./-]*)?$")
    session_log_group: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_#./-]{0,512}$")


MAX_POOL_SIZE = 16


class SlaConfig(Section):
    """The seed's SLA lines (docs/sla.md says how each one is measured). Scenario metrics
    that cross a limit fail their scenario; ``gates`` says which run-level lines also fail
    the run's verdict; every line is reported per run and over windows (`harness sla`)."""

    success_rate_min: float = Field(default=0.95, ge=0, le=1)
    availability_min: float = Field(default=0.999, ge=0, le=1)
    cold_start_max_seconds: float = Field(default=60.0, gt=0)
    session_creation_p95_max_seconds: float = Field(default=5.0, gt=0)
    cleanup_max_seconds: float = Field(default=120.0, gt=0)
    recovery_max_seconds: float = Field(default=600.0, gt=0)
    error_response_max_seconds: float = Field(default=10.0, gt=0)
    suite_max_seconds: float = Field(default=1800.0, gt=0)
    false_positive_rate_max: float = Field(default=0.02, ge=0, le=1)
    cost_per_run_max_usd: float = Field(default=3.0, gt=0)
    monthly_budget_usd: float = Field(default=100.0, ge=0)
    cleanup_efficiency_min: float = Field(default=0.95, ge=0, le=1)
    gates: list[SlaName] = Field(default_factory=lambda: list(DEFAULT_GATES))

    @field_validator("gates")
    @classmethod
    def _gateable(cls, gates: list[str]) -> list[str]:
        late = sorted(set(gates) - set(GATEABLE_SLAS))
        if late:
            raise ValueError(
                f"{late} cannot gate a verdict (measured after it or over many runs); "
                f"gateable: {list(GATEABLE_SLAS)}"
            )
        return gates


class CostConfig(Section):
    """How a run's AWS cost is estimated (harness/judge/cost.py) and what the budget does."""

    # The price table's region (harness/judge/prices.py); the harness's own region in AWS.
    region: str = "us-east-1"
    # The target's edit task size: each scenario keeps one such Fargate task up while it runs.
    target_task_vcpu: float = Field(default=0.5, gt=0, le=16)
    target_task_memory_gb: float = Field(default=1.0, gt=0, le=120)
    # Billed duration assumed for each short step (plan, setup, aggregate, ...): not measured.
    short_step_seconds: float = Field(default=1.0, ge=0, le=900)
    # CloudWatch Logs bytes per Lambda invocation (START/END/REPORT lines, handler logs, EMF).
    log_bytes_per_invocation: int = Field(default=2048, ge=0)
    # Runs in a month add up: one that would pass [sla] monthly_budget_usd is refused, run as
    # the smoke suite instead, or (off) run anyway.
    over_budget: Literal["refuse", "smoke", "off"] = "refuse"
    # At-rest cost of a deployment per month (docs/cost.md), prorated into the month to date.
    fixed_monthly_usd: float = Field(default=0.0, ge=0)


class ScenarioOverride(Section):
    """Per-scenario settings; anything left out keeps the catalogue's default."""

    group: str | None = None
    tags: list[str] | None = None
    timeout_seconds: int | None = Field(default=None, ge=1, le=900)
    retries: int | None = Field(default=None, ge=0, le=3)
    enabled: bool = True
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)


class GroupConfig(Section):
    """Per scenario group (the catalogue's ``group`` label). ``parallel = false`` keeps the
    group's scenarios from ever running at the same time, on top of what their declared
    resources already forbid; ``max_concurrency`` caps how many of them run at once."""

    parallel: bool = True
    max_concurrency: int = Field(default=5, ge=1, le=40)


class RunConfig(Section):
    """How a run is laid out. The planner keeps apart scenarios whose declared resources
    conflict; ``max_group_concurrency`` caps how many groups run at the same time (at most
    one per pool member; unset: one per pool member)."""

    default_suite: str = "full"
    max_group_concurrency: int | None = Field(default=None, ge=1, le=40)
    # The daily cleanup deletes test sessions (clientId starting with target.test_prefix)
    # created longer ago than this: leftovers of runs that died before their own Cleanup.
    test_data_expiry_hours: float = Field(default=24.0, gt=0, le=24 * 90)
    # Set by the CDK app in the deployed functions' config, not by hand: Plan makes every run
    # id itself, the input may not replace the target's endpoints, and endpoints are https.
    deployed: bool = False


class ReferenceTargetConfig(Section):
    """The bundled stand-in for the stack under test (local runs only)."""

    cold_start_seconds: float = Field(default=1.0, ge=0, le=600)
    recovery_seconds: float = Field(default=0.8, ge=0, le=600)
    # How many instances to start (each its own ECS service and table in the one moto
    # server); 0: as many as the run's plan can keep busy at once.
    pool_size: int = Field(default=0, ge=0, le=MAX_POOL_SIZE)
    # The edit container reacts to ECS changes at once (in-process moto); this is the
    # fallback re-check for changes it was not told about.
    poll_interval_seconds: float = Field(default=1.0, gt=0, le=5)
    # Added to every answer, like a network round trip to a real ALB (benchmarks use it).
    latency_seconds: float = Field(default=0.0, ge=0, le=5)
    faults: list[str] = Field(default_factory=list)

    @field_validator("faults")
    @classmethod
    def _known_faults(cls, faults: list[str]) -> list[str]:
        unknown = sorted(set(faults) - set(KNOWN_FAULTS))
        if unknown:
            raise ValueError(f"unknown fault(s) {unknown}; known faults are {sorted(KNOWN_FAULTS)}")
        return faults


KNOWN_FAULTS: dict[str, str] = {
    "slow_cold_start": "the edit container starts only after 1.5x the cold-start SLA",
    "lose_workspace": "workspace files live on container storage and vanish on restart",
    "shared_workspace": "every session sees one shared workspace (isolation broken)",
    "drop_session_attributes": "session items in DynamoDB lack userId and ttl",
    "misroute": "/session/<id>/ ignores the id: unknown sessions answer 200",
    "hang_when_unhealthy": "with no healthy container requests hang instead of 503",
    "no_recovery": "a crashed edit container is never replaced",
    "crash_error_500": "after a crash requests answer 500 instead of 503",
}


class PlanningConfig(Section):
    """Duration-aware planning: estimates come from the last ``history_runs`` runs."""

    history_runs: int = Field(default=10, ge=1, le=200)
    # The estimate of a scenario no run has timed yet, when no other scenario has one either.
    default_estimate_seconds: float = Field(default=60.0, gt=0)
    # The cold start a lane waits for before a group that needs the edit service warm while it
    # is cold, when no recent run measured one (cold_start_seconds). Unset: the bundled
    # reference target's cold_start_seconds on a local run that starts it, else the cold-start
    # SLA (sla.cold_start_max_seconds).
    warm_up_estimate_seconds: float | None = Field(default=None, ge=0, le=3600)


class LeasesConfig(Section):
    """Leases keep two runs from disturbing one target (SQLite locally, DynamoDB in AWS)."""

    backend: Literal["sqlite", "dynamodb"] = "sqlite"
    table: str = "harness-leases"
    region: str = "us-east-1"
    # How long a lease lasts unless released (a run that died is reaped after it); unset:
    # sla.suite_max_seconds + 10 minutes.
    ttl_seconds: float | None = Field(default=None, gt=0)
    wait_seconds: float = Field(default=600.0, ge=0, le=86400)  # then: "target X is busy"
    retry_seconds: int = Field(default=5, ge=1, le=300)


class LoadConfig(Section):
    """How load scenarios fan their users out over Map iterations, and when the load
    generator counts as saturated (its timing results then blame the harness)."""

    users_per_batch: int = Field(default=50, ge=1, le=1000)
    max_batches_in_flight: int = Field(default=40, ge=1, le=10_000)
    # More batches than this run as a DISTRIBUTED Map (child executions) instead of INLINE.
    distributed_above_batches: int = Field(default=40, ge=1)
    saturation_cpu_percent: float = Field(default=90.0, gt=0)
    saturation_lag_ms: float = Field(default=100.0, gt=0)


class SelectionConfig(Section):
    """Change-based selection: which scenarios a changed file can affect.

    Patterns are globs on repository-relative paths: ``*`` stays within one folder, ``**``
    spans folders. A pattern mapped to ``[]`` marks files that affect no scenario (docs).
    """

    map: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "hephaestus/lib/session-stack.ts": ["cold-start", "session-persistence"],
            "hephaestus/lib/fargate-stack.ts": ["alb-routing", "concurrent-sessions"],
            "hermes/src/modules/edit-session/**": ["session-persistence", "failure-recovery"],
        }
    )
    # A changed file matching one of these runs the whole suite (shared foundations).
    run_all: list[str] = Field(
        default_factory=lambda: ["**/package.json", "**/package-lock.json", "hephaestus/cdk.json"]
    )
    # Scenarios with one of these tags run whatever changed.
    always_run_tags: list[str] = Field(default_factory=lambda: ["smoke"])
    # A changed file no pattern matches: "all" runs the whole suite (never a silent skip);
    # "ignore" treats it as affecting nothing.
    unmatched: Literal["all", "ignore"] = "all"


class CacheConfig(Section):
    """The result cache: a pass is reused while nothing that can change it has changed."""

    enabled: bool = True
    ttl_hours: float = Field(default=24.0, gt=0, le=24 * 30)


class LocalConfig(Section):
    state_dir: str = ".harness"
    # Worker processes for CPU-bound functions (the load generator), so a load test's CPU is
    # not the engine's; unset: one per core when a load scenario has more than one batch.
    worker_processes: int | None = Field(default=None, ge=0, le=64)


class HistoryConfig(Section):
    """Where run history lives: SQLite in the state folder locally, DynamoDB in AWS."""

    backend: Literal["sqlite", "dynamodb"] = "sqlite"
    runs_table: str = "harness-runs"
    region: str = "us-east-1"
