"""Run history in SQLite: the local twin of the DynamoDB history, same HistoryStore port.

One file in the state folder. Each run is written in one transaction (summary row plus one
row per scenario), so a crash leaves either the whole run or none of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import RunExistsError
from harness.local.sqlite_db import STATE_FILE, check_tables, connect, ensure_schema
from harness.wire import RegressionReport, RunSummary

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id       TEXT PRIMARY KEY,
    target       TEXT NOT NULL,
    suite        TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    summary_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_target_suite ON runs (target, suite, started_at);
CREATE INDEX IF NOT EXISTS runs_by_target ON runs (target, started_at);
CREATE TABLE IF NOT EXISTS scenario_results (
    run_id           TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    scenario         TEXT NOT NULL,
    status           TEXT NOT NULL,
    duration_seconds REAL NOT NULL,
    result_json      TEXT NOT NULL,
    PRIMARY KEY (run_id, scenario)
);
-- What DetectRegressions / JudgeConfirmation decided about a run (no foreign key: saving a
-- run again replaces its row, which must not drop its judgement).
CREATE TABLE IF NOT EXISTS regression_reports (
    run_id      TEXT PRIMARY KEY,
    report_json TEXT NOT NULL
);
"""


HISTORY_FILE = STATE_FILE
RUN_RECORD = "run"
# Aborted runs are listed, but never a baseline: they have no verdict of their own.
JUDGED = "verdict != 'aborted'"


class SqliteHistory:
    """Implements ``harness.ports.HistoryStore``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteHistory:
        return cls(state_dir / HISTORY_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path)

    def check(self) -> None:
        """Readable, writable, and the tables this version expects (before a run starts)."""
        check_tables(
            self.path,
            {
                "runs": {"run_id", "target", "suite", "started_at", "verdict", "summary_json"},
                "scenario_results": {"run_id", "scenario", "status", "result_json"},
            },
        )

    def has_run(self, run_id: str) -> bool:
        with self._connect() as db:
            return (
                db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is not None
            )

    def save_run(self, summary: RunSummary) -> None:
        """Store a new run; an id that is already stored is refused (never replaced)."""
        with self._connect() as db:
            if db.execute("SELECT 1 FROM runs WHERE run_id = ?", (summary.run_id,)).fetchone():
                raise RunExistsError(f"run {summary.run_id} is already in the history")
            _insert(db, summary)

    def archive_kinds(self) -> tuple[str, ...]:
        return (RUN_RECORD,)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for summary in self.runs_since(datetime.min.replace(tzinfo=UTC)):
            yield RUN_RECORD, summary.model_dump(mode="json", by_alias=True)

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        RunSummary.model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """All of them in one transaction: an import leaves all or none."""
        with self._connect() as db:
            for _, data in records:
                _insert(db, RunSummary.model_validate(data))

    def get_run(self, run_id: str) -> RunSummary | None:
        with self._connect() as db:
            row = db.execute("SELECT summary_json FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return RunSummary.model_validate_json(row[0]) if row else None

    def previous_run(self, target: str, suite: str, before: datetime) -> RunSummary | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT summary_json FROM runs WHERE target = ? AND suite = ? AND started_at < ?"
                f" AND {JUDGED} ORDER BY started_at DESC LIMIT 1",
                (target, suite, before.isoformat()),
            ).fetchone()
        return RunSummary.model_validate_json(row[0]) if row else None

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT summary_json FROM runs ORDER BY started_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [RunSummary.model_validate_json(row[0]) for row in rows]

    def recent_runs(
        self, target: str, limit: int, before: datetime | None = None
    ) -> list[RunSummary]:
        # started_at is stored as isoformat() of an aware UTC datetime: string order is time order.
        with self._connect() as db:
            rows = db.execute(
                "SELECT summary_json FROM runs WHERE target = ? AND started_at < ?"
                f" AND {JUDGED} ORDER BY started_at DESC LIMIT ?",
                (target, (before or datetime.max.replace(tzinfo=UTC)).isoformat(), limit),
            ).fetchall()
        return [RunSummary.model_validate_json(row[0]) for row in rows]

    def save_regressions(self, report: RegressionReport) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO regression_reports VALUES (?, ?)",
                (report.run_id, report.model_dump_json(by_alias=True)),
            )

    def get_regressions(self, run_id: str) -> RegressionReport | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT report_json FROM regression_reports WHERE run_id = ?", (run_id,)
            ).fetchone()
        return RegressionReport.model_validate_json(row[0]) if row else None

    def delete_runs_before(self, before: datetime) -> int:
        """Drop runs that started before a moment (the local retention job); their scenario
        rows go with them (ON DELETE CASCADE)."""
        with self._connect() as db:
            cursor = db.execute(
                "DELETE FROM runs WHERE started_at < ?", (_utc(before).isoformat(),)
            )
            return cursor.rowcount

    def count_runs(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def runs_since(self, since: datetime) -> list[RunSummary]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT summary_json FROM runs WHERE started_at >= ? ORDER BY started_at",
                (_utc(since).isoformat(),),
            ).fetchall()
        return [RunSummary.model_validate_json(row[0]) for row in rows]


def _utc(moment: datetime) -> datetime:
    """Stored times are aware UTC isoformat strings: compare like with like."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _insert(db: sqlite3.Connection, summary: RunSummary) -> None:
    """One run: its summary row and one row per scenario (inside the caller's transaction).
    Replaces a stored run of that id: only an import does that (the same record twice is one
    record); ``save_run`` refuses an id that is already stored."""
    db.execute(
        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)",
        (
            summary.run_id,
            summary.target,
            summary.suite,
            summary.started_at.isoformat(),
            summary.verdict.value,
            summary.model_dump_json(by_alias=True),
        ),
    )
    db.execute("DELETE FROM scenario_results WHERE run_id = ?", (summary.run_id,))
    db.executemany(
        "INSERT INTO scenario_results VALUES (?, ?, ?, ?, ?)",
        [
            (
                summary.run_id,
                result.scenario,
                result.status.value,
                result.duration_seconds,
                result.model_dump_json(by_alias=True),
            )
            for result in summary.results
        ],
    )
