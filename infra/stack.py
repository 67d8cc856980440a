"""The harness stack: storage, alerts, suite, schedules, observability — wired here only."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from harness.config import HarnessConfig
from infra.alerts import COST_TAG, Alerts
from infra.job_alarms import JobAlarms
from infra.maintenance import Maintenance
from infra.observability import Observability
from infra.recovery import Recovery
from infra.schedules import Schedules
from infra.storage import Storage
from infra.suite import Suite


class HarnessStack(cdk.Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: HarnessConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cdk.Tags.of(self).add(COST_TAG, config.deploy.stack_name)
        if not config.target.endpoint:
            cdk.Annotations.of(self).add_warning_v2(
                "harness:NoTargetEndpoint",
                "[target] endpoint is empty: in AWS there is no bundled reference target, so "
                "runs fail until harness.toml names the stack under test's URL.",
            )
        self.storage = Storage(self, "Storage", config=config)
        self.alerts = Alerts(self, "Alerts", config=config)
        self.suite = Suite(self, "Suite", config=config, storage=self.storage, alerts=self.alerts)
        self.maintenance = Maintenance(
            self,
            "Maintenance",
            config=config,
            suite=self.suite,
            storage=self.storage,
            alerts=self.alerts,
        )
        self.schedules = Schedules(
            self,
            "Schedules",
            config=config,
            maintenance_function=self.maintenance.function.function,
        )
        self.recovery = Recovery(
            self,
            "Recovery",
            config=config,
            state_machine=self.suite.state_machine,
            resources=self.suite.resources,
            layer=self.suite.layer,
            environment=self.suite.environment,
        )
        self.job_alarms = JobAlarms(
            self,
            "JobAlarms",
            config=config,
            maintenance_function=self.maintenance.function.function,
            recovery_function=self.recovery.function.function,
            queues={
                **{f"{job}DeadLetters": queue for job, queue in self.schedules.queues.items()},
                "RecoveryDeadLetters": self.recovery.dead_letters,
            },
            standard_topic=self.alerts.standard_topic,
            critical_topic=self.alerts.critical_topic,
        )
        self.observability = Observability(
            self,
            "Observability",
            config=config,
            state_machine=self.suite.state_machine,
            standard_topic=self.alerts.standard_topic,
            critical_topic=self.alerts.critical_topic,
        )
        outputs = {
            "StateMachineArn": self.suite.state_machine.state_machine_arn,
            "ResultsBucket": self.storage.bucket.bucket_name,
            "RunsTable": self.storage.runs_table.table_name,
            "StandardTopicArn": self.alerts.standard_topic.topic_arn,
            "CriticalTopicArn": self.alerts.critical_topic.topic_arn,
            "Dashboard": self.observability.dashboard.dashboard_name,
            "MaintenanceFunction": self.maintenance.function.function.function_name,
        }
        for name, value in outputs.items():
            cdk.CfnOutput(self, name, value=value)
