"""Recovery of runs that end badly, in AWS: an EventBridge rule on the suite's ABORTED,
TIMED_OUT and FAILED executions invokes ``functions/recover_run`` (service put back, the run's
test data deleted, the run recorded as aborted). This also catches what the state machine's
own ``States.ALL`` cannot: ``States.Runtime`` and ``States.DataLimitExceeded`` failures, the
execution's ``TimeoutSeconds``, and a StopExecution by hand."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from harness import layout
from harness.config import HarnessConfig
from infra.functions import SuiteFunction
from infra.permissions import GRANTS, Resources
from infra.queues import dead_letter_queue

ENDED_BADLY = ["ABORTED", "TIMED_OUT", "FAILED"]
EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change"


class Recovery(Construct):
    """The recovery function, the rule that runs it, and the rule's dead-letter queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        state_machine: sfn.IStateMachine,
        resources: Resources,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        spec = layout.function_spec("recover_run")
        self.function = SuiteFunction(
            self,
            "RecoverRun",
            spec=spec,
            config=config,
            layer=layer,
            environment=environment,
        )
        GRANTS[spec.name](self.function, resources)
        self.dead_letters = dead_letter_queue(self, "DeadLetters", "the recovery rule")
        self.rule = events.Rule(
            self,
            "RunEndedBadly",
            description="A suite execution was aborted, timed out or failed: recover its run",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=[EXECUTION_STATUS_CHANGE],
                detail={
                    "stateMachineArn": [state_machine.state_machine_arn],
                    "status": ENDED_BADLY,
                },
            ),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                self.function.function,
                dead_letter_queue=self.dead_letters,
                retry_attempts=config.schedules.retry_attempts,
                max_event_age=cdk.Duration.seconds(config.schedules.max_event_age_seconds),
            )
        )
