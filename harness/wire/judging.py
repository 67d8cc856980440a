"""What the judge keeps between runs: pinned baselines and the known-issues ledger entries, as
the stores hold them (SQLite locally, the baselines table in AWS). Data only; the logic is in
``harness.judge.series_baselines`` and ``harness.judge.ledger``."""

from __future__ import annotations

from datetime import datetime
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import Field, field_validator

from harness.wire.base import WireModel

LedgerKind = Literal["ack", "quarantine"]
KEY_PARTS = 3


class PinnedBaseline(WireModel):
    """One series' frozen baseline (``harness baseline pin``)."""

    key: str
    target: str
    scenario: str | None = None
    metric: str
    samples: list[float] = Field(min_length=1)
    run_ids: list[str]
    pinned_at: datetime
    pinned_from: str  # the run given to `harness baseline pin`


class KnownIssue(WireModel):
    """An acknowledged regression or a quarantined scenario: series keys it matches (shell
    wildcards), why, who, and until when."""

    id: str = Field(pattern=r"^(ack|quarantine)-[0-9a-f]{6}$")
    kind: LedgerKind
    pattern: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=1, max_length=500)
    owner: str = Field(min_length=1, max_length=100)
    created_at: datetime
    expires_at: datetime

    @field_validator("pattern")
    @classmethod
    def _series_pattern(cls, pattern: str) -> str:
        if len(pattern.split("/")) != KEY_PARTS:
            raise ValueError(
                "a pattern names series as <target>/<scenario>/<metric> (wildcards * and ? "
                f"allowed, '-' for run-level metrics), e.g. reference/cold-start/*; got {pattern!r}"
            )
        return pattern

    def active(self, now: datetime) -> bool:
        return now < self.expires_at

    def matches(self, key: str) -> bool:
        return fnmatchcase(key, self.pattern)
