"""The journal in AWS: items of the runs table beside the runs (``harness.ports.Journal``).

An entry is an item with ``runId`` = ``"<kind>#<key>"`` and ``kind`` = ``"JOURNAL#<kind>"``,
so the ``byTime`` index (partition ``kind``, sort ``startedAt``) lists one kind in time
order, while ``list_runs`` (kind ``RUN``) never sees it; it has no ``series`` or ``target``
attribute, so the other indexes leave it out. It expires with the runs (``expiresAt``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from harness.aws import table_keys as keys
from harness.aws.dynamodb_call import query_all
from harness.aws.dynamodb_history import DynamoDbHistory, timestamp
from harness.wire import EntryKind, JournalEntry

ENTRY = "entry"
JOURNAL_RECORD = "journal"


def journal_kind(kind: EntryKind) -> str:
    return f"{keys.JOURNAL_KIND_PREFIX}{kind.value}"


class DynamoDbJournal:
    """Implements ``harness.ports.Journal`` on the runs table."""

    def __init__(self, history: DynamoDbHistory) -> None:
        self._history = history

    def record(self, entry: JournalEntry) -> None:
        retention: timedelta = self._history.retention
        self._history.call(
            "PutItem",
            TableName=self._history.table_name,
            Item={
                keys.RUN_ID: {"S": f"{entry.kind.value}#{entry.key}"},
                keys.KIND: {"S": journal_kind(entry.kind)},
                keys.STARTED_AT: {"S": timestamp(entry.at)},
                keys.EXPIRES_AT: {"N": str(int((entry.at + retention).timestamp()))},
                ENTRY: {"S": entry.model_dump_json(by_alias=True)},
            },
        )

    def entries(self, kind: EntryKind, since: datetime) -> list[JournalEntry]:
        request: dict[str, Any] = {
            "TableName": self._history.table_name,
            "IndexName": keys.TIME_INDEX,
            "KeyConditionExpression": "#kind = :kind AND #started >= :since",
            "ExpressionAttributeNames": {"#kind": keys.KIND, "#started": keys.STARTED_AT},
            "ExpressionAttributeValues": {
                ":kind": {"S": journal_kind(kind)},
                ":since": {"S": timestamp(since)},
            },
        }
        return [
            JournalEntry.model_validate_json(item[ENTRY]["S"])
            for item in query_all(self._history.call, request)
        ]

    def archive_kinds(self) -> tuple[str, ...]:
        return (JOURNAL_RECORD,)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for kind in EntryKind:
            for entry in self.entries(kind, datetime.min.replace(tzinfo=UTC)):
                yield JOURNAL_RECORD, entry.model_dump(mode="json", by_alias=True)

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        JournalEntry.model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        for _, data in records:
            self.record(JournalEntry.model_validate(data))
