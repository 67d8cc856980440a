"""The daily sweep: test sessions older than the expiry, whichever run left them, deleted on
the configured target and recorded like any cleanup (its duration and efficiency are SLA
lines). The same locally and in AWS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from harness.config import HarnessConfig
from harness.maintenance.model import TaskResult, TaskStatus
from harness.planning.pool import resolve_pool
from harness.ports import Journal, TargetApi, TargetInfra
from harness.target.cleanup import cleanup_entry, cleanup_expired, pool_report
from harness.wire import ResolvedTarget

Connect = Callable[[ResolvedTarget], tuple[TargetApi, TargetInfra]]


def sweep(config: HarnessConfig, journal: Journal, now: datetime, connect: Connect) -> TaskResult:
    """``connect`` gives a target's adapters (``harness.wiring`` chooses them). With a pool of
    targets (``[[targets]]``) every member is swept, recorded as one cleanup of the pool."""
    target, members = resolve_pool(config, None)
    max_age = timedelta(hours=config.run.test_data_expiry_hours)
    configured = config.target.test_prefix  # every member is checked against it
    reports = [
        cleanup_expired(member, *connect(member), now, max_age, configured) for member in members
    ]
    seconds = round(sum(r.seconds for r in reports), 3)
    report = pool_report(reports[0].prefix, reports, seconds)
    journal.record(cleanup_entry(f"sweep-{now:%Y%m%dT%H%M%S}", target.name, report, now))
    return TaskResult(
        name="sweep",
        status=TaskStatus.OK,
        detail=f"{report.sessions_found} test session(s) older than {max_age} on "
        f"{target.name}; {report.deleted_via_api + report.deleted_directly} deleted",
        data=report.to_wire(),
    )
