"""The maintenance jobs' local environment: suites run on the local engine, history and
journal in the state folder, retention applied to the state folder's files and rows."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from harness.config import HarnessConfig
from harness.errors import HarnessError
from harness.local.security_scan import security_scan
from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_journal import SqliteJournal
from harness.maintenance.model import TaskResult, TaskStatus
from harness.maintenance.sweep import Connect, sweep
from harness.maintenance.trends import trend_report
from harness.wire import EntryKind, Status, Verdict

REPORTS_DIR = "reports"


class LocalMaintenance:
    """Implements ``harness.maintenance.Environment`` on this machine."""

    where = "local"

    def __init__(self, config: HarnessConfig, connect: Connect) -> None:
        self.config = config
        self._connect = connect
        self.state_dir = Path(config.local.state_dir)
        self.history = SqliteHistory.in_state_dir(self.state_dir)
        self.journal = SqliteJournal.in_state_dir(self.state_dir)

    def run_suite(self, suite: str, run_id: str) -> TaskResult:
        done = self.history.get_run(run_id)
        if done is not None:
            return TaskResult(
                name=suite,
                status=TaskStatus.SKIPPED,
                detail=f"already ran in this period: {run_id} {done.verdict.value}",
            )
        from harness.local.engine import LocalEngine  # moto loads only when a suite runs

        request = {"suite": suite, "runId": run_id, "flags": {"trigger": "schedule"}}
        with LocalEngine(self.config, self.state_dir) as engine:
            outcome = engine.run(request, name=run_id)
        summary = outcome.summary
        if summary is None:
            return TaskResult(
                name=suite,
                status=TaskStatus.FAILED,
                detail=f"{run_id} could not be judged ({outcome.error}: {outcome.cause})",
            )
        passed = summary.verdict is Verdict.PASSED
        return TaskResult(
            name=suite,
            status=TaskStatus.OK if passed else TaskStatus.FAILED,
            detail=f"{run_id} {summary.verdict.value}: {summary.counts.get(Status.PASS, 0)}/"
            f"{len(summary.results)} passed, ${summary.estimated_cost_usd:.4f}",
            data={"runId": run_id, "verdict": summary.verdict.value},
        )

    def sweep(self, now: datetime) -> TaskResult:
        if not self.config.target.endpoint:
            return TaskResult(
                name="sweep",
                status=TaskStatus.SKIPPED,
                detail="the bundled reference target starts empty on every run, so nothing "
                "can be left on it; set [target] endpoint to sweep a real stack",
            )
        return sweep(self.config, self.journal, now, self._connect)

    def expire(self, now: datetime) -> TaskResult:
        storage = self.config.storage
        history_cutoff = now - timedelta(days=storage.run_history_days)
        runs = self.history.delete_runs_before(history_cutoff)
        entries = sum(self.journal.delete_before(kind, history_cutoff) for kind in EntryKind)
        reports = _remove_older(self.state_dir / REPORTS_DIR, storage.reports_expiry_days, now)
        return TaskResult(
            name="expire",
            status=TaskStatus.OK,
            detail=f"removed {runs} run(s) and {entries} journal entr(y/ies) older than "
            f"{storage.run_history_days} days, {reports} report folder(s) older than "
            f"{storage.reports_expiry_days} days",
            data={"runs": runs, "entries": entries, "reports": reports},
        )

    def trend_report(self, now: datetime) -> TaskResult:
        return trend_report(self.history, self.config, now)

    def security_scan(self) -> TaskResult:
        try:
            return security_scan()
        except (OSError, HarnessError) as err:
            return TaskResult(
                name="security-scan", status=TaskStatus.NOT_CHECKED, detail=f"not checked: {err}"
            )


def _remove_older(folder: Path, days: int, now: datetime) -> int:
    """Remove the sub-folders of ``folder`` last changed more than ``days`` ago."""
    if not folder.is_dir():
        return 0
    cutoff = now.timestamp() - days * 86400
    removed = 0
    for child in folder.iterdir():
        if child.is_dir() and child.stat().st_mtime < cutoff:
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
    return removed
