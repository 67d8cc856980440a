"""Flaky scenarios (flip rate, pass on retry) and the known-issues ledger (matching, expiry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from harness.judge.flaky import flaky_scenarios
from harness.judge.ledger import (
    new_entry,
    parse_expiry,
    quarantines,
    suppressor,
)
from harness.wire import KnownIssue, RunSummary, Status
from tests.unit.runs import run

PASS, FAIL = Status.PASS, Status.FAIL
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def outcomes(
    *statuses: Status, commits: list[str] | None = None, attempts: int = 1
) -> list[RunSummary]:
    return [
        run(
            i,
            {"s": (status, {}, attempts)},
            commit=commits[i] if commits else None,
        )
        for i, status in enumerate(statuses)
    ]


def test_a_scenario_that_flips_with_no_change_is_flaky_with_its_flip_rate() -> None:
    (flaky,) = flaky_scenarios(
        outcomes(PASS, FAIL, PASS, PASS, FAIL), ["s"], window=30, min_flips=2
    )
    assert (flaky.scenario, flaky.runs, flaky.flips, flaky.flip_rate) == ("s", 5, 3, 0.75)


def test_one_flip_is_a_change_of_state_not_flakiness() -> None:
    assert flaky_scenarios(outcomes(PASS, PASS, FAIL, FAIL), ["s"], window=30, min_flips=2) == []


def test_flips_across_commits_are_changes_not_flakes() -> None:
    runs = outcomes(PASS, FAIL, PASS, FAIL, commits=["a", "b", "c", "d"])
    assert flaky_scenarios(runs, ["s"], window=30, min_flips=2) == []


def test_only_the_window_counts() -> None:
    runs = outcomes(PASS, FAIL, PASS, FAIL, PASS, PASS, PASS, PASS)
    assert flaky_scenarios(runs, ["s"], window=4, min_flips=2) == []
    assert flaky_scenarios(runs, ["s"], window=8, min_flips=2)[0].flips == 4


def test_passing_only_on_a_retry_is_flaky() -> None:
    (flaky,) = flaky_scenarios(outcomes(PASS, PASS, attempts=2), ["s"], window=30, min_flips=2)
    assert flaky.passed_on_retry == 2 and flaky.flips == 0


def test_expiry_takes_durations_and_dates_in_the_future_only() -> None:
    assert parse_expiry("7d", NOW) == NOW + timedelta(days=7)
    assert parse_expiry("12h", NOW) == NOW + timedelta(hours=12)
    assert parse_expiry("2026-12-31", NOW) == datetime(2026, 12, 31, tzinfo=UTC)
    for bad, message in (
        ("soon", "duration"),
        ("2026-01-01", "not in the future"),
        ("60w", "more than a year"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_expiry(bad, NOW)


def test_entries_need_a_series_pattern_a_reason_and_an_owner() -> None:
    with pytest.raises(ValidationError, match="<target>/<scenario>/<metric>"):
        new_entry("ack", "cold-start", "why", "me", "1d", NOW)
    with pytest.raises(ValidationError, match="reason"):
        new_entry("ack", "a/b/c", "", "me", "1d", NOW)
    entry = new_entry("ack", "ref/cold-start/*", "why", "me", "1d", NOW)
    assert entry.id.startswith("ack-") and KnownIssue.model_validate(entry.to_wire()) == entry


def test_active_entries_suppress_and_expired_ones_do_not() -> None:
    ack = new_entry("ack", "ref/cold-start/cold_*", "slow image", "al", "1d", NOW)
    assert suppressor([ack], "ref/cold-start/cold_start_seconds", NOW) == ack.id
    assert suppressor([ack], "ref/cold-start/status", NOW) is None
    assert suppressor([ack], "other/cold-start/cold_start_seconds", NOW) is None
    assert suppressor([ack], "ref/cold-start/cold_start_seconds", NOW + timedelta(days=2)) is None


def test_a_quarantine_covers_every_series_of_its_scenario_and_wins_over_an_ack() -> None:
    ack = new_entry("ack", "ref/*/*", "everything", "al", "1d", NOW)
    quarantine = new_entry("quarantine", "*/alb-routing/*", "flaky", "bo", "1d", NOW)
    assert quarantines([ack, quarantine], "ref", ["alb-routing", "cold-start"], NOW) == {
        "alb-routing": quarantine.id
    }
    assert suppressor([ack, quarantine], "ref/alb-routing/status", NOW) == quarantine.id
    later = NOW + timedelta(days=1)
    assert quarantines([quarantine], "ref", ["alb-routing"], later) == {}
