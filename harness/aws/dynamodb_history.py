"""Run history in DynamoDB: implements ``harness.ports.HistoryStore`` (key design in
``harness.aws.table_keys``; the CDK app creates the table with the same keys)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_call import call, query_all
from harness.errors import HistoryError, RunExistsError
from harness.wire import RegressionReport, RunSummary, Verdict

MAX_ITEM_BYTES = 400_000
RUN_RECORD = "run"


def timestamp(moment: datetime) -> str:
    """A sortable UTC timestamp (naive datetimes count as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DynamoDbHistory:
    """Implements ``harness.ports.HistoryStore`` on the runs table."""

    def __init__(
        self,
        table_name: str,
        *,
        region: str,
        endpoint_url: str | None = None,
        retention_days: int = 400,
    ) -> None:
        self._table = table_name
        self._retention = timedelta(days=retention_days)
        self._dynamodb = client("dynamodb", region=region, endpoint_url=endpoint_url)

    @property
    def table_name(self) -> str:
        return self._table

    @property
    def retention(self) -> timedelta:
        return self._retention

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One DynamoDB call on this table's client; failures raise ``HistoryError``."""
        return self._call(operation, **params)

    def save_run(self, summary: RunSummary) -> None:
        body = summary.model_dump_json(by_alias=True).encode()
        # A run of hundreds of scenarios outgrows one item as JSON; compressed it fits (JSON of
        # repeated field names shrinks about tenfold).
        stored: dict[str, Any] = {"S": body.decode()}
        attribute = keys.SUMMARY
        if len(body) > MAX_ITEM_BYTES:
            stored, attribute = {"B": gzip.compress(body)}, keys.SUMMARY_GZ
            if len(stored["B"]) > MAX_ITEM_BYTES:
                raise HistoryError(f"run {summary.run_id} is too large for one DynamoDB item")
        expires = int((summary.started_at + self._retention).timestamp())
        item = {
            keys.RUN_ID: {"S": summary.run_id},
            keys.SERIES: {"S": keys.series_key(summary.target, summary.suite)},
            keys.KIND: {"S": keys.RUN_KIND},
            keys.TARGET: {"S": summary.target},
            keys.STARTED_AT: {"S": timestamp(summary.started_at)},
            keys.EXPIRES_AT: {"N": str(expires)},
            attribute: stored,
        }
        if summary.verdict is Verdict.ABORTED:
            # Listed (byTime), but out of the indexes baselines are read from.
            del item[keys.SERIES], item[keys.TARGET]
        self._call(
            "PutItem",
            TableName=self._table,
            Item=item,
            ConditionExpression="attribute_not_exists(#id)",  # a run is never replaced
            ExpressionAttributeNames={"#id": keys.RUN_ID},
            condition_failed=RunExistsError(f"run {summary.run_id} is already in the history"),
        )

    def get_run(self, run_id: str) -> RunSummary | None:
        answer = self._call(
            "GetItem",
            TableName=self._table,
            Key={keys.RUN_ID: {"S": run_id}},
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return _summary(item) if item else None

    def previous_run(self, target: str, suite: str, before: datetime) -> RunSummary | None:
        answer = self._call(
            "Query",
            TableName=self._table,
            IndexName=keys.SERIES_INDEX,
            KeyConditionExpression="#series = :series AND #started < :before",
            ExpressionAttributeNames={"#series": keys.SERIES, "#started": keys.STARTED_AT},
            ExpressionAttributeValues={
                ":series": {"S": keys.series_key(target, suite)},
                ":before": {"S": timestamp(before)},
            },
            ScanIndexForward=False,
            Limit=1,
        )
        items = answer.get("Items", [])
        return _summary(items[0]) if items else None

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        return self._newest(
            limit,
            IndexName=keys.TIME_INDEX,
            KeyConditionExpression="#kind = :kind",
            ExpressionAttributeNames={"#kind": keys.KIND},
            ExpressionAttributeValues={":kind": {"S": keys.RUN_KIND}},
        )

    def recent_runs(
        self, target: str, limit: int, before: datetime | None = None
    ) -> list[RunSummary]:
        condition = "#target = :target"
        values = {":target": {"S": target}}
        if before is not None:
            condition += " AND #started < :before"
            values[":before"] = {"S": timestamp(before)}
        return self._newest(
            limit,
            IndexName=keys.TARGET_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeNames={"#target": keys.TARGET, "#started": keys.STARTED_AT}
            if before is not None
            else {"#target": keys.TARGET},
            ExpressionAttributeValues=values,
        )

    def save_regressions(self, report: RegressionReport) -> None:
        """An item of its own (``<runId>#regressions``, in no index), so storing the run again
        never drops it; it expires with the run history's retention."""
        expires = int((datetime.now(UTC) + self._retention).timestamp())
        item = {
            keys.RUN_ID: {"S": keys.regressions_id(report.run_id)},
            keys.REGRESSIONS: {"S": report.model_dump_json(by_alias=True)},
            keys.EXPIRES_AT: {"N": str(expires)},
        }
        self._call("PutItem", TableName=self._table, Item=item)

    def get_regressions(self, run_id: str) -> RegressionReport | None:
        answer = self._call(
            "GetItem",
            TableName=self._table,
            Key={keys.RUN_ID: {"S": keys.regressions_id(run_id)}},
            ConsistentRead=True,
        )
        stored = answer.get("Item", {}).get(keys.REGRESSIONS)
        return RegressionReport.model_validate_json(stored["S"]) if stored else None

    def runs_since(self, since: datetime) -> list[RunSummary]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.TIME_INDEX,
            "KeyConditionExpression": "#kind = :kind AND #started >= :since",
            "ExpressionAttributeNames": {"#kind": keys.KIND, "#started": keys.STARTED_AT},
            "ExpressionAttributeValues": {
                ":kind": {"S": keys.RUN_KIND},
                ":since": {"S": timestamp(since)},
            },
        }
        return [_summary(item) for item in query_all(self._call, request)]

    def archive_kinds(self) -> tuple[str, ...]:
        return (RUN_RECORD,)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for summary in self.runs_since(datetime.min.replace(tzinfo=UTC)):
            yield RUN_RECORD, summary.model_dump(mode="json", by_alias=True)

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        RunSummary.model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """One PutItem per run, by run id: an interrupted import can simply be run again (a
        run already stored is that same record: kept)."""
        for _, data in records:
            with suppress(RunExistsError):
                self.save_run(RunSummary.model_validate(data))

    def _newest(self, limit: int, **query: Any) -> list[RunSummary]:
        """Up to ``limit`` runs of an index query, newest first, across pages."""
        if limit <= 0:
            return []
        runs: list[RunSummary] = []
        request: dict[str, Any] = {"TableName": self._table, "ScanIndexForward": False, **query}
        while len(runs) < limit:
            answer = self._call("Query", Limit=limit - len(runs), **request)
            runs.extend(_summary(item) for item in answer.get("Items", []))
            start = answer.get("LastEvaluatedKey")
            if not start:
                break
            request["ExclusiveStartKey"] = start
        return runs

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return call(self._dynamodb, self._table, operation, **params)


def _summary(item: dict[str, Any]) -> RunSummary:
    if keys.SUMMARY_GZ in item:
        return RunSummary.model_validate_json(gzip.decompress(item[keys.SUMMARY_GZ]["B"]))
    return RunSummary.model_validate_json(item[keys.SUMMARY]["S"])
