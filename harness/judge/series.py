"""Series out of run history: the values a series took, run by run, and which runs count.

A series is one metric of one scenario on one target (``harness.wire.series_key``); the
run-level metrics (success rate, cost per run) use ``-`` as the scenario. History arrives as
``HistoryStore.recent_runs`` gives it (newest first, one target); everything here works
oldest first, the order of a chart.

Which runs make a baseline: for a scenario's metric, the runs in which that scenario
*passed* (a failing run's numbers are not what "normal" looks like); for a run-level metric,
the *passing* runs of the same suite (a smoke run costs less than a full one). Confirm passes
(suite ``confirm``) never count: they run only when something looked wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harness.judge.cost import estimate_run_cost
from harness.wire import RunSummary, ScenarioResult, Status, Verdict
from harness.wire.metrics import COST_PER_RUN, SUCCESS_RATE

CONFIRM_SUITE = "confirm"
DECIDED = (Status.PASS, Status.FAIL, Status.ERROR)
FAILED = (Status.FAIL, Status.ERROR)


def is_confirm_run(run: RunSummary) -> bool:
    return run.suite == CONFIRM_SUITE


def confirm_run_id(run_id: str) -> str:
    """The id the confirm pass of ``run_id`` is stored under in history."""
    return f"{run_id}-confirm"


def oldest_first(history: Iterable[RunSummary]) -> list[RunSummary]:
    return sorted(history, key=lambda run: run.started_at)


def run_level_values(
    results: Sequence[ScenarioResult], ignored: Iterable[str] = ()
) -> dict[str, float]:
    """Success rate (over decided scenarios not in ``ignored``, e.g. quarantined) and cost."""
    skip = set(ignored)
    decided = [r for r in results if r.status in DECIDED and r.scenario not in skip]
    passed = sum(r.status is Status.PASS for r in decided)
    return {
        SUCCESS_RATE: round(passed / len(decided), 4) if decided else 1.0,
        COST_PER_RUN: estimate_run_cost(results),
    }


def scenario_values(result: ScenarioResult) -> dict[str, float]:
    return {metric.name: metric.value for metric in result.metrics}


def result_of(run: RunSummary, scenario: str) -> ScenarioResult | None:
    return next((result for result in run.results if result.scenario == scenario), None)


@dataclass(frozen=True, slots=True)
class Samples:
    """A series' values in the runs that count for its baseline, oldest first."""

    values: tuple[float, ...]
    run_ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.values)

    def last(self, count: int) -> Samples:
        return Samples(self.values[-count:], self.run_ids[-count:])


def baseline_samples(
    runs: Sequence[RunSummary], scenario: str | None, metric: str, suite: str
) -> Samples:
    """The series' values in ``runs`` (oldest first) that count for its baseline."""
    values: list[float] = []
    run_ids: list[str] = []
    for run in runs:
        if is_confirm_run(run):
            continue
        value: float | None
        if scenario is None:
            if run.suite != suite or run.verdict is not Verdict.PASSED:
                continue
            value = run_level_value(run, metric)
        else:
            result = result_of(run, scenario)
            if result is None or result.status is not Status.PASS:
                continue
            value = scenario_values(result).get(metric)
        if value is not None:
            values.append(value)
            run_ids.append(run.run_id)
    return Samples(tuple(values), tuple(run_ids))


def run_level_value(run: RunSummary, metric: str) -> float | None:
    """A stored run's value of a run-level metric."""
    if metric == SUCCESS_RATE:
        return run.success_rate
    if metric == COST_PER_RUN:
        return run.estimated_cost_usd
    return None


@dataclass(frozen=True, slots=True)
class StatusHistory:
    """A scenario's pass/fail in the runs before a failure streak, and the streak itself."""

    passed: tuple[bool, ...]  # the baseline: oldest first, at most ``window`` runs
    streak: tuple[str, ...]  # ids of the failing runs just before this one, oldest first


def status_history(runs: Sequence[RunSummary], scenario: str, window: int) -> StatusHistory:
    """The scenario's record before the current streak of failures (oldest first).

    A scenario that broke three runs ago is compared with the runs before it broke, not with
    its own failures: a second failing run still reports the regression.
    """
    decided = [
        (run.run_id, result.status is Status.PASS)
        for run in runs
        if not is_confirm_run(run)
        and (result := result_of(run, scenario)) is not None
        and result.status in DECIDED
    ]
    streak: list[str] = []
    while decided and not decided[-1][1]:
        streak.insert(0, decided.pop()[0])
    return StatusHistory(tuple(passed for _, passed in decided[-window:]), tuple(streak))
