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
from harness.target.marker import OURS_OR_GONE, owned
from harness.wire import ResolvedTarget

_deserializer = TypeDeserializer()
# Direct deletes are conditional on the test marker (``OURS_OR_GONE``), so a foreign item is
# never deleted even if a scan returned it. BatchWriteItem takes no condition; the
# TransactWriteItems alternative is all-or-nothing per 100 items, costs two writes per item
# and, on moto, copies the whole table once per item (docs/performance.md has the figures).
# So: one conditional DeleteItem per item, many at once (they are network-bound).
DELETE_WORKERS = 32  # boto3's pool (harness.aws.clients) holds as many connections
SCAN_SEGMENTS = 4  # a large sessions table is scanned in parallel segments


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


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


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
        self._logs = client("logs", region=target.region, endpoint_url=target.aws_endpoint_url)

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
        return [sid for sid, _ in self.find_sessions(client_id_prefix, created_before)]

    def find_sessions(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[tuple[str, str]]:
        condition = "begins_with(clientId, :prefix)"
        values: dict[str, Any] = {":prefix": {"S": client_id_prefix}}
        if created_before is not None:
            # createdAt is ISO-8601 UTC, so string order is time order.
            condition += " AND createdAt < :cutoff"
            values[":cutoff"] = {"S": created_before.astimezone(UTC).isoformat()}

        def segment(number: int) -> list[tuple[str, str]]:
            found: list[tuple[str, str]] = []
            with _aws(f"Scan of {self._target.sessions_table}"):
                paginator = self._dynamodb.get_paginator("scan")
                for page in paginator.paginate(
                    TableName=self._target.sessions_table,
                    ProjectionExpression="sessionId, clientId",
                    FilterExpression=condition,
                    ExpressionAttributeValues=values,
                    Segment=number,
                    TotalSegments=SCAN_SEGMENTS,
                ):
                    found.extend(
                        (item["sessionId"]["S"], item.get("clientId", {}).get("S", ""))
                        for item in page["Items"]
                    )
            return found

        with ThreadPoolExecutor(max_workers=SCAN_SEGMENTS) as pool:
            return [pair for pairs in pool.map(segment, range(SCAN_SEGMENTS)) for pair in pairs]

    def delete_session_items(self, session_ids: list[str], client_id_prefix: str) -> int:
        """Delete the items of these sessions that carry the prefix; returns how many went.

        An item whose clientId does not start with the prefix is left alone (the condition
        fails) whatever the caller passed in."""
        if not client_id_prefix:
            raise TargetInfraError("a conditional delete needs the harness's clientId prefix")
        with ThreadPoolExecutor(max_workers=DELETE_WORKERS) as pool:
            return sum(
                pool.map(lambda sid: self._delete_if_ours(sid, client_id_prefix), session_ids)
            )

    def _delete_if_ours(self, session_id: str, client_id_prefix: str) -> bool:
        table = self._target.sessions_table
        try:
            self._dynamodb.delete_item(
                TableName=table,
                Key={"sessionId": {"S": session_id}},
                ConditionExpression=OURS_OR_GONE,
                ExpressionAttributeValues={":prefix": {"S": client_id_prefix}},
            )
        except ClientError as err:
            if _code(err) == "ConditionalCheckFailedException":
                return False  # not the harness's: left alone
            with _aws(f"DeleteItem on {table}"):
                raise
        except BotoCoreError:
            with _aws(f"DeleteItem on {table}"):
                raise
        return True

    def find_log_streams(
        self, name_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        group = self._target.session_log_group
        if not group or not name_prefix:
            return []
        cutoff = created_before.timestamp() * 1000 if created_before is not None else None
        names: list[str] = []
        paginator = self._logs.get_paginator("describe_log_streams")
        try:
            for page in paginator.paginate(logGroupName=group, logStreamNamePrefix=name_prefix):
                names.extend(
                    stream["logStreamName"]
                    for stream in page.get("logStreams", [])
                    if cutoff is None or stream.get("creationTime", 0) < cutoff
                )
        except ClientError as err:
            if _code(err) == "ResourceNotFoundException":
                return []  # no session has logged yet
            with _aws(f"DescribeLogStreams of {group}"):
                raise
        return names

    def delete_log_streams(self, names: list[str], name_prefix: str) -> int:
        """Delete the streams whose names carry the prefix (log streams take no condition:
        the name is checked here); returns how many went."""
        group = self._target.session_log_group

        def delete(name: str) -> bool:
            if not owned(name, name_prefix):
                return False
            try:
                self._logs.delete_log_stream(logGroupName=group, logStreamName=name)
            except ClientError as err:
                if _code(err) == "ResourceNotFoundException":
                    return False
                with _aws(f"DeleteLogStream in {group}"):
                    raise
            return True

        if not group:
            return 0
        with ThreadPoolExecutor(max_workers=DELETE_WORKERS) as pool:
            return sum(pool.map(delete, names))
