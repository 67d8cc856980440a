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
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as db:
        db.executescript(schema)
