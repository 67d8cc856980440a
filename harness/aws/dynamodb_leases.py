"""Leases in DynamoDB: implements ``harness.ports.LeaseStore`` on the leases table (the CDK
app creates it with the keys of ``harness.aws.table_keys``).

One item per resource key holds every holder (JSON) and a version. Each change is a
conditional write on that version (optimistic locking): two runs racing for one key cannot
both win, and the loser re-reads and decides again. Expired holders are dropped by the next
writer; DynamoDB's TTL deletes items whose holders have all expired (the reaper for runs
that died without releasing).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.errors import LeaseError
from harness.target.leases import blocker, busy, live_holders
from harness.wire import BusyTarget, Holder, LeaseClaim

KEY, HOLDERS, VERSION, EXPIRES_AT = (
    keys.LEASE_KEY,
    keys.LEASE_HOLDERS,
    keys.LEASE_VERSION,
    keys.EXPIRES_AT,
)
MAX_RACES = 8


class _Lost(Exception):
    """Another writer changed the item between our read and our write."""


class DynamoDbLeases:
    """Implements ``harness.ports.LeaseStore``."""

    def __init__(self, table_name: str, *, region: str, endpoint_url: str | None = None) -> None:
        self._table = table_name
        self._dynamodb = client("dynamodb", region=region, endpoint_url=endpoint_url)

    def acquire(
        self,
        claims: Sequence[LeaseClaim],
        run_id: str,
        now: datetime,
        ttl_seconds: float,
        found: Callable[[LeaseClaim], int | None],
    ) -> BusyTarget | None:
        expires = now + timedelta(seconds=ttl_seconds)
        taken: list[str] = []
        for claim in claims:
            for _race in range(MAX_RACES):
                holders, version = self._read(claim.key)
                holders = live_holders(holders, now)
                held = blocker(holders, claim, run_id)
                if held is not None:
                    self.release(run_id, taken)
                    return busy(claim, held)
                holders[run_id] = Holder(
                    run_id=run_id,
                    mode=claim.mode,
                    target=claim.target,
                    since=now,
                    expires_at=expires,
                    found_desired_count=found(claim) if claim.record_desired_count else None,
                )
                try:
                    self._write(claim.key, holders, version)
                except _Lost:
                    continue
                taken.append(claim.key)
                break
            else:
                self.release(run_id, taken)
                raise LeaseError(f"lease {claim.key}: lost {MAX_RACES} races in a row")
        return None

    def holders(self, key: str) -> dict[str, Holder]:
        return self._read(key)[0]

    def release(self, run_id: str, keys: Sequence[str]) -> list[Holder]:
        released: list[Holder] = []
        for key in keys:
            for _race in range(MAX_RACES):
                holders, version = self._read(key)
                mine = holders.pop(run_id, None)
                if mine is None:
                    break
                try:
                    self._write(key, holders, version)
                except _Lost:
                    continue
                released.append(mine)
                break
            else:
                raise LeaseError(f"lease {key}: lost {MAX_RACES} races in a row while releasing")
        return released

    def _read(self, key: str) -> tuple[dict[str, Holder], int]:
        answer = self._call(
            "GetItem", self._dynamodb.get_item, Key={KEY: {"S": key}}, ConsistentRead=True
        )
        item = answer.get("Item")
        if not item:
            return {}, 0
        raw = json.loads(item[HOLDERS]["S"])
        holders = {run_id: Holder.model_validate(data) for run_id, data in raw.items()}
        return holders, int(item[VERSION]["N"])

    def _write(self, key: str, holders: dict[str, Holder], version: int) -> None:
        """Replace the item if nobody changed it since ``version`` (0: it did not exist)."""
        condition: dict[str, Any] = (
            {
                "ConditionExpression": "attribute_not_exists(#key)",
                "ExpressionAttributeNames": {"#key": KEY},
            }
            if version == 0
            else {
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": VERSION},
                "ExpressionAttributeValues": {":version": {"N": str(version)}},
            }
        )
        try:
            if holders:
                last = max(holder.expires_at for holder in holders.values())
                item = {
                    KEY: {"S": key},
                    HOLDERS: {"S": json.dumps({r: h.to_wire() for r, h in holders.items()})},
                    VERSION: {"N": str(version + 1)},
                    EXPIRES_AT: {"N": str(int(last.timestamp()) + 1)},
                }
                self._call("PutItem", self._dynamodb.put_item, Item=item, **condition)
            elif version:
                self._call(
                    "DeleteItem", self._dynamodb.delete_item, Key={KEY: {"S": key}}, **condition
                )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise _Lost from err
            raise LeaseError(f"DynamoDB write of lease {key} failed: {err}") from err

    def _call(self, operation: str, method: Any, **params: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = method(TableName=self._table, **params)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise
            code = err.response.get("Error", {}).get("Code", "Unknown")
            raise LeaseError(f"DynamoDB {operation} on {self._table} failed: {code}") from err
        except BotoCoreError as err:
            raise LeaseError(f"DynamoDB {operation} on {self._table} failed: {err}") from err
        return answer
