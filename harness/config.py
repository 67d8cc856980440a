"""The one configuration model: it drives the CLI, the Lambda handlers and the CDK app.

Order of precedence (highest first): environment variables ``HARNESS__SECTION__KEY``, the
TOML file (``--config``, else ``$HARNESS_CONFIG_FILE``, else ``./harness.toml``), built-in
defaults. Inside Lambda the whole config travels as JSON in ``$HARNESS_CONFIG_JSON``.
"""

from __future__ import annotations

import json
import os
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.errors import ConfigError

CONFIG_FILE_ENV = "HARNESS_CONFIG_FILE"
CONFIG_JSON_ENV = "HARNESS_CONFIG_JSON"
ENV_PREFIX = "HARNESS__"
DEFAULT_CONFIG_FILE = "harness.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetConfig(Section):
    """The stack under test. An empty ``endpoint`` means: start the bundled reference target."""

    name: str = "reference"
    endpoint: str = ""
    aws_endpoint_url: str | None = None
    region: str = "us-east-1"
    ecs_cluster: str = "webordinary-edit"
    ecs_service: str = "edit-service"
    sessions_table: str = "webordinary-edit-sessions"
    test_prefix: str = Field(default="TEST_", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class SlaConfig(Section):
    """Targets from the brief; scenarios fail when a metric crosses them."""

    success_rate_min: float = Field(default=0.95, ge=0, le=1)
    cold_start_max_seconds: float = Field(default=60.0, gt=0)
    session_creation_p95_max_seconds: float = Field(default=5.0, gt=0)
    cleanup_max_seconds: float = Field(default=120.0, gt=0)
    recovery_max_seconds: float = Field(default=600.0, gt=0)
    error_response_max_seconds: float = Field(default=10.0, gt=0)
    suite_max_seconds: float = Field(default=1800.0, gt=0)
    cost_per_run_max_usd: float = Field(default=3.0, gt=0)


class ScenarioOverride(Section):
    """Per-scenario settings; anything left out keeps the catalogue's default."""

    group: str | None = None
    tags: list[str] | None = None
    timeout_seconds: int | None = Field(default=None, ge=1, le=900)
    retries: int | None = Field(default=None, ge=0, le=3)
    enabled: bool = True
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)


class GroupConfig(Section):
    parallel: bool = False
    max_concurrency: int = Field(default=5, ge=1, le=40)


class RunConfig(Section):
    """How a run is laid out. Groups run one at a time by default: the built-in scenarios
    share one ECS service and scale it, so they would disturb each other in parallel."""

    default_suite: str = "full"
    max_group_concurrency: int = Field(default=1, ge=1, le=20)
    # The daily cleanup deletes test sessions (clientId starting with target.test_prefix)
    # created longer ago than this: leftovers of runs that died before their own Cleanup.
    test_data_expiry_hours: float = Field(default=24.0, gt=0, le=24 * 90)


class ReferenceTargetConfig(Section):
    """The bundled stand-in for the stack under test (local runs only)."""

    cold_start_seconds: float = Field(default=1.0, ge=0, le=600)
    recovery_seconds: float = Field(default=0.8, ge=0, le=600)
    poll_interval_seconds: float = Field(default=0.05, gt=0, le=5)
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
    "slow_cold_start": "the edit container takes 10x longer to start",
    "lose_workspace": "workspace files live on container storage and vanish on restart",
    "shared_workspace": "every session sees one shared workspace (isolation broken)",
    "drop_session_attributes": "session items in DynamoDB lack userId and ttl",
    "misroute": "/session/<id>/ ignores the id: unknown sessions answer 200",
    "hang_when_unhealthy": "with no healthy container requests hang instead of 503",
    "no_recovery": "a crashed edit container is never replaced",
    "crash_error_500": "with no healthy container requests answer 500 instead of 503",
}


class LocalConfig(Section):
    state_dir: str = ".harness"


class HistoryConfig(Section):
    """Where run history lives: SQLite in the state folder locally, DynamoDB in AWS."""

    backend: Literal["sqlite", "dynamodb"] = "sqlite"
    runs_table: str = "harness-runs"
    region: str = "us-east-1"


class FunctionOverride(Section):
    """Per-function Lambda settings; anything left out keeps ``harness.layout``'s default."""

    timeout_seconds: int | None = Field(default=None, ge=1, le=900)
    memory_mb: int | None = Field(default=None, ge=128, le=10240)


LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)


class DeployConfig(Section):
    """How the CDK app deploys the harness (`cdk deploy`); unused by local runs."""

    stack_name: str = Field(default="Harness", pattern=r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
    account: str = Field(default="", pattern=r"^(\d{12})?$")
    region: str = ""
    python_runtime: Literal["python3.12", "python3.13"] = "python3.12"
    powertools_layer_arn: str = (
        "arn:aws:lambda:${AWS::Region}:017000801446:layer:"
        "AWSLambdaPowertoolsPythonV3-{runtime}-x86_64:{version}"
    )
    powertools_layer_version: int = Field(default=27, ge=1)
    log_retention_days: int = 30
    functions: dict[str, FunctionOverride] = Field(default_factory=dict)
    service_name: str = "harness"
    metrics_namespace: str = "Harness"
    alarm_suites: list[str] = Field(default_factory=lambda: ["smoke", "full"])
    alarm_period_minutes: int = Field(default=60, ge=1, le=1440)
    monthly_budget_usd: float = Field(default=50.0, ge=0)
    retain_data: bool = True

    @field_validator("log_retention_days")
    @classmethod
    def _valid_retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"log_retention_days must be one of {LOG_RETENTION_DAYS}")
        return days


