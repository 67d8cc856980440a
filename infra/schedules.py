"""Schedules (EventBridge Scheduler): the daily and the weekly maintenance job, both run by
the run_maintenance Lambda (infra/maintenance.py; docs/maintenance.md lists their tasks:
smoke run, sweep of expired test data, expiry, budget check; full run, trend report, cost
review, security scan). Each schedule has its own encrypted, TLS-only dead-letter queue and
a retry policy. AWS Budgets (infra/alerts.py) also checks the spend every day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from harness.config import HarnessConfig
from infra.nag import acknowledge, ref
from infra.queues import dead_letter_queue

DAILY_INPUT = {"job": "daily", "trigger": "schedule"}
WEEKLY_INPUT = {"job": "weekly", "trigger": "schedule"}


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    expression: str
    payload: dict[str, Any]


class Schedules(Construct):
    """One ``AWS::Scheduler::Schedule`` per job; ``self.queues`` are their dead letters."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        maintenance_function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        cfg = config.schedules
        self.queues: dict[str, sqs.Queue] = {}
        self.schedules: dict[str, scheduler.Schedule] = {}
        jobs = (
            Job(
                "DailyMaintenance",
                "Smoke run, sweep of expired test data, expiry check, budget check",
                cfg.daily,
                DAILY_INPUT,
            ),
            Job(
                "WeeklyMaintenance",
                "Full run, trend report, cost review, security scan",
                cfg.weekly,
                WEEKLY_INPUT,
            ),
        )
        # Our own target role (the L2 would put a shared one at stack level), so the
        # acknowledgement below sits on exactly the policy that has the finding.
        self.target_role = iam.Role(
            self,
            "MaintenanceTargetRole",
            description="EventBridge Scheduler: invoke the maintenance function",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            ),
        )
        for job in jobs:
            self._add(job, targets.LambdaInvoke, maintenance_function, role=self.target_role)
        acknowledge(
            self.target_role.node.find_child("DefaultPolicy"),
            f"AwsSolutions-IAM5[Resource::{ref(self, maintenance_function, 'Arn')}:*]",
            "CDK's Scheduler Lambda target grants invoke on the function and its versions "
            "(':*'); it is one function, and the schedule calls it unqualified.",
        )

    def _add(self, job: Job, target_type: Callable[..., Any], resource: Any, **extra: Any) -> None:
        """A schedule whose target is ``target_type(resource, ...)`` (a Scheduler target class:
        start the state machine, invoke the function) with the job's payload, retries and DLQ
        (and ``extra`` target properties, e.g. its role)."""
        queue = dead_letter_queue(self, f"{job.name}DeadLetters", f"the {job.name} schedule")
        self.queues[job.name] = queue
        self.schedules[job.name] = scheduler.Schedule(
            self,
            job.name,
            description=job.description,
            schedule=scheduler.ScheduleExpression.expression(
                job.expression, cdk.TimeZone.of(self._config.schedules.timezone)
            ),
            target=target_type(
                resource,
                input=scheduler.ScheduleTargetInput.from_object(job.payload),
                dead_letter_queue=queue,
                retry_attempts=self._config.schedules.retry_attempts,
                max_event_age=cdk.Duration.seconds(self._config.schedules.max_event_age_seconds),
                **extra,
            ),
            enabled=self._config.schedules.enabled,
        )
