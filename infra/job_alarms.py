"""The jobs nobody watches run by run must still fail loudly: the daily cleanup (the sweep of
expired test data, a task of the daily maintenance job that a schedule invokes
asynchronously) and the recovery of runs that ended badly.

- the maintenance function's failed asynchronous invocations go to an on-failure queue
  (a Lambda destination) instead of vanishing after Lambda's retries;
- alarms: the maintenance and recovery functions' errors, the depth of every dead-letter and
  on-failure queue of these jobs, and a day without a ``CleanupSeconds`` data point from the
  daily job (it did not run, or died before its sweep reported).
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from harness.config import HarnessConfig
from infra.queues import dead_letter_queue
from infra.schedules import DAILY_INPUT

ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
DAY = cdk.Duration.days(1)


class JobAlarms(Construct):
    """``self.alarms`` by name; ``self.failures`` is the maintenance job's on-failure queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        maintenance_function: lambda_.IFunction,
        recovery_function: lambda_.IFunction,
        queues: Mapping[str, sqs.IQueue],
        standard_topic: sns.ITopic,
        critical_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self.failures = dead_letter_queue(
            self, "MaintenanceFailures", "the maintenance function's asynchronous invocations"
        )
        lambda_.EventInvokeConfig(
            self,
            "MaintenanceOnFailure",
            function=maintenance_function,
            on_failure=destinations.SqsDestination(self.failures),
            retry_attempts=2,
            max_event_age=cdk.Duration.seconds(config.schedules.max_event_age_seconds),
        )
        period = cdk.Duration.minutes(config.deploy.alarm_period_minutes)
        self._alarm(
            "MaintenanceErrors",
            "The maintenance function failed (the daily job sweeps expired test data)",
            maintenance_function.metric_errors(period=period, statistic="Sum"),
            standard_topic,
        )
        self._alarm(
            "RecoveryErrors",
            "Recovering a run that ended badly failed: its target may be left changed",
            recovery_function.metric_errors(period=period, statistic="Sum"),
            critical_topic,
        )
        for name, queue in {**queues, "MaintenanceFailures": self.failures}.items():
            self._alarm(
                f"{name}Depth",
                f"Messages are waiting in {name}: a job's event could not be delivered or failed",
                queue.metric_approximate_number_of_messages_visible(
                    period=period, statistic="Maximum"
                ),
                standard_topic,
            )
        if config.schedules.enabled:
            deploy = config.deploy
            reported = cloudwatch.Metric(
                namespace=deploy.metrics_namespace,
                metric_name="CleanupSeconds",
                # The daily job's sweep reports like a cleanup (harness.maintenance.jobs).
                dimensions_map={
                    "service": deploy.service_name,
                    "Suite": f"maintenance-{DAILY_INPUT['job']}",
                },
                statistic="SampleCount",
                period=DAY,
            )
            self._alarm(
                "CleanupMissing",
                "The daily cleanup reported no CleanupSeconds for a day: it did not run",
                reported,
                standard_topic,
                threshold=1,
                comparison=BELOW,
                missing=cloudwatch.TreatMissingData.BREACHING,
            )

    def _alarm(
        self,
        name: str,
        description: str,
        metric: cloudwatch.Metric,
        topic: sns.ITopic,
        *,
        threshold: float = 0,
        comparison: cloudwatch.ComparisonOperator = ABOVE,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = metric.create_alarm(
            self,
            f"{name}Alarm",
            alarm_description=description,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=1,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(actions.SnsAction(topic))
        alarm.add_ok_action(actions.SnsAction(topic))
        self.alarms[name] = alarm
