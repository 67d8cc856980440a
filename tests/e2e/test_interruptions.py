"""A local run that is interrupted or killed still ends well: SIGTERM like Ctrl-C (exit 143),
the run's own test data deleted at once, the service put back, the run recorded as aborted;
repeated signals change nothing; a killed run is recovered on the next start; a verdict that
was stored is kept. The real CLI in a subprocess, against a target outside it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.wire import Verdict
from tests.integration.stacks import Stack, StackFactory, stack_factory

pytestmark = pytest.mark.e2e
WAIT = 180.0


class Cli:
    """``harness`` in a subprocess, its output collected line by line as it comes."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", *args],
            cwd=cwd,
            env={
                **os.environ,
                "HARNESS__REFERENCE_TARGET__COLD_START_SECONDS": "0.3",
                **(env or {}),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for_line(self, pattern: str) -> None:
        deadline = time.monotonic() + WAIT
        while not any(re.search(pattern, line) for line in self.lines):
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, f"no line like {pattern!r}:\n{''.join(self.lines)}"
            time.sleep(0.05)

    def finish(self) -> tuple[int, str]:
        code = self.process.wait(WAIT)
        self._reader.join(WAIT)
        return code, "".join(self.lines)


def wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def user_target(moto_server: MotoServer, tmp_path: Path) -> Iterator[StackFactory]:
    with stack_factory(moto_server, tmp_path / "targets") as start:
        yield start


def sessions_of(stack: Stack, run_id: str) -> list[str]:
    return stack.infra.find_session_ids(f"TEST_{run_id}_")


def test_sigterm_cleans_up_the_run_at_once_and_exits_143(
    user_target: StackFactory, tmp_path: Path
) -> None:
    stack = user_target()
    target = stack.toml(tmp_path / "target.toml")
    cli = Cli(tmp_path, "run", "--target", str(target), "--run-id", "term-1", "--state-dir", "st")
    wait_until(lambda: sessions_of(stack, "term-1"), "the run never created a session")
    cli.process.send_signal(signal.SIGTERM)
    code, output = cli.finish()
    assert code == 143, output
    assert "interrupted by SIGTERM" in output and "harness: left: nothing" in output
    assert "Traceback" not in output
    assert sessions_of(stack, "term-1") == []  # now, not in 24 h
    assert stack.infra.desired_count() == 0  # as the run found it
    stored = SqliteHistory.in_state_dir(tmp_path / "st").get_run("term-1")
    assert stored is not None and stored.verdict is Verdict.ABORTED
    assert stored.aborted_reason == "interrupted by SIGTERM"


def test_repeated_ctrl_c_still_cleans_up_and_leaves_no_temporary_folder(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    cli = Cli(
        tmp_path,
        "run",
        "--scenario",
        "failure-recovery",
        "--fault",
        "no_recovery",  # it waits for a recovery that never comes: interrupted mid-scenario
        "--run-id",
        "int-1",
        "--state-dir",
        "st",
        env={"TMPDIR": str(scratch)},
    )
    cli.wait_for_line(r"failure-recovery on \S+ running")
    cli.process.send_signal(signal.SIGINT)
    cli.wait_for_line(r"stopping the run and cleaning up")  # shutting down: Ctrl-C again
    cli.process.send_signal(signal.SIGINT)
    cli.process.send_signal(signal.SIGTERM)
    code, output = cli.finish()
    assert code == 130, output
    assert "Traceback" not in output and "noted" in output
    assert not list(scratch.glob("reference-target-*")), "the target's folder was left"
    stored = SqliteHistory.in_state_dir(tmp_path / "st").get_run("int-1")
    assert stored is not None and stored.verdict is Verdict.ABORTED


def test_ctrl_c_after_the_verdict_is_stored_keeps_it(tmp_path: Path) -> None:
    cli = Cli(
        tmp_path, "run", "--scenario", "alb-routing", "--run-id", "kept-1", "--state-dir", "st"
    )
    cli.wait_for_line(r"run stored:")
    cli.process.send_signal(signal.SIGINT)
    code, output = cli.finish()
    assert code in (0, 130), output  # 0 if the run had ended when the signal came
    assert "PASSED - 1 pass" in output
    stored = SqliteHistory.in_state_dir(tmp_path / "st").get_run("kept-1")
    assert stored is not None and stored.verdict is Verdict.PASSED


def test_a_killed_run_is_recovered_on_the_next_start(
    user_target: StackFactory, tmp_path: Path
) -> None:
    stack = user_target()
    target = stack.toml(tmp_path / "target.toml")
    cli = Cli(tmp_path, "run", "--target", str(target), "--run-id", "dead-1", "--state-dir", "st")
    wait_until(lambda: sessions_of(stack, "dead-1"), "the run never created a session")
    cli.process.send_signal(signal.SIGKILL)
    cli.finish()
    assert sessions_of(stack, "dead-1")  # left behind by the dead process

    again = Cli(
        tmp_path, "run", "--target", str(target), "--scenario", "alb-routing", "--state-dir", "st"
    )
    code, output = again.finish()
    assert code == 0, output
    assert "recovered run dead-1, whose process died" in output
    assert sessions_of(stack, "dead-1") == []
    stored = SqliteHistory.in_state_dir(tmp_path / "st").get_run("dead-1")
    assert stored is not None and stored.verdict is Verdict.ABORTED
