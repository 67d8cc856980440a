"""Delete what the harness created on the target, and nothing else.

After a run: data whose identifier starts with ``<test_prefix><run_id>_``. Daily: test data
(starting with ``<test_prefix>``) older than the expiry, left by runs that died before their
own Cleanup. Each kind is cleaned in parallel with the others, and reported with its counts
and duration:

* **sessions**: found by a (parallel, segmented) scan; deleted through the API first, many
  at once; what the API could not delete goes directly, each delete conditional on the
  clientId still carrying the prefix;
* **workspaces**: the API removes a session's workspace with it; a session deleted directly
  leaves its workspace to the stack's own storage cleanup, and the report says how many;
* **log streams**: the session log streams (``target.session_log_group``) named after the
  harness's clientIds.

The prefix is never taken from a run's input alone: it must be the configured test prefix
(at least ``MIN_TEST_PREFIX_LENGTH`` characters) and, after a run, that prefix plus a valid
run id. Anything else is refused (``UnsafeCleanupError``) before a single item is read.

The edit service's desired count is put back by whoever took it away (group teardown, or
the lease a run holds on the service), not here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TypeVar

from harness.config.runtime import MIN_TEST_PREFIX_LENGTH
from harness.errors import TargetRequestError, UnsafeCleanupError
from harness.ports import TargetApi, TargetInfra
from harness.target.marker import owned
from harness.wire import (
    RUN_ID_PATTERN,
    CleanupKind,
    CleanupReport,
    EntryKind,
    JournalEntry,
    ResolvedTarget,
    RunContext,
)

API_DELETE_WORKERS = 16  # requests through the ALB are network-bound
T = TypeVar("T")


def _delete_via_api(api: TargetApi, session_id: str) -> bool:
    try:
        return api.delete_session(session_id).status in (204, 404)
    except TargetRequestError:
        return False


def checked_test_prefix(prefix: str, configured: str) -> str:
    """``prefix`` if it is the configured test prefix and long enough, else refuse."""
    if len(configured) < MIN_TEST_PREFIX_LENGTH:
        raise UnsafeCleanupError(
            f"refusing to clean up: the configured test prefix {configured!r} is shorter than "
            f"{MIN_TEST_PREFIX_LENGTH} characters"
        )
    if prefix != configured:
        raise UnsafeCleanupError(
            f"refusing to clean up: test prefix {prefix!r} is not the configured {configured!r}"
        )
    return prefix


def run_prefix(run: RunContext, configured: str) -> str:
    """The clientId prefix of one run's sessions: ``<configured prefix><run id>_``."""
    test_prefix = checked_test_prefix(run.target.test_prefix, configured)
    if not re.fullmatch(RUN_ID_PATTERN, run.run_id):
        raise UnsafeCleanupError(f"refusing to clean up: {run.run_id!r} is not a run id")
    return f"{test_prefix}{run.run_id}_"


def cleanup_run(
    run: RunContext,
    api: TargetApi,
    infra: TargetInfra,
    configured_prefix: str,
    workers: int = API_DELETE_WORKERS,
    log_streams: bool = True,
) -> CleanupReport:
    """Delete this run's data (runs at the end of every run); ``log_streams=False`` leaves the
    session log group to another cleanup of the same run (pool members may share one)."""
    prefix = run_prefix(run, configured_prefix)
    return _delete_matching(prefix, None, api, infra, workers, log_streams)


def cleanup_run_on_pool(
    run: RunContext,
    api_for: Callable[[ResolvedTarget], TargetApi],
    infra_for: Callable[[ResolvedTarget], TargetInfra],
    configured_prefix: str,
) -> CleanupReport:
    """``cleanup_run`` on every pool member the run may have used, at the same time."""
    started = time.monotonic()
    prefix = run_prefix(run, configured_prefix)  # refused here, before any member is touched
    members = run.members

    # Members may log to one shared group: its streams are found and deleted once, not once
    # per member (the others would find them too, fail to delete them, and count them left).
    log_group_cleaners = {
        (member.aws_endpoint_url, member.region, member.session_log_group): member.name
        for member in reversed(members)
    }

    def clean(member: ResolvedTarget) -> CleanupReport:
        group = (member.aws_endpoint_url, member.region, member.session_log_group)
        return cleanup_run(
            run,
            api_for(member),
            infra_for(member),
            configured_prefix,
            log_streams=log_group_cleaners[group] == member.name,
        )

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        reports = list(pool.map(clean, members))
    return pool_report(prefix, reports, round(time.monotonic() - started, 3))


def pool_report(prefix: str, reports: list[CleanupReport], seconds: float) -> CleanupReport:
    """One report for the cleanups of a pool's members (counts summed, each kind merged)."""
    return CleanupReport(
        prefix=prefix,
        created_before=reports[0].created_before if reports else None,
        sessions_found=sum(report.sessions_found for report in reports),
        deleted_via_api=sum(report.deleted_via_api for report in reports),
        deleted_directly=sum(report.deleted_directly for report in reports),
        left=sum(report.left for report in reports),
        seconds=seconds,
        kinds=_merged_kinds(reports),
    )


