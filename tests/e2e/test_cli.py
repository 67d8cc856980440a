"""The real `harness` command in a subprocess, exactly as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_leases import SqliteLeases
from harness.planning.pool import name_from_endpoint
from harness.target.leases import lease_key
from harness.wire import LeaseClaim, LeaseMode, RunSummary, TargetResource
from tests.integration.stacks import break_history_writes, stack_factory

pytestmark = pytest.mark.e2e
FAST_TARGET = {
    "HARNESS__REFERENCE_TARGET__COLD_START_SECONDS": "0.3",
    "HARNESS__REFERENCE_TARGET__RECOVERY_SECONDS": "0.3",
}


def harness(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=cwd,
        env={**os.environ, **FAST_TARGET, **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
    )


def runs_in(state: Path) -> int:
    return SqliteHistory.in_state_dir(state).count_runs()


def test_healthy_target_passes_with_progress_table_and_junit(tmp_path: Path) -> None:
    state, junit = tmp_path / "state", tmp_path / "out" / "junit.xml"
    done = harness(tmp_path, "run", "--state-dir", str(state), "--junit", str(junit))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for name in (
        "cold-start",
        "session-persistence",
        "concurrent-sessions",
        "alb-routing",
        "failure-recovery",
        "routing-at-zero",
    ):
        assert f"{name} pass in" in out  # live progress
    assert "SCENARIO" in out and "METRICS (vs SLA)" in out
    assert "PASSED - 6 pass" in out
    assert "Alerts: none" in out
    assert "a pool of 5" in out  # enough bundled targets that every group runs at once
    assert "leases released" in out
    assert "cleanup:" in out
    assert runs_in(state) == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "6" and suite.get("failures") == "0"

    assert "Regressions: no earlier run of target reference to compare with" in out
    assert "Verdict: PASSED" in out

    again = harness(tmp_path, "run", "--suite", "smoke", "--state-dir", str(state))
    assert again.returncode == 0, again.stderr
    assert "Regressions: none (rolling: last 30 passing runs" in again.stdout
    assert "Not judged yet:" in again.stdout  # one earlier run: far from 10
    assert runs_in(state) == 2
    listing = harness(tmp_path, "history", "--state-dir", str(state))
    assert listing.returncode == 0 and listing.stdout.count("passed") == 2


def test_broken_target_fails_and_says_which_scenario_and_why(tmp_path: Path) -> None:
    state = tmp_path / "state"
    done = harness(
        tmp_path, "run", "--suite", "smoke", "--fault", "misroute", "--state-dir", str(state)
    )
    assert done.returncode == 1, done.stdout + done.stderr
    table = done.stdout.split("SCENARIO", 1)[1]
    assert "alb-routing" in table and "FAIL" in table
    assert "cold-start" in table and "PASS" in table
    why = table.split("Why:", 1)[1]
    assert "alb-routing:" in why and "404" in why
    assert "cleanup:" in done.stdout
    assert runs_in(state) == 1


def report_path(out: str) -> Path:
    match = re.search(r"^Report: (.+)$", out, re.M)
    assert match is not None, out
    return Path(match.group(1))


def test_two_runs_in_a_row_compare_and_each_writes_its_report(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = harness(tmp_path, "run", "--suite", "smoke", "--state-dir", str(state))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Regressions: no earlier run of target reference to compare with" in first.stdout
    first_report = report_path(first.stdout)
    assert first_report == state.resolve() / "reports" / first_report.parent.name / "report.html"
    assert (first_report.parent / "junit.xml").exists()

    second = harness(tmp_path, "run", "--suite", "smoke", "--state-dir", str(state))
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"newest baseline run {first_report.parent.name})" in second.stdout
    assert "Regressions: none (rolling: last 30 passing runs" in second.stdout
    page = report_path(second.stdout).read_text()
    assert "None against " + first_report.parent.name in page
    assert f'"runIds": ["{first_report.parent.name}", ' in page  # both runs on each chart

    again = harness(tmp_path, "report", first_report.parent.name, "--state-dir", str(state))
    assert again.returncode == 0, again.stderr
    assert report_path(again.stdout) == first_report
    assert "Nothing was sent" in first_report.read_text()  # the run's alert record, kept
    trends = harness(tmp_path, "trends", "--state-dir", str(state))
    assert trends.returncode == 0, trends.stderr
    assert "Trends for reference" in trends.stdout and "2 run(s)" in trends.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--suite", "nightly"], "invalid choice"),
        (["run", "--scenario", "warm-start"], "unknown scenario 'warm-start'"),
        (["run", "--fault", "melt"], "invalid choice"),
        (["run", "--run-id", "not ok!"], "runId"),
        (["run", "--target", "no-such-file.toml"], "neither an http(s) URL nor an existing file"),
        (["run", "--config", "missing.toml"], "does not exist"),
        (["run", "--suite", "smoke", "--scenario", "cold-start"], "not allowed with"),
        (["launch"], "invalid choice"),
        (["report", "not ok!"], "RUN_ID"),
        (["report", "no-such-run"], "no run no-such-run"),
        (["trends", "--days", "0"], "trend_days"),
    ],
)
def test_bad_usage_exits_2_with_a_clear_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = (
        harness(tmp_path, *args, "--state-dir", str(tmp_path))
        if args[0] == "run"
        else harness(tmp_path, *args)
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert not (tmp_path / "history.sqlite3").exists()


def test_bad_config_value_exits_2_naming_the_field(tmp_path: Path) -> None:
    (tmp_path / "harness.toml").write_text("[sla]\ncold_start_max_seconds = 'soon'\n")
    done = harness(tmp_path, "run")
    assert done.returncode == 2
    assert "sla.cold_start_max_seconds" in done.stderr


def test_a_broken_history_store_ends_at_once_with_exit_3(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "history.sqlite3").mkdir(parents=True)  # the history cannot be opened
    done = harness(tmp_path, "run", "--scenario", "alb-routing", "--state-dir", str(state))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout == ""  # nothing started
    assert done.stderr.count("\n") == 1 and "history.sqlite3" in done.stderr
    assert "Traceback" not in done.stderr


def test_harness_failure_after_planning_exits_3_and_still_shows_the_results(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    break_history_writes(state)  # the store passes its check, then fails at Aggregate
    done = harness(tmp_path, "run", "--scenario", "alb-routing", "--state-dir", str(state))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "alb-routing: pass" in done.stdout
    assert "HarnessFailed" in done.stderr and "HistoryError" in done.stderr


def _prepare(tmp_path: Path, setup: str) -> None:
    if setup == "latin1-config":
        (tmp_path / "bad.toml").write_bytes("[target]\nname = 'caf\xe9'\n".encode("latin-1"))
    elif setup == "latin1-target":
        (tmp_path / "t.toml").write_bytes("[target]\nname = 'caf\xe9'\n".encode("latin-1"))
    elif setup == "folders":
        (tmp_path / "conf").mkdir()
        (tmp_path / "out").mkdir()
    elif setup == "file":
        (tmp_path / "file").write_text("not a folder")
    elif setup == "aws-target":
        (tmp_path / "aws.toml").write_text(
            '[target]\nendpoint = "https://edit.example.com"\nregion = "eu-west-1"\n'
        )
    elif setup == "stored-run":
        SqliteHistory.in_state_dir(tmp_path / "st").save_run(
            RunSummary.model_validate(
                {
                    "runId": "taken-1",
                    "suite": "smoke",
                    "target": "reference",
                    "trigger": "cli",
                    "startedAt": "2026-11-24T06:00:00Z",
                    "finishedAt": "2026-11-24T06:00:10Z",
                    "durationSeconds": 10,
                    "verdict": "passed",
                    "successRate": 1,
                    "counts": {},
                    "results": [],
                    "metrics": [],
                }
            )
        )


NO_AWS_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
    "AWS_SESSION_TOKEN": "",
    "AWS_PROFILE": "",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
}


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("latin1-config", ["run", "--config", "bad.toml"], "is not UTF-8 text"),
        ("folders", ["run", "--config", "conf"], "is a folder"),
        ("latin1-target", ["run", "--target", "t.toml"], "not UTF-8 text"),
        ("file", ["run", "--state-dir", "file"], "is a file"),
        ("file", ["run", "--state-dir", "file/sub"], "cannot be created"),
        ("file", ["history", "--state-dir", "file"], "is a file"),
        ("folders", ["run", "--junit", "out", "--state-dir", "st"], "is a folder"),
        ("", ["run", "--target", "http://", "--state-dir", "st"], "names no host"),
        ("", ["run", "--target", "http://edit:port", "--state-dir", "st"], "invalid port"),
        ("", ["run", "--target", "https://ex ample.com", "--state-dir", "st"], "spaces"),
        ("stored-run", ["run", "--run-id", "taken-1", "--state-dir", "st"], "already in"),
        ("aws-target", ["cleanup", "--target", "aws.toml"], "no usable AWS credentials"),
    ],
)
def test_usage_and_environment_errors_exit_2_with_one_line(
    tmp_path: Path, setup: str, args: list[str], message: str
) -> None:
    _prepare(tmp_path, setup)
    done = harness(tmp_path, *args, env=NO_AWS_CREDENTIALS if setup == "aws-target" else None)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    if setup != "stored-run":
        assert not (tmp_path / "st").exists()  # checked before anything started


def test_a_target_busy_with_another_run_exits_4_naming_it(
    moto_server: MotoServer, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with stack_factory(moto_server, tmp_path) as start:
        target = start().run.target
        holder = LeaseClaim(
            key=lease_key(target, TargetResource.EDIT_SERVICE),
            target=target.name,
            resource=TargetResource.EDIT_SERVICE,
            mode=LeaseMode.EXCLUSIVE,
        )
        leases = SqliteLeases.in_state_dir(state)
        assert leases.acquire([holder], "nightly-7", datetime.now(UTC), 600, lambda _: None) is None
        target_file = tmp_path / "target.toml"
        fields = target.model_dump(exclude={"request_timeout_seconds"})
        target_file.write_text(
            "[target]\n" + "".join(f'{key} = "{value}"\n' for key, value in fields.items())
        )
        done = harness(
            tmp_path,
            "run",
            "--scenario",
            "cold-start",
            "--target",
            str(target_file),
            "--state-dir",
            str(state),
            env={"HARNESS__LEASES__WAIT_SECONDS": "1", "HARNESS__LEASES__RETRY_SECONDS": "1"},
        )
    assert done.returncode == 4, done.stdout + done.stderr
    name = target.name or name_from_endpoint(target.endpoint)  # the target's identity
    assert f"target {name} is busy with run nightly-7 since" in done.stderr
    assert "wait" in done.stdout and "nothing ran" in done.stderr
    assert runs_in(state) == 0
