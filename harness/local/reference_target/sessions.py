"""Where the reference target keeps its sessions: the DynamoDB table in moto (test
scaffolding).

Through boto3 and HTTP in general; but when that moto server runs in this very process (every
local run), straight through moto's DynamoDB backend: the same table the harness reads over
HTTP, without a signed request and a second HTTP round trip per session. A write then costs a
fraction of a millisecond instead of about five, which is what lets one process play the
target for a 1 000-user load test.
"""

from __future__ import annotations

from typing import Any, Protocol

from botocore.exceptions import ClientError

from harness.aws.target_infra import plain_item, read_session_item
from harness.local import moto_server


class Sessions(Protocol):
    def put(self, item: dict[str, Any]) -> None:
        """Write a session item (DynamoDB JSON)."""
        ...

    def get(self, session_id: str) -> dict[str, Any] | None:
        """The session item as plain Python values, or None."""
        ...

    def delete(self, session_id: str) -> bool:
        """Delete the item if it exists; False when there was none."""
        ...


def sessions_table(table: str, region: str, endpoint_url: str, client: Any) -> Sessions:
    if moto_server.serves_in_process(endpoint_url):
        return InProcessSessions(table, region)
    return Boto3Sessions(table, client)


class Boto3Sessions:
    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._dynamodb = client

    def put(self, item: dict[str, Any]) -> None:
        self._dynamodb.put_item(TableName=self._table, Item=item)

    def get(self, session_id: str) -> dict[str, Any] | None:
        return read_session_item(self._dynamodb, self._table, session_id)

    def delete(self, session_id: str) -> bool:
        try:
            self._dynamodb.delete_item(
                TableName=self._table,
                Key={"sessionId": {"S": session_id}},
                ConditionExpression="attribute_exists(sessionId)",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


class InProcessSessions:
    """The same operations on moto's backend object (moto runs in this process)."""

    def __init__(self, table: str, region: str) -> None:
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        self._table = table
        self._backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]

    def put(self, item: dict[str, Any]) -> None:
        self._backend.put_item(self._table, item)

    def get(self, session_id: str) -> dict[str, Any] | None:
        found = self._backend.get_item(self._table, {"sessionId": {"S": session_id}})
        return None if found is None else plain_item(found.to_json()["Attributes"])

    def delete(self, session_id: str) -> bool:
        from moto.dynamodb.exceptions import ConditionalCheckFailed

        try:
            self._backend.delete_item(
                self._table,
                {"sessionId": {"S": session_id}},
                condition_expression="attribute_exists(sessionId)",
            )
        except ConditionalCheckFailed:
            return False
        return True
