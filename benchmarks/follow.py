"""Following an execution: incremental reads with backoff (``harness.execution.follow``)
against the seed's follower, which re-read the whole history every 0.2 s. Both follow real
suite runs on one local engine, alternated; the numbers are GetExecutionHistory calls and
the seconds spent in them per run, and the run's wall time.

    python -m benchmarks.follow [--repeat K] [--suite smoke|full]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.aws.clients import client
from harness.config import CacheConfig, HarnessConfig, ReferenceTargetConfig
from harness.execution.follow import start_and_follow
from harness.execution.history import ExecutionOutcome, apply_event
from harness.local.engine import LocalEngine


@dataclass
class CountingClient:
    """A Step Functions client that counts GetExecutionHistory calls and their seconds."""

    sfn: Any
    calls: int = 0
    seconds: float = 0.0

    def start_execution(self, **kwargs: Any) -> Any:
        return self.sfn.start_execution(**kwargs)

    def get_execution_history(self, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.sfn.get_execution_history(**kwargs)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - started


def reread_everything(sfn: Any, arn: str, execution_input: dict[str, Any], name: str) -> str:
    """The baseline: the seed's follower (whole history, every 0.2 s)."""
    execution = sfn.start_execution(
        stateMachineArn=arn, name=name, input=json.dumps(execution_input)
    )
    outcome = ExecutionOutcome(execution_arn=execution["executionArn"])
    seen = 0
    while True:
        events: list[dict[str, Any]] = []
        request: dict[str, Any] = {"executionArn": outcome.execution_arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**request)
            events.extend(page["events"])
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
        for event in events[seen:]:
            apply_event(outcome, event)
        seen = len(events)
        if outcome.status != "RUNNING":
            return outcome.status
        time.sleep(0.2)


def incremental(sfn: Any, arn: str, execution_input: dict[str, Any], name: str) -> str:
    outcome = start_and_follow(sfn, arn, execution_input, name, lambda _: None, 600)
    return outcome.status


Follower = Callable[[Any, str, dict[str, Any], str], str]


def run(suite: str, repeat: int) -> list[tuple[str, float, float]]:
    config = HarnessConfig(
        reference_target=ReferenceTargetConfig(cold_start_seconds=1.0, recovery_seconds=0.8),
        cache=CacheConfig(enabled=False),  # every run runs its scenarios: nothing is reused
    )
    samples: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as state, LocalEngine(config, Path(state)) as engine:
        sfn = client(
            "stepfunctions", region=engine.config.history.region, endpoint_url=engine.moto.endpoint
        )
        followers: list[tuple[str, Follower]] = [
            ("baseline", reread_everything),
            ("incremental", incremental),
        ]
        for _ in range(repeat):
            for label, follow in followers:  # alternated, so drift hits both alike
                counting = CountingClient(sfn)
                started = time.perf_counter()
                status = follow(
                    counting, engine.state_machine_arn, {"suite": suite}, uuid.uuid4().hex
                )
                wall = time.perf_counter() - started
                assert status == "SUCCEEDED", status
                numbers = samples.setdefault(label, {"calls": [], "seconds": [], "wall": []})
                numbers["calls"].append(counting.calls)
                numbers["seconds"].append(counting.seconds)
                numbers["wall"].append(wall)
    base, new = samples["baseline"], samples["incremental"]
    return [
        (f"{what} per run", statistics.median(base[key]), statistics.median(new[key]))
        for what, key in (
            ("GetExecutionHistory calls", "calls"),
            ("seconds in GetExecutionHistory", "seconds"),
            ("wall seconds", "wall"),
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--suite", default="smoke", choices=["smoke", "full"])
    args = parser.parse_args()
    rows = run(args.suite, args.repeat)
    print(f"following a {args.suite} run on the local engine, median of {args.repeat}:")
    for name, baseline, improved in rows:
        print(f"  {name:<36} {baseline:8.3f} -> {improved:8.3f}  x{baseline / improved:5.2f}")


if __name__ == "__main__":
    main()
