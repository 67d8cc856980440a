"""`make run`, timed: how long until the first scenario runs, and until the run is over, for
this tree against a baseline version of the harness (a git ref, unpacked with `git archive`),
alternating baseline and candidate. Each run is the real CLI in a fresh process, as a user
starts it (`harness run`, the default full suite, a fresh state folder).

    python -m benchmarks.startup [--baseline-ref REF] [--repeat K] [--suite full]

The default baseline is the commit before parallel plans and the start-up work (2bd4395).
Also printed: how often an idle reference target asks ECS for its service (DescribeServices
per second), which used to be twenty times a second.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.layout import PROJECT_ROOT
from harness.local.moto_server import MotoServer, start_moto_server

DEFAULT_BASELINE = "2bd4395"
STARTED = re.compile(r"\.\.\s+\S+ .*running")
SUITE_TIME = re.compile(r"; (\d+(?:\.\d+)?)s; est\. cost")


@dataclass(frozen=True)
class Timing:
    first_scenario: float  # process start -> the first "... running" progress line
    process: float  # process start -> exit
    suite: float  # the run's own duration, as its summary reports it
    passed: bool


def timed_run(tree: Path, suite: str) -> Timing:
    """One `harness run` of ``tree``'s code (it is imported from its folder) in a new process."""
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "HARNESS__LOCAL__STATE_DIR": state}
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "run", "--suite", suite],
            cwd=tree,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        first = None
        suite_seconds = 0.0
        for line in process.stdout:
            if first is None and STARTED.search(line):
                first = time.monotonic() - started
            found = SUITE_TIME.search(line)
            if found:
                suite_seconds = float(found.group(1))
        code = process.wait()
        return Timing(
            first_scenario=first if first is not None else float("nan"),
            process=time.monotonic() - started,
            suite=suite_seconds,
            passed=code == 0,
        )


def unpack(ref: str, into: Path) -> Path:
    """The tree of ``ref`` (read-only `git archive`, the work tree is not touched)."""
    archive = into / "baseline.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", ref], stdout=handle, check=True)
    tree = into / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def describe_services_per_second(moto: MotoServer, idle_seconds: float) -> float:
    """DescribeServices calls an idle bundled reference target makes per second."""
    from moto.ecs.models import EC2ContainerServiceBackend

    from harness.config import ReferenceTargetConfig, TargetConfig
    from harness.local.reference_target import ReferenceTarget

    calls = 0
    lock = threading.Lock()
    original = EC2ContainerServiceBackend.describe_services

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        with lock:
            calls += 1
        return original(*args, **kwargs)

    suffix = uuid.uuid4().hex[:6]
    target = TargetConfig(
        ecs_cluster=f"c{suffix}", ecs_service=f"e{suffix}", sessions_table=f"t{suffix}"
    )
    try:
        with (
            tempfile.TemporaryDirectory() as workdir,
            ReferenceTarget(target, ReferenceTargetConfig(), moto.endpoint, Path(workdir)),
        ):
            setattr(EC2ContainerServiceBackend, "describe_services", counted)  # noqa: B010
            time.sleep(idle_seconds)
    finally:
        setattr(EC2ContainerServiceBackend, "describe_services", original)  # noqa: B010
    return calls / idle_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline-ref", default=DEFAULT_BASELINE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--suite", default="full", choices=["smoke", "full"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        baseline = unpack(args.baseline_ref, Path(scratch))
        runs: dict[str, list[Timing]] = {"baseline": [], "candidate": []}
        for round_number in range(args.repeat):  # alternate, each side first in turn
            order = (
                ["baseline", "candidate"] if round_number % 2 == 0 else ["candidate", "baseline"]
            )
            for side in order:
                runs[side].append(
                    timed_run(baseline if side == "baseline" else PROJECT_ROOT, args.suite)
                )

    def median(side: str, field: str) -> float:
        return float(statistics.median(getattr(timing, field) for timing in runs[side]))

    print(
        f"`harness run --suite {args.suite}` in a fresh process, {args.baseline_ref} vs this tree, "
        f"median of {args.repeat} (alternated):"
    )
    for field, label in (
        ("first_scenario", "first scenario running after"),
        ("suite", "suite (the run's own duration)"),
        ("process", "whole process"),
    ):
        before, after = median("baseline", field), median("candidate", field)
        print(f"  {label:<32} {before:6.2f}s -> {after:6.2f}s  x{before / after:5.2f}")
    passed = {side: sum(t.passed for t in timings) for side, timings in runs.items()}
    print(
        f"  runs passed: baseline {passed['baseline']}/{args.repeat}, "
        f"this tree {passed['candidate']}/{args.repeat}"
    )
    moto = start_moto_server()
    try:
        rate = describe_services_per_second(moto, 3.0)
    finally:
        moto.stop()
    print(f"  an idle reference target asks ECS {rate:.1f} DescribeServices/s (it polled 20/s)")


if __name__ == "__main__":
    main()
