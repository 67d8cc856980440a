"""Creates the reference target's AWS resources in moto (test scaffolding, local runs only).

The real Webordinary stack gets these from its own CDK app; the stand-in creates the same
shapes (sessions table, ECS cluster, task definition, edit service at zero) so the harness's
AWS-side code (``Boto3TargetInfra``) works unchanged against it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.aws.clients import client
from harness.config import TargetConfig

CONTAINER_NAME = "edit"


def task_family(target: TargetConfig) -> str:
    """The edit container's task-definition family (one per service name)."""
    return f"{target.ecs_service}-task"


def provision_target_resources(target: TargetConfig, aws_endpoint_url: str) -> None:
    """Idempotently create in moto: DynamoDB table target.sessions_table (PK sessionId S,
    on-demand), ECS cluster target.ecs_cluster, a task definition (no
    requiresCompatibilities, no networkMode; container with cpu+memory), and ECS service
    target.ecs_service with desiredCount 0 (scaled to zero).

    Existing resources are left as they are (an existing service keeps its desiredCount
    and the task-definition revision it runs; each call registers a new revision).
    """
    provision_with(
        target,
        ecs=client("ecs", region=target.region, endpoint_url=aws_endpoint_url),
        dynamodb=client("dynamodb", region=target.region, endpoint_url=aws_endpoint_url),
    )


def provision_with(
    target: TargetConfig, *, ecs: Any, dynamodb: Any, logs: Any = None, shared: bool = True
) -> None:
    """``provision_target_resources`` with clients the caller already has (they are slow
    to create, and boto3 clients are thread-safe, so the target shares one of each).
    ``shared=False`` leaves out the ECS cluster and the session log group, which the members
    of a pool share: an earlier member created them."""
    _create_table(dynamodb, target)
    if shared:
        if logs is not None and target.session_log_group:
            try:
                logs.create_log_group(logGroupName=target.session_log_group)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise
        ecs.create_cluster(clusterName=target.ecs_cluster)  # idempotent in ECS and moto
    family = task_family(target)
    _register_task_definition(ecs, family)
    _create_service(ecs, target, family)


def _create_table(dynamodb: Any, target: TargetConfig) -> None:
    try:
        dynamodb.create_table(
            TableName=target.sessions_table,
            AttributeDefinitions=[{"AttributeName": "sessionId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "sessionId", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        needs_ttl = True  # a new table has no TTL yet
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
        ttl = dynamodb.describe_time_to_live(TableName=target.sessions_table)
        needs_ttl = ttl["TimeToLiveDescription"].get("TimeToLiveStatus") != "ENABLED"
    if needs_ttl:
        dynamodb.update_time_to_live(
            TableName=target.sessions_table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
        )


def _register_task_definition(ecs: Any, family: str) -> None:
    """A new revision every time (one call, not a look-up first): a service that already
    runs keeps the revision it runs."""
    # No requiresCompatibilities/networkMode: FARGATE would force awsvpc, and moto's
    # RunTask crashes on an awsvpc network configuration (docs/local-engine.md, "moto behaviours").
    ecs.register_task_definition(
        family=family,
        containerDefinitions=[
            {
                "name": CONTAINER_NAME,
                "image": "webordinary/edit-container:reference",
                "cpu": 256,
                "memory": 512,
                "essential": True,
                "portMappings": [{"containerPort": 8080}],
            }
        ],
    )


def _create_service(ecs: Any, target: TargetConfig, family: str) -> None:
    found = ecs.describe_services(cluster=target.ecs_cluster, services=[target.ecs_service])
    if any(service.get("status") == "ACTIVE" for service in found["services"]):
        return
    ecs.create_service(
        cluster=target.ecs_cluster,
        serviceName=target.ecs_service,
        taskDefinition=family,
        desiredCount=0,
        launchType="FARGATE",
    )
