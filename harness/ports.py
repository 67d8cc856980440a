"""Ports: what the core needs from the outside world. Adapters in `aws/` and `local/`
implement them; the core and the scenarios only ever see these protocols."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from harness.notify.lifecycle import AlertState
from harness.report.location import ReportLocation
from harness.target.http import Response
from harness.wire import (
    AlertReport,
    BusyTarget,
    EntryKind,
    Holder,
    JournalEntry,
    KnownIssue,
    LeaseClaim,
    PinnedBaseline,
    RegressionReport,
    RunContext,
    RunSummary,
    ScenarioResult,
)


class TargetApi(Protocol):
    """The stack under test's HTTP side (the target contract), one call per request.

    Calls return the raw ``Response`` so scenarios check status codes themselves; a transport
    failure (refused, timed out) raises ``TargetRequestError``.
    """

    def health(self) -> Response: ...

    def create_session(self, client_id: str, user_id: str) -> Response: ...

    def get_session(self, session_id: str) -> Response: ...

    def delete_session(self, session_id: str) -> Response: ...

    def session_health(self, session_id: str, timeout_seconds: float | None = None) -> Response: ...

    def preview(self, session_id: str) -> Response: ...

    def put_file(self, session_id: str, path: str, content: bytes) -> Response: ...

    def get_file(self, session_id: str, path: str) -> Response: ...

    def raw(self, method: str, path: str) -> Response:
        """Any other request (e.g. a path the contract says must answer 404)."""
        ...


class TargetInfra(Protocol):
    """The AWS side of the stack under test (ECS edit service, DynamoDB sessions table)."""

    def desired_count(self) -> int:
        """The edit service's desiredCount (0 = scaled to zero)."""
        ...

    def set_desired_count(self, count: int) -> None: ...

    def running_task_ids(self) -> list[str]:
        """Ids of the edit service's tasks that are RUNNING and meant to keep running."""
        ...

    def stop_task(self, task_id: str, reason: str) -> None:
        """Stop one task: to the stack this is a container crash."""
        ...

    def get_session_item(self, session_id: str) -> dict[str, Any] | None:
        """The session's DynamoDB item as plain Python values, or None."""
        ...

    def find_session_ids(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        """Ids of sessions whose clientId starts with the prefix (the harness's own),
        optionally only those created before a moment."""
        ...

    def find_sessions(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[tuple[str, str]]:
        """``find_session_ids`` with each session's clientId: (sessionId, clientId)."""
        ...

    def delete_session_items(self, session_ids: list[str], client_id_prefix: str) -> int:
        """Delete those session items whose clientId starts with the prefix (a conditional
        delete: any other item is left alone); returns how many were deleted (or already
        gone)."""
        ...

    def find_log_streams(
        self, name_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        """Names of the session log streams (``target.session_log_group``) that start with
        the prefix, optionally only those created before a moment; none without a group."""
        ...

    def delete_log_streams(self, names: list[str], name_prefix: str) -> int:
        """Delete those streams whose names start with the prefix; returns how many."""
        ...


class HistoryStore(Protocol):
    """Where run summaries live: SQLite locally, DynamoDB in AWS."""

    def save_run(self, summary: RunSummary) -> None:
        """Store one run atomically (all of it or nothing)."""
        ...

    def get_run(self, run_id: str) -> RunSummary | None: ...

    def previous_run(self, target: str, suite: str, before: datetime) -> RunSummary | None:
        """The newest stored run of the same target and suite that started before ``before``."""
        ...

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        """Newest first."""
        ...

    def recent_runs(
        self, target: str, limit: int, before: datetime | None = None
    ) -> list[RunSummary]:
        """The newest ``limit`` runs against ``target`` (any suite), newest first, optionally
        only those that started before ``before``: what baselines and trends are made of."""
        ...

    def save_regressions(self, report: RegressionReport) -> None:
        """Record what a run was judged to be (its regressions and final verdict) with the
        stored run ``report.run_id``."""
        ...

    def get_regressions(self, run_id: str) -> RegressionReport | None: ...

    def runs_since(self, since: datetime) -> list[RunSummary]:
        """Every run (any target, any suite) that started at or after ``since``, oldest
        first: what SLA windows and the month-to-date cost are made of."""
        ...


class AlertStateStore(Protocol):
    """Alert state (one open alert per series, for de-duplication and resolve) and what each
    run's Alert step did: SQLite locally, the DynamoDB alert-state table in AWS."""

    def open_alerts(self, target: str) -> list[AlertState]:
        """Every series of ``target`` with an open (or resolving) alert."""
        ...

    def record(
        self, report: AlertReport, save: Sequence[AlertState], delete: Sequence[str]
    ) -> None:
        """One run's outcome in one write: its deliveries, the states it changed, and the
        keys of series whose alerts are over."""
        ...

    def alert_report(self, run_id: str) -> AlertReport | None:
        """What the Alert step of ``run_id`` sent, showed or could not deliver."""
        ...


class BlobStore(Protocol):
    """Objects by key (``cache/<key>.json``, ``results/<run>/<scenario>.json``): S3 in AWS, a
    folder in the state directory locally. Failures raise ``StoreError``."""

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""
        ...

    def put(self, key: str, data: bytes) -> None:
        """Write the whole object (readers never see a partial one)."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix``; returns how many."""
        ...


class ReportStore(Protocol):
    """Where run reports go: the state folder locally, the results bucket in AWS."""

    def write(self, location: ReportLocation, html: bytes, junit: bytes) -> None:
        """Write the report page and the JUnit file of one run, each whole or not at all."""


class RunInFlight(BaseModel):
    """A run in flight, as recovery needs it if the run ends badly."""

    run_id: str
    run: RunContext | None = None  # known once planned (locally) or set up (in AWS)
    desired_count: int | None = None  # the edit service's count before the run changed it
    owner: str | None = None  # the local process running it: "<pid>@<host>"
    ephemeral_target: bool = False  # the bundled reference target: it ends with the process
    results: list[ScenarioResult] = Field(default_factory=list)  # seen so far (local runs)


class RunsInFlight(Protocol):
    """Runs in flight, durably (SQLite locally, DynamoDB in AWS): a run that dies can still be
    recovered (service restored, test data deleted, recorded as aborted)."""

    def begin(
        self, run: RunContext, *, owner: str | None = None, ephemeral_target: bool = False
    ) -> None:
        """Record a run as in flight (again: keeps what is known)."""
        ...

    def remember_desired_count(self, run: RunContext, count: int) -> None:
        """The edit service's count before the run first changed it: the first call wins."""
        ...

    def add_result(self, run_id: str, result: ScenarioResult) -> None:
        """A scenario result seen while following the run (kept if the process dies)."""
        ...

    def get(self, run_id: str) -> RunInFlight | None: ...

    def in_flight(self) -> list[RunInFlight]: ...

    def finish(self, run_id: str) -> None:
        """The run ended (or was recovered): forget it."""
        ...


class BaselineStore(Protocol):
    """Pinned baselines per series: SQLite locally, the baselines table in AWS."""

    def pin(self, baselines: Sequence[PinnedBaseline]) -> None:
        """Store all of them or none (replacing earlier pins of the same series)."""
        ...

    def unpin(self, target: str, scenario: str | None = None) -> int:
        """Remove the target's pins (or one scenario's); returns how many were removed."""
        ...

    def pinned(self, keys: Sequence[str]) -> dict[str, PinnedBaseline]:
        """The pinned baselines among the series ``keys``, by key."""
        ...

    def list_pinned(self, target: str) -> list[PinnedBaseline]: ...


class KnownIssueStore(Protocol):
    """The known-issues ledger (acknowledged regressions, quarantines), stored with baselines."""

    def add(self, entry: KnownIssue) -> None: ...

    def remove(self, entry_id: str) -> bool:
        """Delete one entry; False if there was none with that id."""
        ...

    def entries(self) -> list[KnownIssue]:
        """Every entry, expired ones included (callers decide what is active)."""
        ...


class Journal(Protocol):
    """The harness's own operations (cleanups, maintenance jobs): SQLite locally, the runs
    table in AWS."""

    def record(self, entry: JournalEntry) -> None:
        """Store one entry; the same ``(kind, key)`` again replaces it."""
        ...

    def entries(self, kind: EntryKind, since: datetime) -> list[JournalEntry]:
        """Entries of one kind at or after ``since``, oldest first."""
        ...


class Archivable(Protocol):
    """A store whose records go into the history archive (``harness.archive``)."""

    def archive_kinds(self) -> tuple[str, ...]:
        """The record kinds this store writes and takes, e.g. ``("run",)``."""
        ...

    def export_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every record as ``(kind, JSON-ready data)``."""
        ...

    def check_record(self, kind: str, data: dict[str, Any]) -> None:
        """Raise ``ValueError`` if ``data`` is not a valid record of ``kind``."""
        ...

    def import_records(self, records: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Write validated records by key (the same record twice is one record)."""
        ...


class LeaseStore(Protocol):
    """Leases on targets: SQLite locally, DynamoDB in AWS (``harness.target.leases`` decides who
    blocks whom; a store keeps the records and makes each acquire atomic)."""

    def acquire(
        self,
        claims: Sequence[LeaseClaim],
        run_id: str,
        now: datetime,
        ttl_seconds: float,
        found: Callable[[LeaseClaim], int | None],
    ) -> BusyTarget | None:
        """Take every claim, or none: None when all were taken, else what blocked (and
        nothing is kept). Expired holders are reaped on the way. ``found`` is asked, once a
        claim is known to be free, what to remember for it (the edit service's desiredCount,
        restored on release)."""
        ...

    def holders(self, key: str) -> dict[str, Holder]:
        """Who holds ``key`` now, by run id (expired holders included until reaped)."""
        ...

    def release(self, run_id: str, keys: Sequence[str]) -> list[Holder]:
        """Drop ``run_id``'s holds on ``keys``; returns what it held (keys it did not hold
        are skipped). Safe to call twice."""
        ...
