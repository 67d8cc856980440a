"""One DynamoDB call with the table named in its error: what every DynamoDB adapter shares."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.errors import HistoryError


def call(
    dynamodb: Any,
    table: str,
    operation: str,
    condition_failed: Exception | None = None,
    **params: Any,
) -> dict[str, Any]:
    """``operation`` in API spelling (``"Query"``); every failure becomes ``HistoryError``,
    except a failed ``ConditionExpression``, which raises ``condition_failed`` if given."""
    method = getattr(dynamodb, _snake(operation))
    try:
        answer: dict[str, Any] = method(**params)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "Unknown")
        if code == "ConditionalCheckFailedException" and condition_failed is not None:
            raise condition_failed from err
        raise HistoryError(f"DynamoDB {operation} on {table} failed: {code}") from err
    except BotoCoreError as err:
        raise HistoryError(f"DynamoDB {operation} on {table} failed: {err}") from err
    return answer


def _snake(operation: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in operation)[1:]


def query_all(call: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a query, across pages, in index order (``call`` runs one operation)."""
    items: list[dict[str, Any]] = []
    while True:
        answer = call("Query", **request)
        items.extend(answer.get("Items", []))
        start = answer.get("LastEvaluatedKey")
        if not start:
            return items
        request = {**request, "ExclusiveStartKey": start}
