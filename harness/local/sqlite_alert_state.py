"""Alert state in SQLite: the local twin of the DynamoDB alert-state table (same port,
``harness.ports.AlertStateStore``), in the state folder's one SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness.local.sqlite_db import STATE_FILE, connect, ensure_schema
from harness.notify.lifecycle import AlertState
from harness.wire import AlertReport

STATE_RECORD, REPORT_RECORD = "alert_state", "alert_report"
SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_state (
    alert_key  TEXT PRIMARY KEY,
    target     TEXT NOT NULL,
    state_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_state_by_target ON alert_state (target);
CREATE TABLE IF NOT EXISTS alert_runs (
    run_id      TEXT PRIMARY KEY,
    report_json TEXT NOT NULL
);
"""


class SqliteAlertState:
    """Implements ``harness.ports.AlertStateStore``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteAlertState:
        return cls(state_dir / STATE_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    def open_alerts(self, target: str) -> list[AlertState]:
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT state_json FROM alert_state WHERE target = ? ORDER BY alert_key", (target,)
            ).fetchall()
        return [AlertState.model_validate_json(row[0]) for row in rows]

    def record(
        self, report: AlertReport, save: Sequence[AlertState], delete: Sequence[str]
    ) -> None:
        with connect(self.path) as db:  # one transaction: all of it or none
            db.execute(
                "INSERT OR REPLACE INTO alert_runs VALUES (?, ?)",
                (report.run_id, report.model_dump_json(by_alias=True)),
            )
            db.executemany(
                "INSERT OR REPLACE INTO alert_state VALUES (?, ?, ?)",
                [(state.key, state.target, state.model_dump_json()) for state in save],
            )
            db.executemany("DELETE FROM alert_state WHERE alert_key = ?", [(k,) for k in delete])

    def alert_report(self, run_id: str) -> AlertReport | None:
        with connect(self.path) as db:
            row = db.execute(
                "SELECT report_json FROM alert_runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        return AlertReport.model_validate_json(row[0]) if row else None

    def archive_kinds(self) -> tuple[str, ...]:
        return (STATE_RECORD, REPORT_RECORD)

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with connect(self.path) as db:
            states = db.execute("SELECT state_json FROM alert_state ORDER BY alert_key").fetchall()
            reports = db.execute("SELECT report_json FROM alert_runs ORDER BY run_id").fetchall()
        for (text,) in states:
            yield STATE_RECORD, json.loads(text)
        for (text,) in reports:
            yield REPORT_RECORD, json.loads(text)

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        (AlertState if kind == STATE_RECORD else AlertReport).model_validate(data)

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        with connect(self.path) as db:  # one transaction: all of it or none
            for kind, data in records:
                if kind == STATE_RECORD:
                    state = AlertState.model_validate(data)
                    db.execute(
                        "INSERT OR REPLACE INTO alert_state VALUES (?, ?, ?)",
                        (state.key, state.target, state.model_dump_json()),
                    )
                else:
                    report = AlertReport.model_validate(data)
                    db.execute(
                        "INSERT OR REPLACE INTO alert_runs VALUES (?, ?)",
                        (report.run_id, report.model_dump_json(by_alias=True)),
                    )
