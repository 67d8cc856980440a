"""The result cache: an unchanged re-run of the full suite against the first run.

One local engine and bundled reference target (the default ``make run`` setup); the first
run of each round is ``--no-cache`` (it runs every scenario and stores the passes), the
candidate is the same request without it (every scenario answered from the cache). Rounds
alternate which goes first; after the first round the cache is warm either way. Timed: the
execution, from start to verdict (the engine's start-up is the same for both and is not
part of it). Target: the re-run takes at most 10 % of the first run's time.

    python -m benchmarks.cache [--rounds R]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.fair import alternated
from harness.config import HarnessConfig
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.wire import Status

TARGET_SHARE = 0.10


def _timed_run(engine: LocalEngine, suite: str, no_cache: bool) -> tuple[float, dict[Status, int]]:
    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    request: dict[str, Any] = {"suite": suite, "runId": run_id, "flags": {"noCache": no_cache}}
    started = time.perf_counter()
    outcome = engine.run(request, name=run_id)
    elapsed = time.perf_counter() - started
    if outcome.status != "SUCCEEDED" or outcome.summary is None:
        raise RuntimeError(f"run {run_id} ended {outcome.status}: {outcome.cause}")
    return elapsed, outcome.summary.counts


def run(
    rounds: int,
    state_dir: Path,
    moto: MotoServer | None = None,
    suite: str = "full",
    config: HarnessConfig | None = None,
) -> tuple[float, float, dict[Status, int]]:
    """(median first-run seconds, median re-run seconds, the re-run's status counts)."""
    counts: dict[Status, int] = {}
    with LocalEngine(config or HarnessConfig(), state_dir, moto=moto) as engine:

        def first() -> float:
            return _timed_run(engine, suite, no_cache=True)[0]

        def again() -> float:
            elapsed, found = _timed_run(engine, suite, no_cache=False)
            counts.update(found)
            return elapsed

        _timed_run(engine, suite, no_cache=True)  # fills the cache for whichever goes first
        baseline, candidate = alternated(first, again, rounds)
    return baseline, candidate, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")  # regression warnings are not output
    with tempfile.TemporaryDirectory() as state:
        baseline, candidate, counts = run(args.rounds, Path(state))
    share = candidate / baseline
    print(f"result cache, full suite on the bundled reference target, median of {args.rounds}:")
    print(
        f"  first run (--no-cache) vs unchanged re-run\n"
        f"    {baseline:8.2f}s -> {candidate:7.2f}s  x{baseline / candidate:5.1f}  "
        f"({share:.1%} of the first run; target <= {TARGET_SHARE:.0%}: "
        f"{'met' if share <= TARGET_SHARE else 'NOT met'})"
    )
    cached = counts.get(Status.CACHED, 0)
    print(f"    the re-run: {cached} of {sum(counts.values())} scenario(s) cached")


if __name__ == "__main__":
    main()
