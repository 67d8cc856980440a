"""The maintenance jobs on this machine: idempotent runs, the sweep's safety, retention, the
budget check, and what they record."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import HarnessConfig, TargetConfig
from harness.local.maintenance import LocalMaintenance
from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_journal import SqliteJournal
from harness.maintenance import TaskStatus, run_job
from harness.wire import EntryKind
from harness.wiring import connect
from tests.integration.stacks import StackFactory
from tests.unit.test_sla import run as summary_of

FAST = {
    "HARNESS__REFERENCE_TARGET__COLD_START_SECONDS": "0.2",
    "HARNESS__REFERENCE_TARGET__RECOVERY_SECONDS": "0.2",
}


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_daily_job_runs_smoke_once_per_day_and_records_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in FAST.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    state = str(tmp_path / "state")
    code, out = cli("maintenance", "daily", "--state-dir", state)
    assert code == 0, out
    assert "ok          smoke-run: daily-" in out and "-smoke passed: 3/3 passed" in out
    assert "skipped     sweep-expired-test-data: the bundled reference target" in out
    assert "ok          budget-check: month to date $0.00" in out
    # Re-running the same day starts no second smoke run and replaces the day's record.
    code, again = cli("maintenance", "daily", "--state-dir", state)
    assert code == 0 and "already ran in this period" in again
    assert SqliteHistory.in_state_dir(Path(state)).count_runs() == 1
    jobs = SqliteJournal.in_state_dir(Path(state)).entries(
        EntryKind.JOB, datetime.now(UTC) - timedelta(days=1)
    )
    assert len(jobs) == 1
    code, status = cli("maintenance", "status", "--state-dir", state)
    assert code == 0 and "smoke-run skipped" in status


def test_sweep_deletes_only_expired_test_sessions_and_is_idempotent(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    old = [
        target.api.create_session(f"TEST_oldrun_x_{n}", "u").json()["sessionId"] for n in range(3)
    ]
    customer = target.api.create_session("customer-1", "u").json()["sessionId"]
    config = HarnessConfig(
        target=TargetConfig.model_validate(target.run.target.model_dump()),
        local={"state_dir": str(tmp_path)},
    )
    env = LocalMaintenance(config, connect)
    skip = frozenset({"smoke-run"})
    today = run_job("daily", env, skip=skip)
    (sweep,) = [t for t in today.tasks if t.name == "sweep-expired-test-data"]
    assert sweep.status is TaskStatus.OK and sweep.data["sessionsFound"] == 0  # not expired yet
    later = datetime.now(UTC) + timedelta(days=2)
    first = run_job("daily", env, now=later, skip=skip)
    second = run_job("daily", env, now=later, skip=skip)
    found = [
        next(t for t in job.tasks if t.name == "sweep-expired-test-data").data["sessionsFound"]
        for job in (first, second)
    ]
    assert found == [3, 0]
    assert all(target.infra.get_session_item(sid) is None for sid in old)
    assert target.infra.get_session_item(customer) is not None
    sweeps = env.journal.entries(EntryKind.CLEANUP, datetime.now(UTC) - timedelta(days=1))
    # Each sweep is recorded (cleanup duration and efficiency are SLA lines); the re-run of
    # the same moment replaced its record instead of adding one.
    assert [entry.body["sessionsFound"] for entry in sweeps] == [0, 0]


def test_retention_and_budget_check(tmp_path: Path) -> None:
    config = HarnessConfig.model_validate(
        {"local": {"state_dir": str(tmp_path)}, "sla": {"monthly_budget_usd": 10}}
    )
    env = LocalMaintenance(config, connect)
    now = datetime.now(UTC)
    ancient = summary_of(1, [], cost=0.5).model_copy(
        update={"run_id": "ancient", "started_at": now - timedelta(days=500)}
    )
    recent = summary_of(2, [], cost=9.0).model_copy(update={"started_at": now})
    env.history.save_run(ancient)
    env.history.save_run(recent)
    old_report = tmp_path / "reports" / "ancient"
    old_report.mkdir(parents=True)
    (old_report / "report.html").write_text("<html></html>")
    stamp = (now - timedelta(days=400)).timestamp()
    os.utime(old_report, (stamp, stamp))
    report = run_job("daily", env, skip=frozenset({"smoke-run", "sweep-expired-test-data"}))
    tasks = {task.name: task for task in report.tasks}
    assert tasks["expire-own-data"].data == {"runs": 1, "entries": 0, "reports": 1}
    assert env.history.get_run("ancient") is None and env.history.get_run(recent.run_id)
    assert not old_report.exists()
    budget = tasks["budget-check"]
    assert budget.status is TaskStatus.FAILED and "80%" in budget.detail
    assert report.status is TaskStatus.FAILED


def test_weekly_job_reviews_cost_and_scans_honestly(tmp_path: Path) -> None:
    config = HarnessConfig.model_validate({"local": {"state_dir": str(tmp_path)}})
    env = LocalMaintenance(config, connect)
    env.history.save_run(
        summary_of(1, [], cost=0.25).model_copy(update={"started_at": datetime.now(UTC)})
    )
    report = run_job("weekly", env, skip=frozenset({"full-run"}))
    tasks = {task.name: task for task in report.tasks}
    assert tasks["cost-review"].status is TaskStatus.OK
    assert "1 run(s), $0.2500 estimated" in tasks["cost-review"].detail
    scan = tasks["security-scan"]
    assert "pip-audit:" in scan.detail and "cdk-nag:" in scan.detail
    for tool, status in scan.data.items():
        assert status in {"ok", "failed", "not_checked"}, tool
    # A pass means every pinned package was looked up; else the reason is given.
    if scan.data["pip-audit"] == "ok":
        assert "no known vulnerabilities" in scan.detail
    else:
        assert "pip-audit: not checked: " in scan.detail or scan.findings
    assert scan.data["cdk-nag"] == "ok", scan.detail  # the project's own template is clean
