"""Delete what a run created on the target, and nothing else.

A session is the run's own only if its clientId starts with ``<test_prefix><run_id>_``; the
API delete removes the item and its workspace, and items the API could not delete are
removed from DynamoDB directly in batches.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from harness.errors import HarnessError, TargetRequestError
from harness.models import RunContext, WireModel
from harness.ports import TargetInfra
from harness.scenarios.target_api import TargetApi

DELETE_WORKERS = 8


class CleanupReport(WireModel):
    prefix: str
    sessions_found: int
    deleted_via_api: int
    deleted_directly: int
    seconds: float


def _delete_via_api(api: TargetApi, session_id: str) -> bool:
    try:
        return api.delete_session(session_id).status in (204, 404)
    except TargetRequestError:
        return False


def cleanup_run(run: RunContext, api: TargetApi, infra: TargetInfra) -> CleanupReport:
    started = time.monotonic()
    prefix = run.client_prefix
    if not run.target.test_prefix or run.run_id not in prefix:
        raise HarnessError(f"refusing to clean up with an unsafe prefix {prefix!r}")
    session_ids = infra.find_session_ids(prefix)
    with ThreadPoolExecutor(max_workers=DELETE_WORKERS) as pool:
        outcomes = list(pool.map(lambda sid: _delete_via_api(api, sid), session_ids))
    leftovers = [sid for sid, ok in zip(session_ids, outcomes, strict=True) if not ok]
    deleted_directly = infra.delete_session_items(leftovers) if leftovers else 0
    return CleanupReport(
        prefix=prefix,
        sessions_found=len(session_ids),
        deleted_via_api=len(session_ids) - len(leftovers),
        deleted_directly=deleted_directly,
        seconds=round(time.monotonic() - started, 3),
    )
