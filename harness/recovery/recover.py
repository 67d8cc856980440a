"""The recovery steps (see the package docstring). Each step is tried whatever the others
did, and what could not be done is reported, never raised: recovery is the last line."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime

from harness.errors import RunExistsError
from harness.judge.summary import summarize
from harness.ports import HistoryStore, RunInFlight, RunsInFlight, TargetApi, TargetInfra
from harness.target.cleanup import cleanup_run
from harness.wire import CleanupReport, RunContext, RunSummary, ScenarioResult, Verdict


@dataclass(frozen=True)
class RecoveryReport:
    """What recovery did, and what it had to leave (each ``*_problem`` says why)."""

    run: RunContext
    reason: str
    restored_desired_count: int | None = None
    restore_problem: str | None = None
    cleanup: CleanupReport | None = None
    cleanup_problem: str | None = None
    recorded: bool = False  # False: the run had a verdict already, or recording failed
    record_problem: str | None = None
    target_gone: bool = False  # the bundled reference target ended with its process

    def done(self) -> list[str]:
        lines = []
        if self.recorded:
            lines.append(f"run {self.run.run_id} recorded as aborted ({self.reason})")
        if self.restored_desired_count is not None:
            lines.append(
                f"{self.run.target.ecs_service} put back to desiredCount "
                f"{self.restored_desired_count}"
            )
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
        if self.restore_problem is not None:
            lines.append(f"{self.run.target.ecs_service} not put back ({self.restore_problem})")
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


def recover_run(
    run: RunContext,
    *,
    reason: str,
    entry: RunInFlight | None,
    results: list[ScenarioResult],
    target: tuple[TargetApi, TargetInfra] | None,
    history: HistoryStore,
    in_flight: RunsInFlight,
    configured_prefix: str,
    now: datetime,
) -> RecoveryReport:
    """Restore, clean up, record, forget. ``target`` is None when the target is gone with
    the process that ran it (the bundled reference target)."""
    report = RecoveryReport(run=run, reason=reason, target_gone=target is None)
    if target is not None:
        report = _restore_and_clean(report, entry, target, configured_prefix)
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


def _restore_and_clean(
    report: RecoveryReport,
    entry: RunInFlight | None,
    target: tuple[TargetApi, TargetInfra],
    configured_prefix: str,
) -> RecoveryReport:
    api, infra = target
    count = entry.desired_count if entry is not None else None
    if count is not None:
        try:
            if infra.desired_count() != count:
                infra.set_desired_count(count)
                report = replace(report, restored_desired_count=count)
        except Exception as err:  # noqa: BLE001 - reported; cleanup still runs
            report = replace(report, restore_problem=_describe(err))
    try:
        cleaned = cleanup_run(report.run, api, infra, configured_prefix)
        report = replace(report, cleanup=cleaned)
    except Exception as err:  # noqa: BLE001 - reported, never raised
        report = replace(report, cleanup_problem=_describe(err))
    return report


def _describe(err: Exception) -> str:
    return f"{type(err).__name__}: {err}"[:300]
