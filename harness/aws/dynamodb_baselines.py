"""Pinned baselines and the known-issues ledger in the baselines table (key design in
``harness.aws.table_keys``): the AWS twins of ``harness.local.sqlite_baselines``.

What the suite's Lambdas call is ``pinned`` (BatchGetItem) and ``entries`` (Query); pinning,
unpinning and editing the ledger are the CLI's (``harness baseline``, ``ack``, ``quarantine``,
``known``), run with the user's own credentials.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_call import call
from harness.errors import HistoryError
from harness.wire import KnownIssue, PinnedBaseline

BATCH_GET_LIMIT = 100
TRANSACTION_LIMIT = 100
UNPROCESSED_RETRIES = 5


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Table:
    def __init__(self, table_name: str, *, region: str, endpoint_url: str | None = None) -> None:
        self.table_name = table_name
        self._dynamodb = client("dynamodb", region=region, endpoint_url=endpoint_url)

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return call(self._dynamodb, self.table_name, operation, **params)


class DynamoDbBaselines(_Table):
    """Implements ``harness.ports.BaselineStore``."""

    def pin(self, baselines: Sequence[PinnedBaseline]) -> None:
        if len(baselines) > TRANSACTION_LIMIT:  # a run reports a few dozen series at most
            raise HistoryError(
                f"{len(baselines)} baselines in one pin; pin one scenario at a time (--scenario)"
            )
        if baselines:
            self._call(
                "TransactWriteItems",
                TransactItems=[
                    {"Put": {"TableName": self.table_name, "Item": _item(b)}} for b in baselines
                ],
            )

    def unpin(self, target: str, scenario: str | None = None) -> int:
        doomed = [b for b in self.list_pinned(target) if scenario is None or b.scenario == scenario]
        for chunk in _chunks(doomed, TRANSACTION_LIMIT):
            self._call(
                "TransactWriteItems",
                TransactItems=[
                    {"Delete": {"TableName": self.table_name, "Key": _key(b.key, keys.PINNED)}}
                    for b in chunk
                ],
            )
        return len(doomed)

    def pinned(self, series: Sequence[str]) -> dict[str, PinnedBaseline]:
        found: dict[str, PinnedBaseline] = {}
        for chunk in _chunks(list(dict.fromkeys(series)), BATCH_GET_LIMIT):
            request = {self.table_name: {"Keys": [_key(key, keys.PINNED) for key in chunk]}}
            for attempt in range(UNPROCESSED_RETRIES + 1):
                answer = self._call("BatchGetItem", RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    baseline = PinnedBaseline.model_validate_json(item[keys.BODY]["S"])
                    found[baseline.key] = baseline
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.05 * 2**attempt)  # throttled: back off, then ask for the rest
            else:
                raise HistoryError(f"DynamoDB BatchGetItem on {self.table_name}: still throttled")
        return found

    def list_pinned(self, target: str) -> list[PinnedBaseline]:
        """A Scan: used only by ``harness baseline show/unpin``, on a small table."""
        found = []
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "FilterExpression": "#name = :pinned AND #target = :target",
            "ExpressionAttributeNames": {
                "#name": keys.BASELINE_NAME,
                "#target": keys.BASELINE_TARGET,
            },
            "ExpressionAttributeValues": {":pinned": {"S": keys.PINNED}, ":target": {"S": target}},
        }
        while True:
            answer = self._call("Scan", **request)
            found += [
                PinnedBaseline.model_validate_json(i[keys.BODY]["S"])
                for i in answer.get("Items", [])
            ]
            if not answer.get("LastEvaluatedKey"):
                return sorted(found, key=lambda baseline: baseline.key)
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


class DynamoDbKnownIssues(_Table):
    """Implements ``harness.ports.KnownIssueStore``: one partition of the baselines table."""

    def add(self, entry: KnownIssue) -> None:
        item = {
            **_key(keys.KNOWN_ISSUES, entry.id),
            keys.BODY: {"S": entry.model_dump_json(by_alias=True)},
        }
        self._call(
            "PutItem",
            TableName=self.table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(#name)",
            ExpressionAttributeNames={"#name": keys.BASELINE_NAME},
        )

    def remove(self, entry_id: str) -> bool:
        answer = self._call(
            "DeleteItem",
            TableName=self.table_name,
            Key=_key(keys.KNOWN_ISSUES, entry_id),
            ReturnValues="ALL_OLD",
        )
        return bool(answer.get("Attributes"))

    def entries(self) -> list[KnownIssue]:
        found = []
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#series = :known",
            "ExpressionAttributeNames": {"#series": keys.BASELINE_SERIES},
            "ExpressionAttributeValues": {":known": {"S": keys.KNOWN_ISSUES}},
        }
        while True:
            answer = self._call("Query", **request)
            found += [
                KnownIssue.model_validate_json(i[keys.BODY]["S"]) for i in answer.get("Items", [])
            ]
            if not answer.get("LastEvaluatedKey"):
                return sorted(found, key=lambda entry: entry.created_at)
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _key(series: str, name: str) -> dict[str, Any]:
    return {keys.BASELINE_SERIES: {"S": series}, keys.BASELINE_NAME: {"S": name}}


def _item(baseline: PinnedBaseline) -> dict[str, Any]:
    return {
        **_key(baseline.key, keys.PINNED),
        keys.BASELINE_TARGET: {"S": baseline.target},
        keys.BODY: {"S": baseline.model_dump_json(by_alias=True)},
    }
