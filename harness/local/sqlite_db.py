"""The one SQLite file of a local state folder, shared by every local store (run history and
whatever else the harness keeps between runs). Each store owns its tables and declares their
schema; this module only opens connections the same way for all of them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from harness.errors import HistoryError

STATE_FILE = "history.sqlite3"


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back if it raises.

    Every ``sqlite3.Error`` becomes ``HistoryError`` naming the file, so callers deal with one
    error type whichever store failed.
    """
    try:
        with closing(sqlite3.connect(path, timeout=30)) as db, db:
            db.execute("PRAGMA foreign_keys = ON")
            yield db
    except sqlite3.Error as err:
        raise HistoryError(f"local state {path}: {err}") from err


def ensure_schema(path: Path, schema: str) -> None:
    """Create the folder and the tables of ``schema`` (``CREATE ... IF NOT EXISTS``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise HistoryError(f"local state {path}: cannot create its folder: {err}") from err
    with connect(path) as db:
        db.executescript(schema)


def check_tables(path: Path, columns: dict[str, set[str]]) -> None:
    """Fail now, not at the end of a run, if the file cannot be read and written or a table
    lacks a column (a file from another version, or not ours at all)."""
    with connect(path) as db:
        for table, needed in columns.items():
            found = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            missing = sorted(needed - found)
            if missing:
                raise HistoryError(
                    f"local state {path}: table {table} lacks column(s) {', '.join(missing)} "
                    "(a file from another harness version? move it away to start afresh)"
                )
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        # A real write, rolled back: a read-only file or a full disk shows here.
        db.execute("CREATE TABLE IF NOT EXISTS _write_probe (x INTEGER)")
        db.execute("INSERT INTO _write_probe VALUES (1)")
        db.rollback()