def _merged_kinds(reports: list[CleanupReport]) -> list[CleanupKind]:
    """Each kind summed over the pool members (cleaned at the same time: the longest time)."""
    merged: dict[str, CleanupKind] = {}
    for report in reports:
        for kind in report.kinds:
            seen = merged.get(kind.kind)
            if seen is None:
                merged[kind.kind] = kind
                continue
            notes = "; ".join(note for note in (seen.note, kind.note) if note)
            merged[kind.kind] = CleanupKind(
                kind=kind.kind,
                found=seen.found + kind.found,
                deleted=seen.deleted + kind.deleted,
                left=seen.left + kind.left,
                seconds=max(seen.seconds, kind.seconds),
                note=notes,
            )
    return list(merged.values())


def cleanup_expired(
    target: ResolvedTarget,
    api: TargetApi,
    infra: TargetInfra,
    now: datetime,
    max_age: timedelta,
    configured_prefix: str,
) -> CleanupReport:
    """Delete test data older than ``max_age`` (the daily cleanup)."""
    prefix = checked_test_prefix(target.test_prefix, configured_prefix)
    return _delete_matching(prefix, now - max_age, api, infra, API_DELETE_WORKERS)


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    value = action()
    return value, round(time.monotonic() - started, 3)


def _sessions(
    prefix: str,
    created_before: datetime | None,
    api: TargetApi,
    infra: TargetInfra,
    workers: int,
) -> tuple[list[str], list[str], int, float, float]:
    """(ours found, left to delete directly, deleted directly, seconds in all, of the API).

    Only sessions whose clientId, as read, carries the marker are deleted: a scan that
    returned something else (a bad filter, a lookalike) cannot make the API delete it."""
    started = time.monotonic()
    session_ids = [
        sid for sid, client in infra.find_sessions(prefix, created_before) if owned(client, prefix)
    ]

    def through_api() -> list[bool]:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda sid: _delete_via_api(api, sid), session_ids))

    outcomes, api_seconds = _timed(through_api)
    leftovers = [sid for sid, ok in zip(session_ids, outcomes, strict=True) if not ok]
    deleted_directly = infra.delete_session_items(leftovers, prefix) if leftovers else 0
    total = round(time.monotonic() - started, 3)
    return session_ids, leftovers, deleted_directly, total, api_seconds


def _log_streams(prefix: str, created_before: datetime | None, infra: TargetInfra) -> CleanupKind:
    started = time.monotonic()
    names = infra.find_log_streams(prefix, created_before)
    deleted = infra.delete_log_streams(names, prefix) if names else 0
    return CleanupKind(
        kind="log streams",
        found=len(names),
        deleted=deleted,
        left=len(names) - deleted,
        seconds=round(time.monotonic() - started, 3),
    )


def _failed(kind: str, err: Exception) -> CleanupKind:
    return CleanupKind(
        kind=kind, found=0, deleted=0, seconds=0, note=f"failed: {type(err).__name__}: {err}"
    )


def _delete_matching(
    prefix: str,
    created_before: datetime | None,
    api: TargetApi,
    infra: TargetInfra,
    workers: int,
    log_streams: bool = True,
) -> CleanupReport:
    started = time.monotonic()
    stream_kinds: list[CleanupKind] = []
    with ThreadPoolExecutor(max_workers=2) as kinds:
        sessions = kinds.submit(_sessions, prefix, created_before, api, infra, workers)
        if log_streams:
            streams = kinds.submit(_log_streams, prefix, created_before, infra)
            try:
                stream_kinds.append(streams.result())
            except Exception as err:  # noqa: BLE001 - one kind failing must not hide the others
                stream_kinds.append(_failed("log streams", err))
        # A sessions failure is raised: the state machine records it as the cleanup error.
        found, leftovers, deleted_directly, seconds, api_seconds = sessions.result()
    via_api = len(found) - len(leftovers)
    left = len(leftovers) - deleted_directly
    session_kind = CleanupKind(
        kind="sessions",
        found=len(found),
        deleted=via_api + deleted_directly,
        left=left,
        seconds=seconds,
        note=f"{left} not the harness's or not deletable, left alone" if left else "",
    )
    workspace_kind = CleanupKind(
        kind="workspaces",
        found=len(found),
        deleted=via_api,
        left=len(leftovers),
        seconds=api_seconds,
        note=(
            f"{len(leftovers)} belong to sessions the API could not delete: the stack's own "
            "storage cleanup removes them"
            if leftovers
            else ""
        ),
    )
    return CleanupReport(
        prefix=prefix,
        created_before=created_before,
        sessions_found=len(found),
        deleted_via_api=via_api,
        deleted_directly=deleted_directly,
        left=left,
        seconds=round(time.monotonic() - started, 3),
        kinds=[session_kind, workspace_kind, *stream_kinds],
    )


def cleanup_entry(key: str, target: str, report: CleanupReport, at: datetime) -> JournalEntry:
    """The journal's record of one cleanup (``key``: the run id, or the sweep's)."""
    return JournalEntry(
        kind=EntryKind.CLEANUP, key=key, at=at, target=target, body=report.to_wire()
    )


def cleanup_report(entry: JournalEntry) -> CleanupReport:
    return CleanupReport.model_validate(entry.body)
