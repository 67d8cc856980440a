"""Flaky scenarios: pass and fail with nothing changed in between, or pass only on a retry.

Over a scenario's last ``window`` decided runs (confirm passes included: a failure that a
re-run does not reproduce is the plainest flake), a *flip* is a pass/fail change between two
consecutive runs of the same commit (runs without a commit count as the same: a local run
has no change to blame). The flip rate is flips / (runs - 1). A scenario is flaky when it
passed on a retry in the window, or flipped at least ``min_flips`` times: one flip is a
change of state (it broke, or it was fixed), two are a pattern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from harness.judge.series import DECIDED, oldest_first, result_of
from harness.wire import FlakyScenario, RunSummary, Status


def flaky_scenarios(
    runs: Sequence[RunSummary],
    scenarios: Sequence[str],
    *,
    window: int,
    min_flips: int,
    quarantined: Mapping[str, str] | None = None,
) -> list[FlakyScenario]:
    """The flaky ones among ``scenarios``, judged on ``runs`` (any order; include the run
    being judged and its confirm pass)."""
    ordered = oldest_first(runs)
    found = []
    for scenario in scenarios:
        record = [
            (run.commit, result.status is Status.PASS, result.attempts > 1)
            for run in ordered
            if (result := result_of(run, scenario)) is not None and result.status in DECIDED
        ][-window:]
        if len(record) < 2:
            continue
        flips = sum(
            1
            for (commit, passed, _), (next_commit, next_passed, _) in pairwise(record)
            if commit == next_commit and passed != next_passed
        )
        retried = sum(1 for _, passed, retry in record if passed and retry)
        if flips >= min_flips or retried:
            found.append(
                FlakyScenario(
                    scenario=scenario,
                    runs=len(record),
                    flips=flips,
                    flip_rate=round(flips / (len(record) - 1), 4),
                    passed_on_retry=retried,
                    quarantined_by=(quarantined or {}).get(scenario),
                )
            )
    return found
