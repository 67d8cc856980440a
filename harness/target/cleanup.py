"""Delete what the harness created on the target, and nothing else.

After a run: sessions whose clientId starts with ``<test_prefix><run_id>_``. Daily: test
sessions (clientId starting with ``<test_prefix>``) older than the expiry, left by runs that
died before their own Cleanup. The API delete removes the item and its workspace; items the
API could not delete are removed from DynamoDB directly, each delete conditional on the
clientId still starting with the prefix.

The prefix is never taken from a run's input alone: it must be the configured test prefix
(at least ``MIN_TEST_PREFIX_LENGTH`` characters) and, after a run, that prefix plus a valid
run id. Anything else is refused before a single item is read.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from harness.config.runtime import MIN_TEST_PREFIX_LENGTH
from harness.errors import TargetRequestError, UnsafeCleanupError
from harness.ports import TargetApi, TargetInfra
from harness.wire import (
    RUN_ID_PATTERN,
    CleanupReport,
    EntryKind,
    JournalEntry,
    ResolvedTarget,
    RunContext,
)

DELETE_WORKERS = 8


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
    workers: int = DELETE_WORKERS,
) -> CleanupReport:
    """Delete this run's sessions (runs at the end of every run)."""
    return _delete_matching(run_prefix(run, configured_prefix), None, api, infra, workers)


def cleanup_expired(
    target: ResolvedTarget,
    api: TargetApi,
    infra: TargetInfra,
    now: datetime,
    max_age: timedelta,
    configured_prefix: str,
) -> CleanupReport:
    """Delete test sessions older than ``max_age`` (the daily cleanup)."""
    prefix = checked_test_prefix(target.test_prefix, configured_prefix)
    return _delete_matching(prefix, now - max_age, api, infra, DELETE_WORKERS)


def _delete_matching(
    prefix: str,
    created_before: datetime | None,
    api: TargetApi,
    infra: TargetInfra,
    workers: int,
) -> CleanupReport:
    started = time.monotonic()
    session_ids = infra.find_session_ids(prefix, created_before)
    # Deletes are network-bound: parallel requests (benchmarks/cleanup.py measures the gain).
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda sid: _delete_via_api(api, sid), session_ids))
    leftovers = [sid for sid, ok in zip(session_ids, outcomes, strict=True) if not ok]
    deleted_directly = infra.delete_session_items(leftovers, prefix) if leftovers else 0
    return CleanupReport(
        prefix=prefix,
        created_before=created_before,
        sessions_found=len(session_ids),
        deleted_via_api=len(session_ids) - len(leftovers),
        deleted_directly=deleted_directly,
        left=len(leftovers) - deleted_directly,
        seconds=round(time.monotonic() - started, 3),
    )


def cleanup_entry(key: str, target: str, report: CleanupReport, at: datetime) -> JournalEntry:
    """The journal's record of one cleanup (``key``: the run id, or the sweep's)."""
    return JournalEntry(
        kind=EntryKind.CLEANUP, key=key, at=at, target=target, body=report.to_wire()
    )


def cleanup_report(entry: JournalEntry) -> CleanupReport:
    return CleanupReport.model_validate(entry.body)
