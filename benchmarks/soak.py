"""Soak: consecutive local runs with random faults injected into the target and into the
harness process itself (Ctrl-C, SIGTERM, SIGKILL at a random moment). Measures the promises
of docs/reliability.md, not speed:

- every run ends with a verdict (passed/failed) or an aborted record: 100 %;
- no scenario result printed by a run is missing from its record: 0 lost;
- no test session of any run is left on the target afterwards: 0 left;
- no process of a run outlives it: 0 stray.

The target is a reference target in this process (a user's target, outside the harness), so
what a run leaves behind stays visible; it restarts with a new random fault before each run.
A SIGKILLed run is recovered by the next run's start (and, after the last run, by one more).

    python -m benchmarks.soak [--runs 50] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.aws.target_infra import Boto3TargetInfra
from harness.config import KNOWN_FAULTS, ReferenceTargetConfig, SlaConfig, TargetConfig
from harness.local.moto_server import MotoServer, start_moto_server
from harness.local.reference_target import ReferenceTarget
from harness.local.sqlite_history import SqliteHistory
from harness.wire import ResolvedTarget

SLA = SlaConfig(cold_start_max_seconds=4, recovery_max_seconds=4, error_response_max_seconds=5)
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}
FINISHED = re.compile(r"\] (?:ok  |FAIL|ERR ) ([a-z0-9-]+) (?:pass|fail|error)\b")
RUN_TIMEOUT = 300


@dataclass
class Soak:
    """The measured outcome of a soak."""

    runs: int = 0
    with_verdict: int = 0
    results_lost: int = 0
    sessions_left: int = 0
    stray_processes: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    interruptions: Counter[str] = field(default_factory=Counter)
    exit_codes: Counter[int] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        share = self.with_verdict / self.runs if self.runs else 0.0
        return [
            f"runs ended with a verdict: {self.with_verdict}/{self.runs} ({share:.0%})",
            f"results lost: {self.results_lost}",
            f"leftover test data: {self.sessions_left} session(s)",
            f"stray processes: {self.stray_processes}",
            f"verdicts: {dict(sorted(self.verdicts.items()))}",
            f"target faults: {dict(sorted(self.faults.items()))}",
            f"interruptions: {dict(sorted(self.interruptions.items()))}",
            f"exit codes: {dict(sorted(self.exit_codes.items()))}",
        ]


class Target:
    """A reference target outside the harness that keeps its data across runs."""

    def __init__(self, moto: MotoServer, workdir: Path) -> None:
        suffix = uuid.uuid4().hex[:6]
        self.config = TargetConfig(
            name=f"soak-{suffix}",
            ecs_cluster=f"soak-{suffix}",
            ecs_service=f"soak-{suffix}",
            sessions_table=f"soak-{suffix}",
            request_timeout_seconds=3,
        )
        self.moto, self.workdir = moto, workdir
        self.running: ReferenceTarget | None = None
        self.file = workdir / "target.toml"

    def restart(self, fault: str | None) -> None:
        if self.running is not None:
            self.running.stop()
        settings = ReferenceTargetConfig(
            cold_start_seconds=0.5, recovery_seconds=0.5, faults=[fault] if fault else []
        )
        self.running = ReferenceTarget(
            self.config, settings, self.moto.endpoint, self.workdir / "target", SLA
        ).start()
        target = self.config.model_copy(
            update={"endpoint": self.running.endpoint, "aws_endpoint_url": self.moto.endpoint}
        )
        keys = ("name", "endpoint", "aws_endpoint_url", "ecs_cluster", "ecs_service")
        lines = [f'{key} = "{getattr(target, key)}"' for key in (*keys, "sessions_table")]
        lines.append(f"request_timeout_seconds = {target.request_timeout_seconds}")
        self.file.write_text("[target]\n" + "\n".join(lines) + "\n")
        self.infra = Boto3TargetInfra(ResolvedTarget.model_validate(target.model_dump()))

    def sessions_of(self, run_id: str) -> int:
        return len(self.infra.find_session_ids(f"{self.config.test_prefix}{run_id}_"))

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HARNESS_")}
    for key, value in SLA.model_dump(mode="json", exclude_defaults=True).items():
        env[f"HARNESS__SLA__{key.upper()}"] = str(value)  # numbers only (SLA above)
    return env


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a stray child would show there
    )


def _stray(process: subprocess.Popen[str]) -> int:
    """Processes left in the run's process group after it ended."""
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return 0
    except PermissionError:
        return 1
    os.killpg(process.pid, signal.SIGKILL)  # never leave one behind us
    return 1


def _run_once(
    number: int, target: Target, state: Path, rng: random.Random, env: dict[str, str]
) -> tuple[str, str | None, int, str, subprocess.Popen[str]]:
    """One run, maybe interrupted at a random moment after its first scenario started."""
    run_id = f"soak-{number:03d}-{uuid.uuid4().hex[:4]}"
    args = ["run", "--suite", "smoke", "--target", str(target.file), "--run-id", run_id]
    process = _cli([*args, "--state-dir", str(state)], state.parent, env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    interruption = rng.choice([None, None, None, "SIGINT", "SIGTERM", "SIGKILL"])
    delay = rng.uniform(0.0, 4.0)
    deadline = time.monotonic() + RUN_TIMEOUT
    sent: str | None = None
    started_at: float | None = None
    while process.poll() is None:
        if started_at is None and any(" running" in line for line in list(lines)):
            started_at = time.monotonic()
        if interruption and sent is None and started_at and time.monotonic() >= started_at + delay:
            process.send_signal(SIGNALS[interruption])
            sent = interruption
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.05)
    reader.join(30)
    return run_id, sent, process.returncode, "".join(lines), process


def soak(moto: MotoServer, runs: int, seed: int, workdir: Path) -> Soak:
    rng = random.Random(seed)
    result = Soak()
    state = workdir / "state"
    env = _environment()
    target = Target(moto, workdir)
    printed: dict[str, set[str]] = {}
    try:
        for number in range(runs + 1):  # one more at the end: recovers a last killed run
            fault = rng.choice([None, *sorted(KNOWN_FAULTS)])
            target.restart(fault)
            run_id, sent, code, output, process = _run_once(number, target, state, rng, env)
            result.stray_processes += _stray(process)
            if number == runs:
                break
            result.runs += 1
            result.faults[fault or "none"] += 1
            result.interruptions[sent or "none"] += 1
            result.exit_codes[code] += 1
            printed[run_id] = set(FINISHED.findall(output))
        history = SqliteHistory.in_state_dir(state)
        for run_id, seen in printed.items():
            stored = history.get_run(run_id)
            if stored is not None:
                result.with_verdict += 1
                result.verdicts[stored.verdict.value] += 1
                result.results_lost += len(seen - {r.scenario for r in stored.results})
            else:
                result.results_lost += len(seen)
            result.sessions_left += target.sessions_of(run_id)
    finally:
        target.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    moto = start_moto_server()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
            result = soak(moto, args.runs, args.seed, Path(workdir))
    finally:
        moto.stop()
    print(f"soak: {args.runs} local runs (seed {args.seed}), {time.monotonic() - started:.0f}s")
    for line in result.lines():
        print(f"  {line}")


if __name__ == "__main__":
    main()
