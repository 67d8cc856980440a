"""Leases on targets: what a run claims before it touches a target, what it finds when the
target is busy, and what releasing gives back (the AcquireLeases / ReleaseLeases steps)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from harness.wire.base import StateEvent, WireModel
from harness.wire.request import LanePlan, RunContext, TargetResource


class LeaseMode(StrEnum):
    EXCLUSIVE = "exclusive"  # the run disrupts the resource: nobody else may use it
    SHARED = "shared"  # the run only uses it: others may use it too, nobody may disrupt it


class LeaseClaim(WireModel):
    """One resource of one pool member that a run needs, and how."""

    key: str  # the resource's physical identity (see harness.target.leases.lease_key)
    target: str  # the pool member's name, for messages
    resource: TargetResource
    mode: LeaseMode
    record_desired_count: bool = False  # remember the edit service's desiredCount, to restore


class Holder(WireModel):
    """A run holding a lease; expired holders are reaped by the next acquire."""

    run_id: str
    mode: LeaseMode
    target: str
    since: datetime
    expires_at: datetime
    found_desired_count: int | None = None


class BusyTarget(WireModel):
    """Who holds what a run needs."""

    target: str
    resource: TargetResource
    run_id: str
    since: datetime
    until: datetime
    message: str


class LeaseOutcome(WireModel):
    """AcquireLeases' output: acquired, still waiting (try again in ``retry_in_seconds``), or
    given up after the configured wait."""

    acquired: bool
    gave_up: bool = False
    first_tried_at: datetime
    waited_seconds: float = Field(ge=0)
    wait_limit_seconds: float = Field(default=0.0, ge=0)
    retry_in_seconds: int = Field(default=0, ge=0)
    attempts: int = Field(default=1, ge=1)
    busy: BusyTarget | None = None
    claims: list[LeaseClaim] = Field(default_factory=list)


class LeaseEvent(StateEvent):
    run: RunContext
    lanes: list[LanePlan]
    leases: LeaseOutcome | None = None  # the previous attempt's outcome, when waiting


class ReleaseEvent(StateEvent):
    run: RunContext


class Restored(WireModel):
    target: str
    desired_count: int


class ReleaseReport(WireModel):
    """ReleaseLeases' output: each edit service put back as the run found it, then released."""

    released: int = Field(ge=0)
    restored: list[Restored] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    # Set when an edit service could not be put back: the Gate then fails the run (the target
    # may be left scaled to zero), with this as the cause.
    restore_failed: str | None = None
