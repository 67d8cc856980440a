"""What the harness records about its own operation besides runs: each cleanup (after a run,
or the daily sweep) and each maintenance job. SLA windows, the cost review and disaster
recovery read them back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from harness.wire.base import WireModel


class EntryKind(StrEnum):
    CLEANUP = "cleanup"
    JOB = "job"


class JournalEntry(WireModel):
    """One record; ``(kind, key)`` is unique, so recording it again replaces it (idempotent)."""

    kind: EntryKind
    key: str  # a run id (cleanup after a run), "sweep-<time>", or "<job>-<date>"
    at: datetime
    target: str = ""
    body: dict[str, Any]
