"""The benchmarks keep running (tiny sizes; the numbers themselves are not asserted)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import cleanup, detection, follow, soak
from harness.local.moto_server import MotoServer


def test_cleanup_benchmark_runs(moto_server: MotoServer) -> None:
    rows = cleanup.run(moto_server, sessions=4, repeat=1, latency=0.0)
    assert [name for name, _, _ in rows] == [
        "cleanup via API: 8 workers vs 1",
        "direct conditional delete: 8 workers vs 1",
    ]
    assert all(baseline > 0 and improved > 0 for _, baseline, improved in rows)


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
