"""The deploy-only sections of the config: read by the CDK app and the deployed jobs, never by
a local run's planning (`cdk deploy`, schedules, storage, alerts, the example pipeline)."""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator

from harness.config.judging import AlertRoutingConfig
from harness.config.runtime import Section


class FunctionOverride(Section):
    """Per-function Lambda settings; anything left out keeps ``harness.layout``'s default."""

    timeout_seconds: int | None = Field(default=None, ge=1, le=900)
    memory_mb: int | None = Field(default=None, ge=128, le=10240)
    reserved_concurrency: int | None = Field(default=None, ge=1, le=1000)


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
    retain_data: bool = True
    # Installed distributions staged into every Lambda asset beside `harness` (scenario plugins).
    extra_packages: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]] = Field(
        default_factory=list
    )

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
    # Runs in flight (the edit service's pre-run count): what recovery restores.
    run_state_table: str = "harness-run-state"
    bucket: str = ""
    run_history_days: int = Field(default=400, ge=1)
    alert_state_days: int = Field(default=30, ge=1)
    cache_expiry_days: int = Field(default=7, ge=1)
    # Aggregate deletes a run's stored results once it is in history; this catches the rest.
    run_results_expiry_days: int = Field(default=2, ge=1)
    reports_transition_days: int = Field(default=30, ge=30)
    reports_expiry_days: int = Field(default=365, ge=31)
    junit_expiry_days: int = Field(default=90, ge=1)
    access_logs_expiry_days: int = Field(default=90, ge=1)


CRON = r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$|^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$"


class SchedulesConfig(Section):
    """EventBridge Scheduler expressions (``cron(min hour dom month dow year)``)."""

    enabled: bool = True
    timezone: str = "UTC"
    # The daily maintenance job (smoke run, sweep, expiry, budget check) and the weekly one
    # (full run, trend report, cost review, security scan): docs/maintenance.md.
    daily: str = Field(default="cron(0 6 * * ? *)", pattern=CRON)
    weekly: str = Field(default="cron(0 3 ? * SUN *)", pattern=CRON)
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


EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class TopicSubscriptions(Section):
    """Who the CDK app subscribes to each topic: e-mail addresses or https:// endpoints."""

    critical: list[str] = Field(default_factory=list)
    standard: list[str] = Field(default_factory=list)

    @field_validator("critical", "standard")
    @classmethod
    def _email_or_https(cls, endpoints: list[str]) -> list[str]:
        for endpoint in endpoints:
            if not (re.match(EMAIL, endpoint) or re.match(r"^https://\S+$", endpoint)):
                raise ValueError(
                    f"{endpoint!r} is neither an e-mail address nor an https:// URL "
                    "(SNS delivers to plain http:// without TLS: not allowed here)"
                )
        return endpoints


class AlertsConfig(AlertRoutingConfig):
    """``[alerts]``: what a run reads (``AlertRoutingConfig`` in runtime.py) plus the names
    and subscriptions only the CDK app uses. Secrets are looked up by name at run time."""

    standard_topic_name: str = "harness-alerts"
    critical_topic_name: str = "harness-alerts-critical"
    subscriptions: TopicSubscriptions = Field(default_factory=TopicSubscriptions)

    # Keys the deployed handlers never read: left out of their config (Lambda's 4 KB limit).
    DEPLOY_ONLY: ClassVar[frozenset[str]] = frozenset(
        {"standard_topic_name", "critical_topic_name", "subscriptions"}
    )


class PipelineConfig(Section):
    """The example pipeline (`cdk deploy -c example_pipeline=true`)."""

    connection_arn: str = ""
    repository: str = Field(default="", pattern=r"^([\w.-]+/[\w.-]+)?$")
    branch: str = "main"
    source_bucket: str = ""
    source_key: str = "source.zip"
    suite: Literal["smoke", "full"] = "full"
