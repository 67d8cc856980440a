"""The daily sweep: test sessions older than the expiry, whichever run left them, deleted on
the configured target and recorded like any cleanup (its duration and efficiency are SLA
lines). The same locally and in AWS."""

from __future__ import annotations

from datetime import datetime, timedelta

from harness.config import HarnessConfig
from harness.maintenance.model import TaskResult, TaskStatus
from harness.planning.plan import resolve_target
from harness.ports import Journal
from harness.target.cleanup import cleanup_entry, cleanup_expired
from harness.wiring import target_api, target_infra


def sweep(config: HarnessConfig, journal: Journal, now: datetime) -> TaskResult:
    target = resolve_target(config.target, None)
    max_age = timedelta(hours=config.run.test_data_expiry_hours)
    report = cleanup_expired(target, target_api(target), target_infra(target), now, max_age)
    journal.record(cleanup_entry(f"sweep-{now:%Y%m%dT%H%M%S}", target.name, report, now))
    return TaskResult(
        name="sweep",
        status=TaskStatus.OK,
        detail=f"{report.sessions_found} test session(s) older than {max_age} on "
        f"{target.name}; {report.deleted_via_api + report.deleted_directly} deleted",
        data=report.to_wire(),
    )
