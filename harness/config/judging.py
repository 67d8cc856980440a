"""The judging sections of the config: how regressions are detected (``[regression]``),
where alerts go (``[alerts]``, what a run reads of it) and what reports show (``[report]``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from harness.config.runtime import Section
from harness.wire.alerts import Channel
from harness.wire.metrics import METRICS
from harness.wire.results import Severity


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


class RuleConfig(Section):
    """A per-metric rule: the run's value beyond ``ratio`` x the baseline median, in the
    metric's bad direction (a ratio above 1 when lower is better, below 1 when higher is
    better) and by more than ``min_change`` (default: the metric's floor), is a regression of
    ``severity`` (when the statistical guard agrees). ``creep`` also looks for slow drift."""

    enabled: bool = True
    ratio: float = Field(gt=0)
    severity: Severity
    min_change: float | None = Field(default=None, ge=0)
    creep: bool = True


class DefaultRuleConfig(Section):
    """The rule of every declared metric without its own: ``factor`` times worse (1.2: 20 %
    slower, or 1/1.2 of the baseline for a metric where higher is better)."""

    enabled: bool = True
    factor: float = Field(default=1.2, gt=1)
    severity: Severity = Severity.LOW
    creep: bool = True


class StatusRuleConfig(Section):
    """The seed's rule: a scenario that passed in the baseline and now fails."""

    enabled: bool = True
    severity: Severity = Severity.HIGH
    # "Passed in the baseline" tolerates this share of failed baseline runs (1 in 20).
    max_baseline_failure_rate: float = Field(default=0.05, ge=0, lt=1)


# The seed's rules. Entries given in [regression.rules.<metric>] are merged over these.
DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "cold_start_seconds": {"ratio": 1.2, "severity": "medium"},
    "success_rate": {"ratio": 0.95, "severity": "high"},
    "cost_per_run_usd": {"ratio": 1.5, "severity": "low"},
}


class RegressionConfig(Section):
    """How runs are judged against their baselines (docs/regressions.md)."""

    window: int = Field(default=30, ge=2, le=500)  # last N passing runs per series
    min_samples: int = Field(default=10, ge=2, le=500)  # fewer baseline runs: not judged
    history_runs: int = Field(default=120, ge=2, le=1000)  # runs read per judgement
    z_threshold: float = Field(default=3.5, gt=0)
    confirm_z: float = Field(default=2.0, gt=0)
    confirm: bool = True  # re-run suspects of at least confirm_severity before alerting
    confirm_severity: Severity = Severity.MEDIUM
    gate_severity: Severity = Severity.HIGH
    change_point_alpha: float = Field(default=0.01, gt=0, lt=1)
    change_point_min_segment: int = Field(default=5, ge=2, le=100)
    flaky_min_flips: int = Field(default=2, ge=1, le=100)
    rules: dict[str, RuleConfig] = Field(
        default_factory=lambda: {
            name: RuleConfig.model_validate(rule) for name, rule in DEFAULT_RULES.items()
        }
    )
    default_rule: DefaultRuleConfig = Field(default_factory=DefaultRuleConfig)
    status: StatusRuleConfig = Field(default_factory=StatusRuleConfig)

    @field_validator("rules", mode="before")
    @classmethod
    def _over_the_defaults(cls, rules: Any) -> Any:
        return _merged_rules(rules) if isinstance(rules, dict) else rules

    @field_validator("rules")
    @classmethod
    def _declared_metrics(cls, rules: dict[str, RuleConfig]) -> dict[str, RuleConfig]:
        for name, rule in rules.items():
            spec = METRICS.get(name)
            if spec is None:
                raise ValueError(
                    f"'{name}' is not a declared metric; declared metrics: {sorted(METRICS)}"
                )
            if spec.direction == "lower_is_better" and not rule.ratio > 1:
                raise ValueError(
                    f"{name}.ratio must be above 1 (lower is better for {name}), got {rule.ratio}"
                )
            if spec.direction == "higher_is_better" and not rule.ratio < 1:
                raise ValueError(
                    f"{name}.ratio must be below 1 (higher is better for {name}), got {rule.ratio}"
                )
        return rules

    @model_validator(mode="after")
    def _consistent(self) -> RegressionConfig:
        if self.min_samples > self.window:
            raise ValueError(
                f"min_samples ({self.min_samples}) must not exceed window ({self.window})"
            )
        if self.confirm_z > self.z_threshold:
            raise ValueError(
                f"confirm_z ({self.confirm_z}) must not exceed z_threshold ({self.z_threshold})"
            )
        if self.history_runs < self.window:
            raise ValueError(
                f"history_runs ({self.history_runs}) must be at least window ({self.window})"
            )
        return self


def _merged_rules(given: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {name: dict(rule) for name, rule in DEFAULT_RULES.items()}
    for name, rule in given.items():
        fields = rule.model_dump() if isinstance(rule, BaseModel) else rule
        base = merged.get(name, {})
        merged[name] = {**base, **fields} if isinstance(fields, dict) else fields
    return merged
