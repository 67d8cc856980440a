"""Runs in flight, in the local state file: implements ``harness.ports.RunsInFlight``.

A local run writes here before it starts and forgets its entry when it ends; an entry whose
process is gone is a run that died (``harness.local.dead_runs``), recovered on the next start.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from harness.local.sqlite_db import STATE_FILE, connect, ensure_schema
from harness.ports import RunInFlight
from harness.wire import RunContext, ScenarioResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs_in_flight (
    run_id           TEXT PRIMARY KEY,
    run_json         TEXT,
    desired_count    INTEGER,
    owner            TEXT,
    ephemeral_target INTEGER NOT NULL DEFAULT 0,
    results_json     TEXT NOT NULL DEFAULT '[]',
    created_at       TEXT NOT NULL
);
"""


class SqliteRunsInFlight:
    """Implements ``harness.ports.RunsInFlight``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteRunsInFlight:
        return cls(state_dir / STATE_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    def begin(
        self, run: RunContext, *, owner: str | None = None, ephemeral_target: bool = False
    ) -> None:
        with connect(self.path) as db:
            db.execute(
                "INSERT INTO runs_in_flight (run_id, run_json, owner, ephemeral_target, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET"
                " run_json = COALESCE(run_json, excluded.run_json),"
                " owner = COALESCE(excluded.owner, owner),"
                " ephemeral_target = MAX(ephemeral_target, excluded.ephemeral_target)",
                (
                    run.run_id,
                    run.model_dump_json(by_alias=True),
                    owner,
                    int(ephemeral_target),
                    datetime.now(UTC).isoformat(),
                ),
            )

    def remember_desired_count(self, run: RunContext, count: int) -> None:
        self.begin(run)
        with connect(self.path) as db:
            db.execute(
                "UPDATE runs_in_flight SET desired_count = ? "
                "WHERE run_id = ? AND desired_count IS NULL",
                (count, run.run_id),
            )

    def add_result(self, run_id: str, result: ScenarioResult) -> None:
        with connect(self.path) as db:
            row = db.execute(
                "SELECT results_json FROM runs_in_flight WHERE run_id = ?", (run_id,)
            ).fetchone()
            if row is None:
                return
            results = [r for r in json.loads(row[0]) if r.get("scenario") != result.scenario]
            results.append(result.to_wire())
            db.execute(
                "UPDATE runs_in_flight SET results_json = ? WHERE run_id = ?",
                (json.dumps(results), run_id),
            )

    def get(self, run_id: str) -> RunInFlight | None:
        with connect(self.path) as db:
            row = db.execute(
                "SELECT run_id, run_json, desired_count, owner, ephemeral_target, results_json "
                "FROM runs_in_flight WHERE run_id = ?",
                (run_id,),
            ).fetchone()
        return _entry(row) if row else None

    def in_flight(self) -> list[RunInFlight]:
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT run_id, run_json, desired_count, owner, ephemeral_target, results_json "
                "FROM runs_in_flight ORDER BY created_at"
            ).fetchall()
        return [_entry(row) for row in rows]

    def finish(self, run_id: str) -> None:
        with connect(self.path) as db:
            db.execute("DELETE FROM runs_in_flight WHERE run_id = ?", (run_id,))


def _entry(row: tuple[object, ...]) -> RunInFlight:
    run_id, run_json, desired, owner, ephemeral, results_json = row
    return RunInFlight(
        run_id=str(run_id),
        run=RunContext.model_validate_json(str(run_json)) if run_json else None,
        desired_count=int(str(desired)) if desired is not None else None,
        owner=str(owner) if owner else None,
        ephemeral_target=bool(ephemeral),
        results=[ScenarioResult.model_validate(r) for r in json.loads(str(results_json))],
    )