class StorageConfig(Section):
    """Tables and bucket next to ``history.runs_table``; the CDK app fills ``bucket``."""

    baselines_table: str = "harness-baselines"
    alert_state_table: str = "harness-alert-state"
    bucket: str = ""
    run_history_days: int = Field(default=400, ge=1)
    alert_state_days: int = Field(default=30, ge=1)
    cache_expiry_days: int = Field(default=7, ge=1)
    reports_transition_days: int = Field(default=30, ge=30)
    reports_expiry_days: int = Field(default=365, ge=31)
    junit_expiry_days: int = Field(default=90, ge=1)
    access_logs_expiry_days: int = Field(default=90, ge=1)


CRON = r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$|^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$"


class SchedulesConfig(Section):
    """EventBridge Scheduler expressions (``cron(min hour dom month dow year)``)."""

    enabled: bool = True
    timezone: str = "UTC"
    daily_smoke: str = Field(default="cron(0 6 * * ? *)", pattern=CRON)
    daily_cleanup: str = Field(default="cron(30 5 * * ? *)", pattern=CRON)
    weekly_full: str = Field(default="cron(0 3 ? * SUN *)", pattern=CRON)
    retry_attempts: int = Field(default=2, ge=0, le=185)
    max_event_age_seconds: int = Field(default=3600, ge=60, le=86400)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown IANA time zone {name!r}") from err
        return name


class AlertsConfig(Section):
    """Alert routing. Secrets are looked up by name at run time, never stored in config."""

    standard_topic_name: str = "harness-alerts"
    critical_topic_name: str = "harness-alerts-critical"
    standard_topic_arn: str = ""
    critical_topic_arn: str = ""
    slack_webhook_secret_name: str = "harness/slack-webhook-url"
    github_token_secret_name: str = "harness/github-token"
    github_repo: str = Field(default="", pattern=r"^([\w.-]+/[\w.-]+)?$")
    email_subscriptions: list[str] = Field(default_factory=list)


class PipelineConfig(Section):
    """The example pipeline (`cdk deploy -c example_pipeline=true`)."""

    connection_arn: str = ""
    repository: str = Field(default="", pattern=r"^([\w.-]+/[\w.-]+)?$")
    branch: str = "main"
    source_bucket: str = ""
    source_key: str = "source.zip"
    suite: Literal["smoke", "full"] = "full"


class HarnessConfig(Section):
    target: TargetConfig = Field(default_factory=TargetConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    scenarios: dict[str, ScenarioOverride] = Field(default_factory=dict)
    groups: dict[str, GroupConfig] = Field(default_factory=dict)
    reference_target: ReferenceTargetConfig = Field(default_factory=ReferenceTargetConfig)
    local: LocalConfig = Field(default_factory=LocalConfig)
    history: HistoryConfig = Field(default_factory=HistoryConfig)
    deploy: DeployConfig = Field(default_factory=DeployConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    schedules: SchedulesConfig = Field(default_factory=SchedulesConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)

    def group(self, name: str) -> GroupConfig:
        return self.groups.get(name, GroupConfig())

    def scenario(self, name: str) -> ScenarioOverride:
        return self.scenarios.get(name, ScenarioOverride())


def load_config(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> HarnessConfig:
    """Load the config: file (if any) + env overrides, validated as one model."""
    env = os.environ if environ is None else environ
    data: dict[str, Any]
    source: str
    if path is None and env.get(CONFIG_JSON_ENV):
        source = f"${CONFIG_JSON_ENV}"
        try:
            data = json.loads(env[CONFIG_JSON_ENV])
        except json.JSONDecodeError as err:
            raise ConfigError(f"{source} is not valid JSON: {err}") from err
    else:
        file = Path(path or env.get(CONFIG_FILE_ENV) or DEFAULT_CONFIG_FILE)
        source = str(file)
        if path is not None or env.get(CONFIG_FILE_ENV) or file.exists():
            data = _read_toml(file)
        else:
            data = {}
    _apply_env_overrides(data, env)
    try:
        return HarnessConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"invalid config ({source}):\n{format_validation_error(err)}") from err


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as err:
        raise ConfigError(f"config file {file} does not exist") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {file} is not valid TOML: {err}") from err


def _apply_env_overrides(data: dict[str, Any], env: Mapping[str, str]) -> None:
    """``HARNESS__SLA__COLD_START_MAX_SECONDS=30`` sets ``[sla] cold_start_max_seconds``.

    Values that parse as JSON (numbers, lists, booleans) are used as such, else as strings.
    """
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [part.lower() for part in key[len(ENV_PREFIX) :].split("__") if part]
        if not parts:
            continue
        node = data
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{key}: '{part}' is not a section")
            node = child
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        node[parts[-1]] = value


def format_validation_error(err: ValidationError) -> str:
    """One line per problem: the dotted field path, what is wrong, and what was given."""
    lines = []
    for problem in err.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "(root)"
        given = problem.get("input")
        shown = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"- {location}: {problem['msg']}{shown}")
    return "\n".join(lines)
