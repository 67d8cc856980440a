"""CodePipeline: a stage you drop into your own pipeline that runs the suite and fails when
the suite fails, plus an example pipeline stack (`cdk deploy -c example_pipeline=true`)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as cp_actions
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from harness.config import HarnessConfig
from infra.buckets import private_bucket
from infra.nag import acknowledge, ref
from infra.suite import state_machine_name as suite_state_machine_name

SOURCE_NAMESPACE = "SourceVariables"
RUN_REQUEST_FILE = "run-request.json"


def pipeline_input(suite: str, commit: str) -> dict[str, Any]:
    """The state-machine input (a RunRequest) of a pipeline run."""
    return {"suite": suite, "flags": {"trigger": "pipeline", "commit": commit}}


class SuiteStage(Construct):
    """Adds a stage with one ``StepFunctionInvokeAction``: the action waits for the execution
    and fails the stage when the execution fails (the suite ends in ``Fail`` on a failed
    verdict or a high-severity regression).

    Pass ``run_request`` (an artifact holding ``run-request.json``, e.g. written by a
    CodeBuild step with ``git diff --name-only``) to send ``changedFiles`` too; otherwise the
    input is the commit id from the source action's variables.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: codepipeline.Pipeline,
        state_machine: sfn.IStateMachine,
        suite: str = "full",
        commit: str = f"#{{{SOURCE_NAMESPACE}.CommitId}}",
        run_request: codepipeline.Artifact | None = None,
        stage_name: str = "IntegrationTests",
    ) -> None:
        super().__init__(scope, construct_id)
        state_input = (
            cp_actions.StateMachineInput.file_path(run_request.at_path(RUN_REQUEST_FILE))
            if run_request is not None
            else cp_actions.StateMachineInput.literal(pipeline_input(suite, commit))
        )
        self.action = cp_actions.StepFunctionInvokeAction(
            action_name="RunHarnessSuite",
            state_machine=state_machine,
            state_machine_input=state_input,
            execution_name_prefix="pipeline",
        )
        self.stage = pipeline.add_stage(stage_name=stage_name, actions=[self.action])


class ExamplePipelineStack(cdk.Stack):
    """Source (CodeStar connection, or an S3 zip) → the harness suite."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config.pipeline
        # By name, not by reference: the two stacks deploy independently.
        state_machine_name = suite_state_machine_name(config)
        state_machine = sfn.StateMachine.from_state_machine_name(
            self, "SuiteStateMachine", state_machine_name
        )
        logs = private_bucket(
            self,
            "AccessLogs",
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
        )
        artifacts = self._bucket("Artifacts", logs, "artifacts/")
        source_output = codepipeline.Artifact("Source")
        if cfg.connection_arn and cfg.repository:
            owner, repo = cfg.repository.split("/", 1)
            source: codepipeline.IAction = cp_actions.CodeStarConnectionsSourceAction(
                action_name="Source",
                connection_arn=cfg.connection_arn,
                owner=owner,
                repo=repo,
                branch=cfg.branch,
                output=source_output,
                variables_namespace=SOURCE_NAMESPACE,
            )
            commit = f"#{{{SOURCE_NAMESPACE}.CommitId}}"
        else:
            bucket = (
                s3.Bucket.from_bucket_name(self, "SourceBucket", cfg.source_bucket)
                if cfg.source_bucket
                else self._bucket("Source", logs, "source/")
            )
            source = cp_actions.S3SourceAction(
                action_name="Source",
                bucket=bucket,
                bucket_key=cfg.source_key,
                output=source_output,
                trigger=cp_actions.S3Trigger.NONE,
                variables_namespace=SOURCE_NAMESPACE,
            )
            commit = f"#{{{SOURCE_NAMESPACE}.VersionId}}"
        self.pipeline = codepipeline.Pipeline(
            self,
            "Pipeline",
            pipeline_type=codepipeline.PipelineType.V2,
            artifact_bucket=artifacts,
            stages=[codepipeline.StageProps(stage_name="Source", actions=[source])],
        )
        self.suite_stage = SuiteStage(
            self,
            "Suite",
            pipeline=self.pipeline,
            state_machine=state_machine,
            suite=cfg.suite,
            commit=commit,
        )
        self._acknowledge([artifacts], state_machine_name)

    def _bucket(self, construct_id: str, logs: s3.IBucket, prefix: str) -> s3.Bucket:
        return private_bucket(
            self,
            construct_id,
            versioned=True,
            access_logs=(logs, prefix),
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(30))],
        )

    def _acknowledge(self, buckets: list[s3.IBucket], state_machine_name: str) -> None:
        """CodePipeline's own grants (L2 defaults) on its artifact and source buckets."""
        for action in (
            "s3:Abort*",
            "s3:DeleteObject*",
            "s3:GetBucket*",
            "s3:GetObject*",
            "s3:List*",
        ):
            acknowledge(
                self.pipeline,
                f"AwsSolutions-IAM5[Action::{action}]",
                "CodePipeline's standard artifact-store grant (aws-codepipeline L2), limited to "
                "this pipeline's artifact and source buckets.",
            )
        for bucket in buckets:
            acknowledge(
                self.pipeline,
                f"AwsSolutions-IAM5[Resource::{ref(self, bucket, 'Arn')}/*]",
                "Artifact object keys are generated per pipeline execution.",
            )
        acknowledge(
            self.pipeline,  # action roles live under the pipeline construct
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:"
            f"<AWS::AccountId>:execution:{state_machine_name}:pipeline*]",
            "Execution names are generated per pipeline run; the action may only describe "
            "executions of the suite state machine it started (prefix 'pipeline').",
        )
