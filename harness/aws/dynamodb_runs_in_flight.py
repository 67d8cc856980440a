"""Runs in flight in DynamoDB (``storage.run_state_table``): implements
``harness.ports.RunsInFlight`` for the deployed harness.

SetupGroup writes the edit service's pre-run count here (the first group's wins), Cleanup
deletes the entry, and the recovery function reads it when an execution ends badly. Entries
expire by themselves (TTL) if nothing ever deletes them.
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_call import call
from harness.ports import RunInFlight
from harness.wire import RunContext, ScenarioResult

RUN_ID = keys.RUN_STATE_KEY
EXPIRES_AT = keys.EXPIRES_AT
KEEP_FOR = timedelta(days=7)


class DynamoDbRunsInFlight:
    """Implements ``harness.ports.RunsInFlight`` on the run-state table (partition ``runId``)."""

    def __init__(self, table_name: str, *, region: str, endpoint_url: str | None = None) -> None:
        self._table = table_name
        self._dynamodb = client("dynamodb", region=region, endpoint_url=endpoint_url)

    def begin(
        self, run: RunContext, *, owner: str | None = None, ephemeral_target: bool = False
    ) -> None:
        extra: dict[str, Any] = {"ownerName": {"S": owner}} if owner else {}
        if ephemeral_target:
            extra["ephemeral"] = {"BOOL": True}
        self._update(run, extra)

    def remember_desired_count(self, run: RunContext, count: int) -> None:
        self._update(run, {}, desired_count=count)

    def add_result(self, run_id: str, result: ScenarioResult) -> None:
        # The run ended (or was never begun): nothing to add to.
        with suppress(_NotInFlight):
            self._call(
                "UpdateItem",
                Key={RUN_ID: {"S": run_id}},
                UpdateExpression="SET results = list_append(if_not_exists(results, :none), :one)",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": RUN_ID},
                ExpressionAttributeValues={
                    ":none": {"L": []},
                    ":one": {"L": [{"S": result.model_dump_json(by_alias=True)}]},
                },
                condition_failed=_NotInFlight(),
            )

    def get(self, run_id: str) -> RunInFlight | None:
        answer = self._call("GetItem", Key={RUN_ID: {"S": run_id}}, ConsistentRead=True)
        item = answer.get("Item")
        return _entry(item) if item else None

    def in_flight(self) -> list[RunInFlight]:
        entries: list[RunInFlight] = []
        request: dict[str, Any] = {"ConsistentRead": True}
        while True:
            answer = self._call("Scan", **request)
            entries.extend(_entry(item) for item in answer.get("Items", []))
            if not answer.get("LastEvaluatedKey"):
                return entries
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def finish(self, run_id: str) -> None:
        self._call("DeleteItem", Key={RUN_ID: {"S": run_id}})

    def _update(
        self, run: RunContext, extra: dict[str, Any], desired_count: int | None = None
    ) -> None:
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            ":run": {"S": run.model_dump_json(by_alias=True)},
            ":now": {"S": now.isoformat()},
            ":ttl": {"N": str(int((now + KEEP_FOR).timestamp()))},
        }
        sets = [
            "run = if_not_exists(run, :run)",
            "createdAt = if_not_exists(createdAt, :now)",
            f"{EXPIRES_AT} = if_not_exists({EXPIRES_AT}, :ttl)",
        ]
        if desired_count is not None:
            sets.append("desiredCount = if_not_exists(desiredCount, :count)")
            values[":count"] = {"N": str(desired_count)}
        for name, value in extra.items():
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
        self._call(
            "UpdateItem",
            Key={RUN_ID: {"S": run.run_id}},
            UpdateExpression="SET " + ", ".join(sets),
            ExpressionAttributeValues=values,
        )

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return call(self._dynamodb, self._table, operation, TableName=self._table, **params)


class _NotInFlight(Exception):
    """No run in flight has this id (a conditional update found none)."""


def _entry(item: dict[str, Any]) -> RunInFlight:
    by_scenario: dict[str, ScenarioResult] = {}
    for value in item.get("results", {}).get("L", []):
        result = ScenarioResult.model_validate(json.loads(value["S"]))
        by_scenario[result.scenario] = result  # a retried add: the last one wins
    return RunInFlight(
        run_id=item[RUN_ID]["S"],
        run=RunContext.model_validate_json(item["run"]["S"]) if "run" in item else None,
        desired_count=int(item["desiredCount"]["N"]) if "desiredCount" in item else None,
        owner=item.get("ownerName", {}).get("S"),
        ephemeral_target=bool(item.get("ephemeral", {}).get("BOOL", False)),
        results=list(by_scenario.values()),
    )
