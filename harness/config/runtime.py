"""The runtime sections of the config: what a run reads (target, SLA, groups, scenarios,
the bundled reference target, local state, history, alert routing)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.wire.alerts import Channel
from harness.wire.results import Severity


class Section(BaseModel):
    # Numbers become strings where a string is expected: HARNESS__DEPLOY__ACCOUNT=123456789012
    # arrives JSON-decoded as a number, and an account id is still a string.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


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


def _default_high_route() -> list[Channel]:
    return [Channel.CRITICAL_TOPIC, Channel.SLACK, Channel.GITHUB]


class AlertRoutes(Section):
    """Which channels each severity goes to. Every regression also becomes a CloudWatch
    metric (EMF), so ``low = []`` means: a metric only."""

    high: list[Channel] = Field(default_factory=_default_high_route)
    medium: list[Channel] = Field(default_factory=lambda: [Channel.SLACK])
    low: list[Channel] = Field(default_factory=list)

    def channels(self, severity: Severity) -> list[Channel]:
        return list(dict.fromkeys(getattr(self, severity.value)))

    def used(self) -> set[Channel]:
        """Every channel some severity routes to (escalation always uses the critical topic)."""
        return {*self.high, *self.medium, *self.low, Channel.CRITICAL_TOPIC}


HTTP_URL = r"^(https?://[^\s/]+(/\S*)?)?$"


class AlertRoutingConfig(Section):
    """What the Alert step reads: routing, de-duplication, endpoints and delivery retries.

    Secrets are never config values in AWS: the Slack webhook URL and the GitHub token are
    read by name from Secrets Manager (``secrets = "secretsmanager"``, which the CDK app sets);
    locally from ``slack_webhook_url`` (better: ``$HARNESS__ALERTS__SLACK_WEBHOOK_URL``) and
    ``$HARNESS_GITHUB_TOKEN``.
    """

    routes: AlertRoutes = Field(default_factory=AlertRoutes)
    # High regressions of one series in this many consecutive runs escalate to the critical topic.
    escalate_after_runs: int = Field(default=3, ge=1, le=100)
    secrets: Literal["env", "secretsmanager"] = "env"
    standard_topic_arn: str = ""
    critical_topic_arn: str = ""
    slack_webhook_url: str = Field(default="", pattern=HTTP_URL)
    slack_webhook_secret_name: str = "harness/slack-webhook-url"
    github_api_url: str = Field(default="https://api.github.com", pattern=HTTP_URL)
    github_repo: str = Field(default="", pattern=r"^([\w.-]+/[\w.-]+)?$")
    github_token_secret_name: str = "harness/github-token"
    github_labels: list[str] = Field(default_factory=lambda: ["regression"])
    # One delivery: each try waits at most timeout_seconds; failed tries (HTTP 5xx, 429,
    # timeouts) are retried up to max_attempts in all, after a random wait of up to
    # base * 2^n seconds (or the Retry-After the server asks for), never longer than
    # backoff_max_seconds; then the message is recorded as undelivered.
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    max_attempts: int = Field(default=4, ge=1, le=10)
    backoff_base_seconds: float = Field(default=1.0, ge=0, le=60)
    backoff_max_seconds: float = Field(default=20.0, ge=0, le=300)


class ReportConfig(Section):
    """The run report's trend charts and ``harness trends``."""

    # Each trend chart shows this many runs against the same target (the reported run last).
    trend_runs: int = Field(default=30, ge=2, le=200)
    # ``harness trends`` summarises this many days, against the runs before them.
    trend_days: int = Field(default=7, ge=1, le=90)
