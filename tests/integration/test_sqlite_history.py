from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.errors import HistoryError, RunExistsError
from harness.local.sqlite_history import SqliteHistory
from harness.wire import RunSummary, ScenarioResult, Status, Verdict

T0 = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def summary(run_id: str, minutes: int, suite: str = "full", target: str = "ref") -> RunSummary:
    started = T0 + timedelta(minutes=minutes)
    return RunSummary.model_validate(
        {
            "runId": run_id,
            "suite": suite,
            "target": target,
            "trigger": "cli",
            "startedAt": started,
            "finishedAt": started + timedelta(seconds=20),
            "durationSeconds": 20,
            "verdict": "passed",
            "successRate": 1.0,
            "counts": {"pass": 2},
            "results": [
                ScenarioResult(scenario=name, group="g", status=Status.PASS).to_wire()
                for name in ("a", "b")
            ],
            "metrics": [],
        }
    )


def test_round_trip_previous_and_listing(tmp_path: Path) -> None:
    store = SqliteHistory.in_state_dir(tmp_path / "state")
    for run in (
        summary("r1", 0),
        summary("r2", 5),
        summary("s1", 6, suite="smoke"),
        summary("o1", 7, target="other"),
        summary("r3", 10),
    ):
        store.save_run(run)
    assert store.count_runs() == 5
    assert store.get_run("r2") == summary("r2", 5)
    assert store.get_run("nope") is None
    previous = store.previous_run("ref", "full", before=T0 + timedelta(minutes=10))
    assert previous is not None and previous.run_id == "r2"
    assert store.previous_run("ref", "full", before=T0) is None
    assert [r.run_id for r in store.list_runs(limit=3)] == ["r3", "o1", "s1"]
    assert [r.run_id for r in store.recent_runs("ref", 10)] == ["r3", "s1", "r2", "r1"]
    assert [r.run_id for r in store.recent_runs("ref", 2)] == ["r3", "s1"]
    before = T0 + timedelta(minutes=6)
    assert [r.run_id for r in store.recent_runs("ref", 10, before)] == ["r2", "r1"]
    assert store.recent_runs("nobody", 10) == []
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT run_id, scenario FROM scenario_results ORDER BY 1, 2").fetchall()
    assert ("r1", "a") in rows and len(rows) == 10


def test_a_stored_run_is_never_replaced(tmp_path: Path) -> None:
    store = SqliteHistory(tmp_path / "h.sqlite3")
    store.save_run(summary("r1", 0))
    later = summary("r1", 30).model_copy(update={"verdict": "failed"})
    with pytest.raises(RunExistsError, match="r1 is already in the history"):
        store.save_run(later)
    assert store.count_runs() == 1 and store.get_run("r1") == summary("r1", 0)
    assert store.has_run("r1") and not store.has_run("r2")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("folder", "unable to open database file"),
        ("alien", "no such column: target"),
        ("not-sqlite", "file is not a database"),
    ],
)
def test_a_broken_store_fails_its_check(tmp_path: Path, breakage: str, message: str) -> None:
    path = tmp_path / "history.sqlite3"
    if breakage == "folder":
        path.mkdir()
    elif breakage == "alien":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE runs (id TEXT)")
    else:
        path.write_bytes(b"\x89PNG not a database at all" * 100)
    with pytest.raises(HistoryError, match=message):
        SqliteHistory(path).check()


def test_a_store_from_another_version_fails_its_check(tmp_path: Path) -> None:
    store = SqliteHistory(tmp_path / "h.sqlite3")
    with sqlite3.connect(store.path) as db:
        db.execute("ALTER TABLE scenario_results DROP COLUMN result_json")
    with pytest.raises(HistoryError, match=r"scenario_results lacks column\(s\) result_json"):
        store.check()


def test_a_healthy_store_passes_its_check_and_keeps_nothing_of_it(tmp_path: Path) -> None:
    store = SqliteHistory(tmp_path / "h.sqlite3")
    store.check()
    store.save_run(summary("r1", 0))
    store.check()
    assert store.count_runs() == 1


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = SqliteHistory(tmp_path / "h.sqlite3")
    with sqlite3.connect(store.path) as db:  # make the per-scenario insert fail
        db.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON scenario_results "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    with pytest.raises(HistoryError, match="disk on fire"):
        store.save_run(summary("r1", 0))
    assert store.count_runs() == 0


def test_an_aborted_run_is_listed_but_never_a_baseline(tmp_path: Path) -> None:
    store = SqliteHistory(tmp_path / "h.sqlite3")
    store.save_run(summary("judged", 0))
    store.save_run(summary("cut", 5).model_copy(update={"verdict": Verdict.ABORTED}))
    later = T0 + timedelta(minutes=10)
    previous = store.previous_run("ref", "full", before=later)
    assert previous is not None and previous.run_id == "judged"
    assert [r.run_id for r in store.recent_runs("ref", 10)] == ["judged"]
    assert [r.run_id for r in store.list_runs()] == ["cut", "judged"]
