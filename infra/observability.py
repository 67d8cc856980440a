"""Observability: one dashboard and one alarm per seed SLA, thresholds from ``config.sla``.

The handlers emit the metrics as CloudWatch EMF (Powertools Metrics) under
``deploy.metrics_namespace`` with dimensions ``service`` (Powertools adds it from
POWERTOOLS_SERVICE_NAME) and ``Suite``; docs/deploy.md lists the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from harness.config import HarnessConfig

ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD


@dataclass(frozen=True)
class SlaMetric:
    """One EMF metric of the contract and the SLA alarm on it."""

    name: str  # metric name, also the alarm's id
    title: str
    statistic: str
    threshold: float
    comparison: cloudwatch.ComparisonOperator
    critical: bool = False


def sla_metrics(config: HarnessConfig) -> list[SlaMetric]:
    sla = config.sla
    return [
        SlaMetric(
            "SuccessRate", "Success rate (%)", "Minimum", sla.success_rate_min * 100, BELOW, True
        ),
        SlaMetric(
            "ColdStartSeconds", "Cold start p99 (s)", "p99", sla.cold_start_max_seconds, ABOVE
        ),
        SlaMetric(
            "SessionCreationSeconds",
            "Session creation p95 (s)",
            "p95",
            sla.session_creation_p95_max_seconds,
            ABOVE,
        ),
        SlaMetric(
            "SuiteDurationSeconds", "Suite duration (s)", "Maximum", sla.suite_max_seconds, ABOVE
        ),
        SlaMetric("CleanupSeconds", "Cleanup (s)", "Maximum", sla.cleanup_max_seconds, ABOVE),
        SlaMetric(
            "CleanupEfficiency",
            "Cleanup efficiency (%)",
            "Minimum",
            sla.cleanup_efficiency_min * 100,
            BELOW,
        ),
        SlaMetric(
            "TargetAvailability",
            "Target availability (%)",
            "Average",
            sla.availability_min * 100,
            BELOW,
        ),
        SlaMetric(
            "CostPerRunUsd", "Cost per run (USD)", "Maximum", sla.cost_per_run_max_usd, ABOVE
        ),
    ]


class Observability(Construct):
    """Dashboard + alarms; critical alarms go to the critical topic, the rest to standard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        state_machine: sfn.StateMachine,
        standard_topic: sns.ITopic,
        critical_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        period = cdk.Duration.minutes(config.deploy.alarm_period_minutes)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        widgets: list[cloudwatch.IWidget] = []
        for item in sla_metrics(config):
            topic = critical_topic if item.critical else standard_topic
            lines = []
            for suite in config.deploy.alarm_suites:
                metric = self.metric(item.name, suite, item.statistic, period)
                lines.append(metric.with_(label=suite))
                alarm = metric.create_alarm(
                    self,
                    f"{item.name}{suite.capitalize()}Alarm",
                    alarm_description=f"{item.title} of the {suite} suite breaks its SLA",
                    threshold=item.threshold,
                    comparison_operator=item.comparison,
                    evaluation_periods=1,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
                self._notify(alarm, topic)
                self.alarms[f"{item.name}:{suite}"] = alarm
            widgets.append(self._graph(item.title, lines, item.threshold))
        failed = state_machine.metric_failed(period=period, statistic="Sum")
        failed_alarm = failed.create_alarm(
            self,
            "ExecutionsFailedAlarm",
            alarm_description="A suite execution failed (suite failure or harness error)",
            threshold=0,
            comparison_operator=ABOVE,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self._notify(failed_alarm, critical_topic)
        self.alarms["ExecutionsFailed"] = failed_alarm
        widgets.append(
            self._graph(
                "Executions",
                [failed, state_machine.metric_succeeded(period=period, statistic="Sum")],
            )
        )
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{config.deploy.stack_name}-suite",
            widgets=[widgets[index : index + 3] for index in range(0, len(widgets), 3)],
        )

    def metric(
        self, name: str, suite: str, statistic: str, period: cdk.Duration
    ) -> cloudwatch.Metric:
        deploy = self._config.deploy
        return cloudwatch.Metric(
            namespace=deploy.metrics_namespace,
            metric_name=name,
            dimensions_map={"service": deploy.service_name, "Suite": suite},
            statistic=statistic,
            period=period,
        )

    @staticmethod
    def _notify(alarm: cloudwatch.Alarm, topic: sns.ITopic) -> None:
        alarm.add_alarm_action(actions.SnsAction(topic))
        alarm.add_ok_action(actions.SnsAction(topic))

    @staticmethod
    def _graph(
        title: str, metrics: Sequence[cloudwatch.IMetric], threshold: float | None = None
    ) -> cloudwatch.GraphWidget:
        annotations = (
            [cloudwatch.HorizontalAnnotation(value=threshold, label="SLA")]
            if threshold is not None
            else None
        )
        return cloudwatch.GraphWidget(
            title=title, left=metrics, left_annotations=annotations, width=8
        )
