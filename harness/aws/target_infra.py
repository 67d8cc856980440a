"""The stack under test's AWS side (ECS edit service, DynamoDB sessions table) via boto3.

The same code serves a real Webordinary deployment and the local reference target: the
reference target records its edit container as an ECS task in moto (group
``service:<name>``), so listing and stopping tasks works the same way in both worlds.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from harness.aws.clients import client
from harness.errors import TargetInfraError
from harness.wire import ResolvedTarget

_deserializer = TypeDeserializer()
DELETE_WORKERS = 8
# A direct delete removes a session only while its clientId still carries the harness's prefix
# (an id that is already gone is fine). BatchWriteItem takes no condition, so each session is
# one conditional DeleteItem (TransactWriteItems would be all-or-nothing per 100 items: one
# refused item would cancel 99 good deletes, at twice the write cost).
OURS_OR_GONE = "attribute_not_exists(sessionId) OR begins_with(clientId, :prefix)"


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain Python values (numbers as int or float, not Decimal)."""
    values = {key: _deserializer.deserialize(value) for key, value in item.items()}
    return {key: _number(value) for key, value in values.items()}


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def read_session_item(dynamodb: Any, table: str, session_id: str) -> dict[str, Any] | None:
    """A session's item (consistent read) as plain Python values, or None: what the harness
    checks, and what the reference target's sessions API serves."""
    answer = dynamodb.get_item(
        TableName=table, Key={"sessionId": {"S": session_id}}, ConsistentRead=True
    )
    item = answer.get("Item")
    return plain_item(item) if item else None


@contextmanager
def _aws(what: str) -> Iterator[None]:
    """The one place boto3's errors become the harness's own (``TargetInfraError``)."""
    try:
        yield
    except ClientError as err:
        error = err.response.get("Error", {})
        code, message = error.get("Code", "Unknown"), error.get("Message", "")
        raise TargetInfraError(f"{what} failed: {code}: {message}".rstrip(": ")) from err
    except BotoCoreError as err:
        raise TargetInfraError(f"{what} failed: {err}") from err


class Boto3TargetInfra:
    """Implements ``harness.ports.TargetInfra``."""

    def __init__(self, target: ResolvedTarget) -> None:
        self._target = target
        self._ecs = client("ecs", region=target.region, endpoint_url=target.aws_endpoint_url)
        self._dynamodb = client(
            "dynamodb", region=target.region, endpoint_url=target.aws_endpoint_url
        )

    @property
    def _service(self) -> str:
        return f"ECS service {self._target.ecs_cluster}/{self._target.ecs_service}"

    def desired_count(self) -> int:
        with _aws(f"DescribeServices of {self._service}"):
            services = self._ecs.describe_services(
                cluster=self._target.ecs_cluster, services=[self._target.ecs_service]
            )["services"]
        if not services:
            raise TargetInfraError(f"{self._service} not found")
        return int(services[0]["desiredCount"])

    def set_desired_count(self, count: int) -> None:
        with _aws(f"UpdateService of {self._service}"):
            self._ecs.update_service(
                cluster=self._target.ecs_cluster,
                service=self._target.ecs_service,
                desiredCount=count,
            )

    def running_task_ids(self) -> list[str]:
        arns: list[str] = []
        with _aws(f"ListTasks of {self._service}"):
            paginator = self._ecs.get_paginator("list_tasks")
            for page in paginator.paginate(
                cluster=self._target.ecs_cluster,
                serviceName=self._target.ecs_service,
                desiredStatus="RUNNING",
            ):
                arns.extend(page["taskArns"])
        if not arns:
            return []
        group = f"service:{self._target.ecs_service}"
        running: list[str] = []
        for start in range(0, len(arns), 100):
            with _aws(f"DescribeTasks of {self._service}"):
                tasks = self._ecs.describe_tasks(
                    cluster=self._target.ecs_cluster, tasks=arns[start : start + 100]
                )["tasks"]
            running.extend(
                task["taskArn"]
                for task in tasks
                # moto ignores the serviceName filter; the group names the service everywhere.
                if task.get("group") == group
                and task.get("lastStatus") == "RUNNING"
                and task.get("desiredStatus") == "RUNNING"
            )
        return running

    def stop_task(self, task_id: str, reason: str) -> None:
        with _aws(f"StopTask {task_id} of {self._service}"):
            self._ecs.stop_task(cluster=self._target.ecs_cluster, task=task_id, reason=reason)

    def get_session_item(self, session_id: str) -> dict[str, Any] | None:
        with _aws(f"GetItem {session_id} from {self._target.sessions_table}"):
            return read_session_item(self._dynamodb, self._target.sessions_table, session_id)

    def find_session_ids(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        condition = "begins_with(clientId, :prefix)"
        values: dict[str, Any] = {":prefix": {"S": client_id_prefix}}
        if created_before is not None:
            # createdAt is ISO-8601 UTC, so string order is time order.
            condition += " AND createdAt < :cutoff"
            values[":cutoff"] = {"S": created_before.astimezone(UTC).isoformat()}
        ids: list[str] = []
        with _aws(f"Scan of {self._target.sessions_table}"):
            paginator = self._dynamodb.get_paginator("scan")
            for page in paginator.paginate(
                TableName=self._target.sessions_table,
                ProjectionExpression="sessionId",
                FilterExpression=condition,
                ExpressionAttributeValues=values,
            ):
                ids.extend(item["sessionId"]["S"] for item in page["Items"])
        return ids

    def delete_session_items(self, session_ids: list[str], client_id_prefix: str) -> int:
        if not client_id_prefix:
            raise ValueError("a conditional delete needs the harness's clientId prefix")
        with ThreadPoolExecutor(max_workers=DELETE_WORKERS) as pool:
            outcomes = list(
                pool.map(lambda sid: self._delete_if_ours(sid, client_id_prefix), session_ids)
            )
        return sum(outcomes)

    def _delete_if_ours(self, session_id: str, client_id_prefix: str) -> bool:
        try:
            self._dynamodb.delete_item(
                TableName=self._target.sessions_table,
                Key={"sessionId": {"S": session_id}},
                ConditionExpression=OURS_OR_GONE,
                ExpressionAttributeValues={":prefix": {"S": client_id_prefix}},
            )
        except ClientError as err:
            error = err.response.get("Error", {})
            if error.get("Code") == "ConditionalCheckFailedException":
                return False  # not the harness's: left alone
            table = self._target.sessions_table
            raise TargetInfraError(
                f"DeleteItem on {table} failed: {error.get('Code')}: {error.get('Message')}"
            ) from err
        except BotoCoreError as err:
            raise TargetInfraError(f"DeleteItem on {self._target.sessions_table}: {err}") from err
        return True
