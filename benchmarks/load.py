"""Load that scales past one process: `concurrent-sessions` with ``--users`` users against a
healthy bundled reference target, played two ways in the same run (alternating which first):

- **one process** (the baseline, how it used to run): every user a thread of one Lambda;
- **fanned out**: batches of ``--batch`` users, one Map iteration (one Lambda) each, which
  the local engine runs in one worker process per core.

For each: the verdict, session creation p95 against its SLA, sessions created, and the
harness's own saturation (CPU of the generator's process, timer lag).

    python -m benchmarks.load [--users 1000] [--batch 50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from harness.config import HarnessConfig, LoadConfig
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer, start_moto_server
from harness.wire import ScenarioResult

SCENARIO = "concurrent-sessions"


@dataclass(frozen=True)
class LoadRun:
    name: str
    result: ScenarioResult
    seconds: float

    def metric(self, name: str) -> float:
        return next((m.value for m in self.result.metrics if m.name == name), float("nan"))

    def describe(self) -> str:
        why = f" ({self.result.reason[:120]})" if self.result.reason else ""
        return (
            f"{self.name:<12} {self.result.status.value.upper():<5} in {self.seconds:6.1f}s  "
            f"creation p95 {self.metric('session_creation_p95_seconds'):6.2f}s  "
            f"created {self.metric('sessions_created'):5.0f}  harness CPU "
            f"{self.metric('harness_cpu_percent'):5.1f}% of a core (+"
            f"{self.metric('harness_cpu_wait_percent'):4.1f}% waiting for one), timer lag "
            f"p95 {self.metric('harness_timer_lag_p95_ms'):5.1f} ms{why}"
        )


def play(moto: MotoServer, users: int, batch: int, workers: int, name: str) -> LoadRun:
    suffix = uuid.uuid4().hex[:6]
    config = HarnessConfig.model_validate(
        {
            "target": {
                "name": f"load-{suffix}",
                "ecs_cluster": f"load-{suffix}",
                "ecs_service": f"edit-{suffix}",
                "sessions_table": f"sessions-{suffix}",
            },
            "scenarios": {SCENARIO: {"params": {"users": users}}},
            "load": {"users_per_batch": batch},
            "local": {"worker_processes": workers},
        }
    )
    with (
        tempfile.TemporaryDirectory() as state,
        LocalEngine(config, Path(state), moto=moto) as engine,
    ):
        run_id = f"load-{suffix}"
        started = time.monotonic()
        outcome = engine.run({"scenarios": [SCENARIO], "runId": run_id}, run_id)
        seconds = time.monotonic() - started
    results = {r.scenario: r for r in outcome.summary.results} if outcome.summary else {}
    result = results.get(SCENARIO)
    if result is None:
        raise RuntimeError(f"{name}: no result ({outcome.status}: {outcome.cause})")
    return LoadRun(name, result, seconds)


def run(moto: MotoServer, users: int, batch: int, fanned_first: bool = True) -> list[LoadRun]:
    workers = min(os.cpu_count() or 1, max(1, -(-users // batch)))
    sides = {"fanned out": (batch, workers), "one process": (users, 0)}
    order = ["fanned out", "one process"] if fanned_first else ["one process", "fanned out"]
    found = {name: play(moto, users, *sides[name], name) for name in order}
    return [found["one process"], found["fanned out"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50, help="users per batch (Map iteration)")
    args = parser.parse_args()
    moto = start_moto_server()
    try:
        baseline, fanned = run(moto, args.users, args.batch, fanned_first=time.time_ns() % 2 == 0)
    finally:
        moto.stop()
    cores = os.cpu_count()
    print(f"{SCENARIO} with {args.users} users on a healthy reference target ({cores} cores):")
    print(f"  {baseline.describe()}")
    print(f"  {fanned.describe()}")
    print(f"  wall time: one process / fanned out = x{baseline.seconds / fanned.seconds:4.2f}")
    busy_before = baseline.metric("harness_cpu_percent") + baseline.metric(
        "harness_cpu_wait_percent"
    )
    busy_after = fanned.metric("harness_cpu_percent") + fanned.metric("harness_cpu_wait_percent")
    print(
        f"  generator busy (CPU + waiting for one): {busy_before:.0f}% -> {busy_after:.0f}% of a "
        f"core (saturated at {LoadConfig().saturation_cpu_percent:g}%)"
    )


if __name__ == "__main__":
    main()
