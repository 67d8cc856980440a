"""The Aggregate step end to end on literal data and an in-memory history: the Map output is
decoded (``collect``), summed up (``summary``) and stored, and the next run finds it as its
previous run (what DetectRegressions compares with)."""

from __future__ import annotations

from datetime import timedelta

from harness.judge.collect import collect_results
from harness.judge.summary import summarize, verdict_reason
from harness.ports import HistoryStore
from harness.wire import (
    GroupOutcome,
    RunContext,
    ScenarioOutcome,
    ScenarioResult,
    ScenarioSpec,
    Status,
    Verdict,
)
from tests.fakes import RUN, FakeHistoryStore

PLANNED = [
    ScenarioSpec(name=name, group=group, tags=["full"], timeout_seconds=60)
    for name, group in (("a", "g1"), ("b", "g1"), ("c", "g2"))
]


def outcome(group: str, *results: ScenarioResult) -> tuple[GroupOutcome, list[ScenarioResult]]:
    """A group's outcome as the state carries it, and the results RunScenario stored."""
    compact = [ScenarioOutcome.of(r).to_wire() for r in results]
    return GroupOutcome.model_validate({"group": {"name": group}, "results": compact}), list(
        results
    )


def result(name: str, group: str, seconds: float, status: Status = Status.PASS) -> ScenarioResult:
    return ScenarioResult.model_validate(
        {
            "scenario": name,
            "group": group,
            "status": status,
            "metrics": [{"name": "cold_start_seconds", "value": seconds, "unit": "seconds"}],
        }
    )


def aggregate(
    run: RunContext,
    outcomes: list[tuple[GroupOutcome, list[ScenarioResult]]],
    store: HistoryStore,
) -> str:
    """What the Aggregate handler does, with the stores passed in."""
    stored: dict[str, ScenarioResult | str] = {
        r.scenario: r for _, results in outcomes for r in results
    }
    collected = collect_results(PLANNED, [group for group, _ in outcomes], stored)
    summary = summarize(run, collected, run.started_at + timedelta(seconds=30))
    store.save_run(summary)
    return verdict_reason(summary)


def test_two_runs_are_stored_and_the_second_finds_the_first() -> None:
    store = FakeHistoryStore()
    first = RUN
    second = RUN.model_copy(
        update={"run_id": "r2", "started_at": RUN.started_at + timedelta(hours=1)}
    )

    reason = aggregate(
        first,
        [
            outcome("g1", result("a", "g1", 1.0), result("b", "g1", 3.0)),
            outcome("g2", result("c", "g2", 2.0)),
        ],
        store,
    )
    assert reason == "all 3 scenario(s) passed"
    aggregate(
        second,
        [outcome("g1", result("a", "g1", 1.0), result("b", "g1", 9.0, Status.FAIL))],  # g2 lost
        store,
    )

    stored = store.get_run("r2")
    assert stored is not None and stored.verdict is Verdict.FAILED
    assert [r.status for r in stored.results] == [Status.PASS, Status.FAIL, Status.ERROR]
    assert stored.success_rate == round(1 / 3, 4)
    (cold,) = stored.metrics
    assert (cold.count, cold.max) == (2, 9.0)
    previous = store.previous_run("t", "full", before=second.started_at)
    assert previous is not None and previous.run_id == "r1"
    assert [run.run_id for run in store.recent_runs("t", 5)] == ["r2", "r1"]
