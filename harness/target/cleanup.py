"""Delete what the harness created on the target, and nothing else.

After a run: sessions whose clientId starts with ``<test_prefix><run_id>_``. Daily: test
sessions (clientId starting with ``<test_prefix>``) older than the expiry, left by runs that
died before their own Cleanup. The API delete removes the item and its workspace; items the
API could not delete are removed from DynamoDB directly, in batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from harness.errors import HarnessError, TargetRequestError
from harness.ports import TargetApi, TargetInfra
from harness.wire import CleanupReport, EntryKind, JournalEntry, ResolvedTarget, RunContext

DELETE_WORKERS = 8


def _delete_via_api(api: TargetApi, session_id: str) -> bool:
    try:
        return api.delete_session(session_id).status in (204, 404)
    except TargetRequestError:
        return False


def cleanup_run(
    run: RunContext, api: TargetApi, infra: TargetInfra, workers: int = DELETE_WORKERS
) -> CleanupReport:
    """Delete this run's sessions (runs at the end of every run)."""
    if run.run_id not in run.client_prefix:
        raise HarnessError(f"refusing to clean up with an unsafe prefix {run.client_prefix!r}")
    return _delete_matching(run.client_prefix, None, api, infra, workers)


def cleanup_run_on_pool(
    run: RunContext,
    api_for: Callable[[ResolvedTarget], TargetApi],
    infra_for: Callable[[ResolvedTarget], TargetInfra],
) -> CleanupReport:
    """``cleanup_run`` on every pool member the run may have used, at the same time."""
    started = time.monotonic()
    members = run.members
    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        reports = list(
            pool.map(lambda member: cleanup_run(run, api_for(member), infra_for(member)), members)
        )
    return CleanupReport(
        prefix=run.client_prefix,
        sessions_found=sum(report.sessions_found for report in reports),
        deleted_via_api=sum(report.deleted_via_api for report in reports),
        deleted_directly=sum(report.deleted_directly for report in reports),
        seconds=round(time.monotonic() - started, 3),
    )


def cleanup_expired(
    target: ResolvedTarget, api: TargetApi, infra: TargetInfra, now: datetime, max_age: timedelta
) -> CleanupReport:
    """Delete test sessions older than ``max_age`` (the daily cleanup)."""
    return _delete_matching(target.test_prefix, now - max_age, api, infra, DELETE_WORKERS)


def _delete_matching(
    prefix: str,
    created_before: datetime | None,
    api: TargetApi,
    infra: TargetInfra,
    workers: int,
) -> CleanupReport:
    started = time.monotonic()
    if not prefix:
        raise HarnessError("refusing to clean up without a test prefix")
    session_ids = infra.find_session_ids(prefix, created_before)
    # Deletes are network-bound: parallel requests (benchmarks/cleanup.py measures the gain).
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda sid: _delete_via_api(api, sid), session_ids))
    leftovers = [sid for sid, ok in zip(session_ids, outcomes, strict=True) if not ok]
    deleted_directly = infra.delete_session_items(leftovers) if leftovers else 0
    return CleanupReport(
        prefix=prefix,
        created_before=created_before,
        sessions_found=len(session_ids),
        deleted_via_api=len(session_ids) - len(leftovers),
        deleted_directly=deleted_directly,
        seconds=round(time.monotonic() - started, 3),
    )


def cleanup_entry(key: str, target: str, report: CleanupReport, at: datetime) -> JournalEntry:
    """The journal's record of one cleanup (``key``: the run id, or the sweep's)."""
    return JournalEntry(
        kind=EntryKind.CLEANUP, key=key, at=at, target=target, body=report.to_wire()
    )


def cleanup_report(entry: JournalEntry) -> CleanupReport:
    return CleanupReport.model_validate(entry.body)
