"""One suite Lambda: asset staged locally (no Docker), own role, own log group."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from harness import layout
from harness.config import HarnessConfig
from infra.nag import acknowledge, nag_text

RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
RUNTIMES = {"python3.12": lambda_.Runtime.PYTHON_3_12, "python3.13": lambda_.Runtime.PYTHON_3_13}


@jsii.implements(cdk.ILocalBundling)
class StageLocally:
    """Bundles a function asset with ``layout.stage_function``: handler folder + ``harness``
    (+ ``[deploy] extra_packages``)."""

    def __init__(self, spec: layout.FunctionSpec, extra_packages: Sequence[str]) -> None:
        self._spec = spec
        self._extra_packages = list(extra_packages)

    def try_bundle(self, output_dir: str, *_options: Any, **_kwoptions: Any) -> bool:
        layout.stage_function(self._spec, Path(output_dir), self._extra_packages)
        return True


def function_code(spec: layout.FunctionSpec, extra_packages: Sequence[str] = ()) -> lambda_.Code:
    """The asset of one function; its hash covers the staged output, so harness changes count."""
    return lambda_.Code.from_asset(
        str(spec.source_dir),
        asset_hash_type=cdk.AssetHashType.OUTPUT,
        bundling=cdk.BundlingOptions(
            # Never pulled: local bundling always succeeds, so no Docker is needed.
            image=cdk.DockerImage.from_registry("local-bundling-only"),
            local=StageLocally(spec, extra_packages),
        ),
    )


def powertools_layer(scope: Construct, config: HarnessConfig) -> lambda_.ILayerVersion:
    deploy = config.deploy
    pattern = deploy.powertools_layer_arn.replace(
        "{runtime}", deploy.python_runtime.replace(".", "")
    )
    arn = pattern.replace("{version}", str(deploy.powertools_layer_version))
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", cdk.Fn.sub(arn))


class SuiteFunction(Construct):
    """A suite function; callers add its least-privilege statements via ``allow``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: layout.FunctionSpec,
        config: HarnessConfig,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        deployed = spec.with_overrides(config.deploy.functions)
        timeout = deployed.timeout_seconds
        memory = deployed.memory_mb
        reserved = deployed.reserved_concurrency
        self.timeout_seconds = timeout
        self._reasons: dict[str, list[str]] = {}
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=RETENTION[config.deploy.log_retention_days],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"harness {spec.name}: least privilege, declared in infra/permissions.py",
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=RUNTIMES[config.deploy.python_runtime],
            architecture=lambda_.Architecture.X86_64,
            handler=layout.HANDLER,
            code=function_code(spec, config.deploy.extra_packages),
            role=self.role,
            timeout=cdk.Duration.seconds(timeout),
            memory_size=memory,
            layers=[layer],
            environment=environment,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=reserved,
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            f"Pinned to {config.deploy.python_runtime} (deploy.python_runtime): the runtime the "
            "public Powertools layer variant is built for and the handlers are tested on.",
        )
        self._acknowledge_statement(
            "*",
            "X-Ray PutTraceSegments/PutTelemetryRecords (tracing) support no resource-level "
            "permissions.",
        )

    def allow(
        self,
        actions: list[str],
        resources: list[str],
        *,
        conditions: dict[str, Any] | None = None,
        why: str | None = None,
        shown_as: list[str] | None = None,
    ) -> None:
        """Add one least-privilege statement to this function's role; a wildcard resource
        needs ``why``, which acknowledges exactly that finding on this role's policy
        (``shown_as``: how cdk-nag prints resources that hold tokens, e.g. ``<Bucket.Arn>/x*``)."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=actions, resources=resources, conditions=conditions)
        )
        for resource, shown in zip(resources, shown_as or resources, strict=True):
            if "*" in resource:
                if why is None:
                    raise ValueError(f"{self.spec.name}: say why {actions} need {shown!r}")
                self._acknowledge_statement(shown, why)

    def _acknowledge_statement(self, resource: str, why: str) -> None:
        """One acknowledgement per wildcard finding on the role's policy (statements that share
        a finding share it, with every reason)."""
        finding = f"AwsSolutions-IAM5[Resource::{nag_text(resource)}]"
        self._reasons.setdefault(finding, []).append(why)
        policy = self.role.node.find_child("DefaultPolicy")
        acknowledge(policy, finding, " ".join(self._reasons[finding]))
