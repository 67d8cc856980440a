"""Alert state in the DynamoDB alert-state table: implements ``harness.ports.AlertStateStore``
(key design in ``harness.aws.table_keys``; the CDK app creates the table with the same keys).

A run's outcome is written with TransactWriteItems (in chunks of 100, DynamoDB's limit; one
chunk in practice), so its deliveries and the states it changed land together.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_call import call
from harness.notify.lifecycle import AlertState
from harness.wire import AlertReport

TRANSACTION_LIMIT = 100
STATE_RECORD, REPORT_RECORD = "alert_state", "alert_report"


class DynamoDbAlertState:
    """Implements ``harness.ports.AlertStateStore`` on the alert-state table."""

    def __init__(
        self,
        table_name: str,
        *,
        region: str,
        endpoint_url: str | None = None,
        retention_days: int = 30,
    ) -> None:
        self._table = table_name
        self._retention_seconds = retention_days * 86400
        self._dynamodb = client("dynamodb", region=region, endpoint_url=endpoint_url)

    def open_alerts(self, target: str) -> list[AlertState]:
        states: list[AlertState] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.ALERT_OPEN_INDEX,
            "KeyConditionExpression": "#target = :target",
            "ExpressionAttributeNames": {"#target": keys.ALERT_TARGET},
            "ExpressionAttributeValues": {":target": {"S": target}},
        }
        while True:
            answer = self._call("Query", **request)
            states.extend(
                AlertState.model_validate_json(item[keys.ALERT_STATE]["S"])
                for item in answer.get("Items", [])
            )
            start = answer.get("LastEvaluatedKey")
            if not start:
                return states
            request["ExclusiveStartKey"] = start

    def record(
        self, report: AlertReport, save: Sequence[AlertState], delete: Sequence[str]
    ) -> None:
        expires = {"N": str(int(time.time()) + self._retention_seconds)}
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        keys.ALERT_KEY: {"S": keys.ALERT_RUN_PREFIX + report.run_id},
                        keys.ALERT_REPORT: {"S": report.model_dump_json(by_alias=True)},
                        keys.EXPIRES_AT: expires,
                    },
                }
            }
        ]
        for state in save:
            item = {
                keys.ALERT_KEY: {"S": keys.ALERT_PREFIX + state.key},
                keys.ALERT_TARGET: {"S": state.target},
                keys.ALERT_STATE: {"S": state.model_dump_json()},
                keys.EXPIRES_AT: expires,
            }
            writes.append({"Put": {"TableName": self._table, "Item": item}})
        for key in delete:
            writes.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {keys.ALERT_KEY: {"S": keys.ALERT_PREFIX + key}},
                    }
                }
            )
        for start in range(0, len(writes), TRANSACTION_LIMIT):
            chunk = writes[start : start + TRANSACTION_LIMIT]
            self._call("TransactWriteItems", TransactItems=chunk)

    def alert_report(self, run_id: str) -> AlertReport | None:
        answer = self._call(
            "GetItem",
            TableName=self._table,
            Key={keys.ALERT_KEY: {"S": keys.ALERT_RUN_PREFIX + run_id}},
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return AlertReport.model_validate_json(item[keys.ALERT_REPORT]["S"]) if item else None

    def archive_kinds(self) -> tuple[str, ...]:
        return (STATE_RECORD, REPORT_RECORD)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The whole table (a Scan: the alert state of a harness is small)."""
        request: dict[str, Any] = {"TableName": self._table}
        while True:
            answer = self._call("Scan", **request)
            for item in answer.get("Items", []):
                if keys.ALERT_STATE in item:
                    yield STATE_RECORD, json.loads(item[keys.ALERT_STATE]["S"])
                elif keys.ALERT_REPORT in item:
                    yield REPORT_RECORD, json.loads(item[keys.ALERT_REPORT]["S"])
            start = answer.get("LastEvaluatedKey")
            if not start:
                return
            request["ExclusiveStartKey"] = start

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        (AlertState if kind == STATE_RECORD else AlertReport).model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Item by item, by key: an interrupted import can simply be run again."""
        for kind, data in records:
            if kind == STATE_RECORD:
                state = AlertState.model_validate(data)
                self._put_state(state)
            else:
                self._put_report(AlertReport.model_validate(data))

    def _expires(self) -> dict[str, str]:
        return {"N": str(int(time.time()) + self._retention_seconds)}

    def _put_state(self, state: AlertState) -> None:
        item = {
            keys.ALERT_KEY: {"S": keys.ALERT_PREFIX + state.key},
            keys.ALERT_TARGET: {"S": state.target},
            keys.ALERT_STATE: {"S": state.model_dump_json()},
            keys.EXPIRES_AT: self._expires(),
        }
        self._call("PutItem", TableName=self._table, Item=item)

    def _put_report(self, report: AlertReport) -> None:
        item = {
            keys.ALERT_KEY: {"S": keys.ALERT_RUN_PREFIX + report.run_id},
            keys.ALERT_REPORT: {"S": report.model_dump_json(by_alias=True)},
            keys.EXPIRES_AT: self._expires(),
        }
        self._call("PutItem", TableName=self._table, Item=item)

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return call(self._dynamodb, self._table, operation, **params)
