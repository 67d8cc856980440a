"""The recovery steps (see the package docstring). Each step is tried whatever the others
did, and what could not be done is reported, never raised: recovery is the last line."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime

from harness.errors import RunExistsError
from harness.judge.summary import summarize
from harness.ports import (
    HistoryStore,
    LeaseStore,
    RunInFlight,
    RunsInFlight,
    TargetApi,
    TargetInfra,
)
from harness.target.cleanup import cleanup_run_on_pool
from harness.target.leases import release_leases, run_lease_keys
from harness.wire import (
    CleanupReport,
    ResolvedTarget,
    Restored,
    RunContext,
    RunSummary,
    ScenarioResult,
    Verdict,
)


@dataclass(frozen=True)
class RecoveryReport:
    """What recovery did, and what it had to leave (each ``*_problem`` says why)."""

    run: RunContext
    reason: str
    restored: tuple[Restored, ...] = ()  # edit services put back to the count the run found
    restore_problems: tuple[str, ...] = ()
    leases_released: int = 0
    cleanup: CleanupReport | None = None
    cleanup_problem: str | None = None
    recorded: bool = False  # False: the run had a verdict already, or recording failed
    record_problem: str | None = None
    target_gone: bool = False  # the bundled reference target ended with its process

    def done(self) -> list[str]:
        lines = []
        if self.recorded:
            lines.append(f"run {self.run.run_id} recorded as aborted ({self.reason})")
        for restored in self.restored:
            lines.append(f"{restored.target} put back to desiredCount {restored.desired_count}")
        if self.leases_released:
            lines.append(f"{self.leases_released} lease(s) released")
        if self.cleanup is not None:
            deleted = self.cleanup.deleted_via_api + self.cleanup.deleted_directly
            lines.append(f"{deleted} test session(s) of the run deleted")
        if self.target_gone:
            lines.append("its bundled reference target ended with it: nothing left there")
        return lines

    def left(self, target_flag: str) -> list[str]:
        """What is still there, each with how to remove it."""
        remove = f"harness cleanup {target_flag} --run-id {self.run.run_id}".replace("  ", " ")
        lines = []
        if self.cleanup_problem is not None:
            lines.append(
                f"test sessions {run_prefix_text(self.run)}* may be left "
                f"({self.cleanup_problem}); remove them: {remove}"
            )
        elif self.cleanup is not None and self.cleanup.left:
            lines.append(
                f"{self.cleanup.left} test session(s) {self.cleanup.prefix}* left; "
                f"remove them: {remove}"
            )
        lines.extend(f"not put back: {problem}" for problem in self.restore_problems)
        if self.record_problem is not None:
            lines.append(f"the run could not be recorded as aborted ({self.record_problem})")
        return lines


def run_prefix_text(run: RunContext) -> str:
    return f"{run.target.test_prefix}{run.run_id}_"


def aborted_summary(
    run: RunContext, reason: str, results: list[ScenarioResult], now: datetime
) -> RunSummary:
    """The history record of a run that ended without a verdict: the results it had."""
    summary = summarize(run, results, finished_at=now)
    return summary.model_copy(update={"verdict": Verdict.ABORTED, "aborted_reason": reason})


Ports = Callable[[ResolvedTarget], tuple[TargetApi, TargetInfra]]


def recover_run(
    run: RunContext,
    *,
    reason: str,
    entry: RunInFlight | None,
    results: list[ScenarioResult],
    ports: Ports | None,
    leases: LeaseStore,
    history: HistoryStore,
    in_flight: RunsInFlight,
    configured_prefix: str,
    now: datetime,
) -> RecoveryReport:
    """Restore, release, clean up, record, forget. ``ports`` gives each pool member's API and
    infrastructure; None when the target is gone with the process that ran it (the bundled
    reference target): then the run's leases are only released."""
    report = RecoveryReport(run=run, reason=reason, target_gone=ports is None)
    report = _restore_and_release(report, entry, ports, leases, now)
    if ports is not None:
        try:
            cleaned = cleanup_run_on_pool(
                run,
                lambda member: ports(member)[0],
                lambda member: ports(member)[1],
                configured_prefix,
            )
            report = replace(report, cleanup=cleaned)
        except Exception as err:  # noqa: BLE001 - reported, never raised
            report = replace(report, cleanup_problem=_describe(err))
    known = {result.scenario: result for result in (entry.results if entry else [])}
    known.update({result.scenario: result for result in results})
    try:
        if history.get_run(run.run_id) is None:
            history.save_run(aborted_summary(run, reason, list(known.values()), now))
            report = replace(report, recorded=True)
    except RunExistsError:
        pass  # recorded meanwhile (by the run itself, or another recovery)
    except Exception as err:  # noqa: BLE001 - reported, never raised
        report = replace(report, record_problem=_describe(err))
    with suppress(Exception):  # an entry left behind is only recovered again, harmlessly
        in_flight.finish(run.run_id)
    return report


def _restore_and_release(
    report: RecoveryReport,
    entry: RunInFlight | None,
    ports: Ports | None,
    leases: LeaseStore,
    now: datetime,
) -> RecoveryReport:
    """The leases hold the count each edit service had when the run claimed it (before the
    run warmed anything): ReleaseLeases' own step puts every pool member back and frees it.
    If the lease store cannot be read, the count SetupGroup recorded with the run in flight
    puts the run's own target back."""
    run = report.run
    try:
        if ports is None:
            freed = leases.release(run.run_id, run_lease_keys(run))
            return replace(report, leases_released=len(freed))
        released = release_leases(run, leases, lambda member: ports(member)[1], now)
        return replace(
            report,
            restored=tuple(released.restored),
            restore_problems=tuple(released.problems),
            leases_released=released.released,
        )
    except Exception as err:  # noqa: BLE001 - reported; the fallback and cleanup still run
        problem = f"leases: {_describe(err)}"
    # The leases stay until they expire (leases.ttl_seconds): the problem says so.
    report = replace(report, restore_problems=(f"{problem}; the run's leases expire on their own",))
    count = entry.desired_count if entry is not None else None
    if ports is None or count is None:
        return report
    try:
        infra = ports(run.target)[1]
        if infra.desired_count() != count:
            infra.set_desired_count(count)
            restored = Restored(target=run.target.name, desired_count=count)
            return replace(report, restored=(restored,))
        return report
    except Exception as err:  # noqa: BLE001 - reported; cleanup still runs
        return replace(report, restore_problems=(*report.restore_problems, _describe(err)))


def _describe(err: Exception) -> str:
    return f"{type(err).__name__}: {err}"[:300]
