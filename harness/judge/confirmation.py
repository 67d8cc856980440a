"""What the confirm pass measured: the re-run scenarios' statuses and the series' values,
for judging a run again with them (``harness.judge.regression``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.judge.series import (
    DECIDED,
    FAILED,
    result_of,
    run_level_values,
    scenario_values,
)
from harness.judge.series_baselines import SeriesRef
from harness.wire import RunSummary, ScenarioResult, Status


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The confirm pass of a run: its stored summary and the scenarios it re-ran."""

    run: RunSummary
    scenarios: frozenset[str]

    def status_of(self, scenario: str) -> Status | None:
        """The scenario's status on the confirm pass, if it was re-run there."""
        if scenario not in self.scenarios:
            return None
        result = result_of(self.run, scenario)
        return result.status if result is not None and result.status in DECIDED else None

    def value_of(
        self, ref: SeriesRef, results: Sequence[ScenarioResult], ignored: Sequence[str]
    ) -> tuple[float | None, bool]:
        """The series' value on the confirm pass, and whether its scenario failed there.

        A run-level series (success rate, cost) is taken on the run's ``results`` with the
        re-run scenarios' results in place of the first ones (``ignored`` as in the judging).
        """
        again = {result.scenario: result for result in self.run.results}
        if ref.scenario is None:
            merged = [
                again.get(r.scenario, r) if r.scenario in self.scenarios else r for r in results
            ]
            return run_level_values(merged, ignored)[ref.metric], False
        result = again.get(ref.scenario)
        if result is None:
            return None, False
        return scenario_values(result).get(ref.metric), result.status in FAILED
