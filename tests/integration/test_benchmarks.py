"""The benchmarks keep running (tiny sizes; the numbers themselves are not asserted)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import cache, cleanup, detection, follow, load, plan, soak, startup
from harness.local.moto_server import MotoServer
from harness.scenarios import catalogue
from harness.wire import Status
from tests.integration.stacks import isolated_config


def test_cleanup_benchmark_runs(moto_server: MotoServer) -> None:
    rows = cleanup.run(
        moto_server, sessions=4, items=60, baseline_items=10, rounds=2, latency=0.001
    )
    assert [row.name.split(",")[0] for row in rows] == ["cleanup via API", "direct deletes"]
    assert all(row.baseline > 0 and row.candidate > 0 for row in rows)
    assert rows[1].note.startswith("foreign items touched: 0 of 60")


def test_detection_benchmark_runs() -> None:
    rows = detection.run(series=30, seed=1)
    assert {(row.kind, row.detector) for row in rows} >= {
        ("all", "seed x ratio over mean"),
        ("all", "ours"),
        ("within-noise steps", "ours: change points after 10 runs"),
    }


def test_follow_benchmark_runs() -> None:
    rows = follow.run(suite="smoke", repeat=1)
    assert [name for name, _, _ in rows] == [
        "GetExecutionHistory calls per run",
        "seconds in GetExecutionHistory per run",
        "wall seconds per run",
    ]
    assert all(baseline > 0 and improved > 0 for _, baseline, improved in rows)


def test_soak_benchmark_runs(moto_server: MotoServer, tmp_path: Path) -> None:
    result = soak.soak(moto_server, runs=1, seed=1, workdir=tmp_path)
    assert result.runs == 1 and len(result.lines()) == 8
    assert (result.with_verdict, result.results_lost, result.sessions_left) == (1, 0, 0)
    assert result.stray_processes == 0


def test_plan_benchmark_runs_a_synthetic_suite(moto_server: MotoServer) -> None:
    (row,) = plan.run(moto_server, pool=2, synthetic=6, scale=0.05, builtin=False)
    assert row.suite == "synthetic" and row.passed
    assert row.wall > 0 and row.sequential > 0 and row.critical_path >= row.lower_bound > 0
    assert not any(name.startswith("synthetic-") for name in catalogue())  # unregistered


def test_load_benchmark_runs_both_ways(moto_server: MotoServer) -> None:
    one_process, fanned_out = load.run(moto_server, users=4, batch=2)
    assert (one_process.name, fanned_out.name) == ("one process", "fanned out")
    assert one_process.metric("sessions_created") == fanned_out.metric("sessions_created") == 4


def test_an_idle_reference_target_does_not_poll_ecs_twenty_times_a_second(
    moto_server: MotoServer,
) -> None:
    assert startup.describe_services_per_second(moto_server, 1.0) < 5


def test_cache_benchmark_runs(moto_server: MotoServer, tmp_path: Path) -> None:
    first, again, counts = cache.run(
        1, tmp_path, moto=moto_server, suite="smoke", config=isolated_config(cache=True)
    )
    assert first > 0 and again > 0
    assert counts[Status.CACHED] > 0 and counts[Status.PASS] == 0  # every one reused
