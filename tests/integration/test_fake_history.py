"""The in-memory ``FakeHistoryStore`` the unit tests use answers like the SQLite store: the
same queries over the same runs give the same runs, so a unit test on the fake means what it
would mean on a real store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from harness.errors import RunExistsError
from harness.local.sqlite_history import SqliteHistory
from harness.ports import HistoryStore
from harness.wire import RegressionReport, RunSummary, Verdict
from tests.fakes import FakeHistoryStore
from tests.integration.test_sqlite_history import T0, summary

RUNS = [
    summary("r1", 0),
    summary("r2", 5),
    summary("s1", 6, suite="smoke"),
    summary("o1", 7, target="other"),
    summary("r3", 10),
    summary("cut", 11).model_copy(update={"verdict": Verdict.ABORTED}),  # listed, no baseline
]


def ids(runs: list[RunSummary]) -> list[str]:
    return [run.run_id for run in runs]


def answers(store: HistoryStore) -> list[object]:
    for run in RUNS:
        store.save_run(run)
    store.save_regressions(RegressionReport(run_id="r3", regressions=[], verdict_reason="ok"))
    try:
        store.save_run(summary("r2", 12))  # a stored run is never replaced
        replaced = "replaced"
    except RunExistsError:
        replaced = "refused"
    before = T0 + timedelta(minutes=10)
    previous = store.previous_run("ref", "full", before)
    return [
        replaced,
        store.get_run("r2"),
        store.get_run("nope"),
        previous.run_id if previous else None,
        store.previous_run("ref", "full", T0),
        ids(store.list_runs(limit=3)),
        ids(store.recent_runs("ref", 10)),
        ids(store.recent_runs("ref", 2, before)),
        ids(store.recent_runs("nobody", 5)),
        store.get_regressions("r3"),
        store.get_regressions("r1"),
        ids(store.runs_since(before)),
    ]


def test_the_fake_answers_like_the_sqlite_store(tmp_path: Path) -> None:
    real = answers(SqliteHistory.in_state_dir(tmp_path))

    assert answers(FakeHistoryStore()) == real
    assert real[0] == "refused" and real[3] == "r2" and real[6] == ["r3", "s1", "r2", "r1"]
