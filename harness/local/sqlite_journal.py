"""The journal in the local state file (``harness.ports.Journal``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.local.sqlite_db import STATE_FILE, connect, ensure_schema
from harness.wire import EntryKind, JournalEntry

JOURNAL_RECORD = "journal"
SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    at         TEXT NOT NULL,
    entry_json TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (kind, at);
"""


class SqliteJournal:
    """Implements ``harness.ports.Journal``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteJournal:
        return cls(state_dir / STATE_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    def record(self, entry: JournalEntry) -> None:
        with connect(self.path) as db:
            _put(db, entry)

    def entries(self, kind: EntryKind, since: datetime) -> list[JournalEntry]:
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT entry_json FROM journal WHERE kind = ? AND at >= ? ORDER BY at",
                (kind.value, _utc(since)),
            ).fetchall()
        return [JournalEntry.model_validate_json(row[0]) for row in rows]

    def archive_kinds(self) -> tuple[str, ...]:
        return (JOURNAL_RECORD,)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with connect(self.path) as db:
            rows = db.execute("SELECT entry_json FROM journal ORDER BY at, kind, key").fetchall()
        for row in rows:
            yield JOURNAL_RECORD, json.loads(row[0])

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        JournalEntry.model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        entries = [JournalEntry.model_validate(data) for _, data in records]
        with connect(self.path) as db:
            for entry in entries:
                _put(db, entry)

    def delete_before(self, kind: EntryKind, before: datetime) -> int:
        """Drop entries older than a moment (the local retention job)."""
        with connect(self.path) as db:
            cursor = db.execute(
                "DELETE FROM journal WHERE kind = ? AND at < ?", (kind.value, _utc(before))
            )
            return cursor.rowcount


def _put(db: sqlite3.Connection, entry: JournalEntry) -> None:
    db.execute(
        "INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?)",
        (entry.kind.value, entry.key, _utc(entry.at), entry.model_dump_json(by_alias=True)),
    )


def _utc(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat()
