"""Maintenance: the run_maintenance Lambda the daily and weekly schedules invoke
(infra/schedules.py), its least-privilege grants, and the alarms on what it reports (failed
tasks, the month to date against the budget)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from constructs import Construct

from harness import layout
from harness.aws import table_keys as keys
from harness.config import CONFIG_JSON_ENV, HarnessConfig
from infra.alerts import Alerts
from infra.functions import SuiteFunction
from infra.permissions import Resources, target_cleanup
from infra.storage import Storage
from infra.suite import Suite, handler_config, state_machine_name

STATE_MACHINE_ARN_ENV = "HARNESS_STATE_MACHINE_ARN"


class Maintenance(Construct):
    """``self.function`` is what the schedules invoke."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        suite: Suite,
        storage: Storage,
        alerts: Alerts,
    ) -> None:
        super().__init__(scope, construct_id)
        spec = layout.MAINTENANCE_FUNCTION
        self.function = SuiteFunction(
            self,
            "RunMaintenance",
            spec=spec,
            config=config,
            layer=suite.layer,
            environment={
                CONFIG_JSON_ENV: handler_config(config, storage, alerts),
                STATE_MACHINE_ARN_ENV: suite.state_machine.state_machine_arn,
                "POWERTOOLS_SERVICE_NAME": config.deploy.service_name,
                "POWERTOOLS_METRICS_NAMESPACE": config.deploy.metrics_namespace,
            },
        )
        res = Resources(
            scope=self,
            config=config,
            storage=storage,
            alerts=alerts,
            state_machine_name=state_machine_name(config),
        )
        runs = storage.runs_table
        fn = self.function
        # The smoke and full runs of the jobs.
        suite.state_machine.grant_start_execution(fn.role)
        # Journal records, the budget check (byTime), the trend report (byTarget).
        fn.allow(["dynamodb:PutItem", "dynamodb:DescribeTimeToLive"], [runs.table_arn])
        fn.allow(
            ["dynamodb:Query"],
            [f"{runs.table_arn}/index/{index}" for index in (keys.TIME_INDEX, keys.TARGET_INDEX)],
        )
        fn.allow(["s3:GetLifecycleConfiguration"], [storage.bucket.bucket_arn])
        # The sweep of expired test data on each pool member (its sessions, their log streams).
        target_cleanup(fn, res)
        self.alarms = self._alarms(config, alerts)

    def _alarms(self, config: HarnessConfig, alerts: Alerts) -> dict[str, cloudwatch.Alarm]:
        deploy = config.deploy
        period = cdk.Duration.hours(24)

        def metric(name: str, job: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=deploy.metrics_namespace,
                metric_name=name,
                dimensions_map={"service": deploy.service_name, "Suite": f"maintenance-{job}"},
                statistic="Maximum",
                period=period,
            )

        found: dict[str, cloudwatch.Alarm] = {}
        for job in ("daily", "weekly"):
            found[f"TasksFailed:{job}"] = metric("MaintenanceTasksFailed", job).create_alarm(
                self,
                f"{job.capitalize()}TasksFailedAlarm",
                alarm_description=f"A task of the {job} maintenance job failed",
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        found["MonthToDate"] = metric("MonthToDateCostUsd", "daily").create_alarm(
            self,
            "MonthToDateCostAlarm",
            alarm_description="The month's estimated cost passed [sla] monthly_budget_usd",
            threshold=config.sla.monthly_budget_usd,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        for alarm in found.values():
            alarm.add_alarm_action(actions.SnsAction(alerts.standard_topic))
            alarm.add_ok_action(actions.SnsAction(alerts.standard_topic))
        return found
