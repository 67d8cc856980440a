"""Pinned baselines and the known-issues ledger in SQLite: the local twins of the baselines
table in DynamoDB (``harness.aws.dynamodb_baselines``), in the state folder's one file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.local.sqlite_db import STATE_FILE, connect, ensure_schema
from harness.wire import KnownIssue, PinnedBaseline

SCHEMA = """
CREATE TABLE IF NOT EXISTS pinned_baselines (
    series        TEXT PRIMARY KEY,
    target        TEXT NOT NULL,
    scenario      TEXT,
    baseline_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pinned_by_target ON pinned_baselines (target, scenario);
CREATE TABLE IF NOT EXISTS known_issues (
    id         TEXT PRIMARY KEY,
    entry_json TEXT NOT NULL
);
"""


class SqliteBaselines:
    """Implements ``harness.ports.BaselineStore``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteBaselines:
        return cls(state_dir / STATE_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    def pin(self, baselines: Sequence[PinnedBaseline]) -> None:
        with connect(self.path) as db:  # one transaction: all of them or none
            db.executemany(
                "INSERT OR REPLACE INTO pinned_baselines VALUES (?, ?, ?, ?)",
                [
                    (b.key, b.target, b.scenario, b.model_dump_json(by_alias=True))
                    for b in baselines
                ],
            )

    def unpin(self, target: str, scenario: str | None = None) -> int:
        query, params = "DELETE FROM pinned_baselines WHERE target = ?", [target]
        if scenario is not None:
            query, params = query + " AND scenario = ?", [target, scenario]
        with connect(self.path) as db:
            return db.execute(query, params).rowcount

    def pinned(self, keys: Sequence[str]) -> dict[str, PinnedBaseline]:
        if not keys:
            return {}
        marks = ", ".join("?" for _ in keys)
        with connect(self.path) as db:
            rows = db.execute(
                f"SELECT baseline_json FROM pinned_baselines WHERE series IN ({marks})",
                list(keys),
            ).fetchall()
        found = [PinnedBaseline.model_validate_json(row[0]) for row in rows]
        return {baseline.key: baseline for baseline in found}

    def list_pinned(self, target: str) -> list[PinnedBaseline]:
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT baseline_json FROM pinned_baselines WHERE target = ? ORDER BY series",
                (target,),
            ).fetchall()
        return [PinnedBaseline.model_validate_json(row[0]) for row in rows]


class SqliteKnownIssues:
    """Implements ``harness.ports.KnownIssueStore``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteKnownIssues:
        return cls(state_dir / STATE_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    def add(self, entry: KnownIssue) -> None:
        with connect(self.path) as db:
            db.execute(
                "INSERT INTO known_issues VALUES (?, ?)",
                (entry.id, entry.model_dump_json(by_alias=True)),
            )

    def remove(self, entry_id: str) -> bool:
        with connect(self.path) as db:
            return db.execute("DELETE FROM known_issues WHERE id = ?", (entry_id,)).rowcount > 0

    def entries(self) -> list[KnownIssue]:
        with connect(self.path) as db:
            rows = db.execute("SELECT entry_json FROM known_issues").fetchall()
        found = [KnownIssue.model_validate_json(row[0]) for row in rows]
        return sorted(found, key=lambda entry: entry.created_at)
