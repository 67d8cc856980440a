"""Leases in SQLite (the local twin of ``aws/dynamodb_leases.py``, same ``LeaseStore`` port).

One row per (resource key, run). An acquire is one ``BEGIN IMMEDIATE`` transaction: reap the
expired rows, check every claim against the live holders, insert them all, or roll back.
Runs that share a state folder see each other's leases, so two local runs against one real
target wait for each other; runs on their own bundled reference target never contend (the
key names its moto endpoint).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness.errors import HistoryError
from harness.local.sqlite_db import STATE_FILE, ensure_schema
from harness.target.leases import blocker, busy
from harness.wire import BusyTarget, Holder, LeaseClaim, LeaseMode

SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    lease_key   TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    mode        TEXT NOT NULL,
    target      TEXT NOT NULL,
    since       TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    found_count INTEGER,
    PRIMARY KEY (lease_key, run_id)
);
CREATE INDEX IF NOT EXISTS leases_by_expiry ON leases (expires_at);
"""
COLUMNS = "run_id, mode, target, since, expires_at, found_count"


class SqliteLeases:
    """Implements ``harness.ports.LeaseStore``."""

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> SqliteLeases:
        return cls(state_dir / STATE_FILE)

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_schema(path, SCHEMA)

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front, so two acquires never interleave."""
        try:
            with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as err:
            raise HistoryError(f"local state {self.path}: {err}") from err

    def acquire(
        self,
        claims: Sequence[LeaseClaim],
        run_id: str,
        now: datetime,
        ttl_seconds: float,
        found: Callable[[LeaseClaim], int | None],
    ) -> BusyTarget | None:
        expires = now + timedelta(seconds=ttl_seconds)
        with self._immediate() as db:
            db.execute("DELETE FROM leases WHERE expires_at <= ?", (_stamp(now),))
            for claim in claims:
                held = blocker(_holders(db, claim.key), claim, run_id)
                if held is not None:
                    return busy(claim, held)  # commits the reaping only
            for claim in claims:
                count = found(claim) if claim.record_desired_count else None
                db.execute(
                    "INSERT OR REPLACE INTO leases VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        claim.key,
                        run_id,
                        claim.mode.value,
                        claim.target,
                        _stamp(now),
                        _stamp(expires),
                        count,
                    ),
                )
        return None

    def holders(self, key: str) -> dict[str, Holder]:
        with self._immediate() as db:
            return _holders(db, key)

    def release(self, run_id: str, keys: Sequence[str]) -> list[Holder]:
        released: list[Holder] = []
        with self._immediate() as db:
            for key in keys:
                row = db.execute(
                    f"SELECT {COLUMNS} FROM leases WHERE lease_key = ? AND run_id = ?",
                    (key, run_id),
                ).fetchone()
                if row is not None:
                    released.append(_holder(row))
                    db.execute(
                        "DELETE FROM leases WHERE lease_key = ? AND run_id = ?", (key, run_id)
                    )
        return released


def _holders(db: sqlite3.Connection, key: str) -> dict[str, Holder]:
    rows = db.execute(f"SELECT {COLUMNS} FROM leases WHERE lease_key = ?", (key,)).fetchall()
    return {row[0]: _holder(row) for row in rows}


def _holder(row: tuple[str, str, str, str, str, int | None]) -> Holder:
    run_id, mode, target, since, expires_at, count = row
    return Holder(
        run_id=run_id,
        mode=LeaseMode(mode),
        target=target,
        since=datetime.fromisoformat(since),
        expires_at=datetime.fromisoformat(expires_at),
        found_desired_count=count,
    )


def _stamp(moment: datetime) -> str:
    """Sortable UTC text (so ``expires_at <= now`` compares as time)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
