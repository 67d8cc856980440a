"""Judging a run against its baselines, on literal series: every rule, the guard, confirmation,
creep, pinned baselines, the ledger, and the verdict."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from harness.config import RegressionConfig
from harness.judge.confirmation import Confirmation
from harness.judge.ledger import new_entry
from harness.judge.regression import Evidence, detect_regressions
from harness.judge.series_baselines import pin_baselines
from harness.wire import Regression, RegressionReport, RunSummary, Severity, Status, Verdict
from tests.unit.runs import T0, cold, run

QUIET = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.00, 1.02, 0.98, 1.01, 0.99]
NOISY = [1.00, 1.30, 0.80, 1.10, 0.90, 1.25, 0.85, 1.15, 0.95, 1.05, 1.20, 0.90]
CONFIG = RegressionConfig()
NOW = T0 + timedelta(days=30)
PASS, FAIL = Status.PASS, Status.FAIL


def history(values: Sequence[float]) -> list[RunSummary]:
    return [cold(i, value) for i, value in enumerate(values)]


def judge_run(
    current: RunSummary,
    past: Sequence[RunSummary],
    config: RegressionConfig = CONFIG,
    **evidence: object,
) -> RegressionReport:
    found = Evidence(
        history=list(reversed(past)),  # as recent_runs gives them: newest first
        pinned=evidence.get("pinned", {}),  # type: ignore[arg-type]
        known=evidence.get("known", []),  # type: ignore[arg-type]
        now=NOW,
    )
    return detect_regressions(current, found, config)


def by_metric(report: RegressionReport) -> dict[str, Regression]:
    return {r.metric: r for r in report.regressions}


def test_no_history_judges_nothing_but_says_so() -> None:
    report = judge_run(cold(0, 1.0), [])
    assert report.regressions == [] and report.baseline_run_id is None
    assert "web/cold-start/cold_start_seconds" in report.not_judged
    assert report.verdict is Verdict.PASSED


def test_cold_start_beyond_the_rule_and_the_noise_is_a_suspect_sent_to_confirmation() -> None:
    report = judge_run(cold(20, 2.0), history(QUIET))
    (regression,) = report.regressions
    assert regression.key == "web/cold-start/cold_start_seconds"
    assert regression.severity is Severity.MEDIUM and regression.unit == "seconds"
    assert regression.baseline == 1.0 and regression.change_ratio == 2.0
    assert regression.confirmed is None and "re-running to confirm" in regression.evidence
    assert "robust z" in regression.evidence
    assert report.awaiting_confirmation and report.confirm_scenarios == ["cold-start"]
    assert report.baseline_run_id == "r011"


def confirm(current: RunSummary, past: Sequence[RunSummary], again: RunSummary) -> RegressionReport:
    found = Evidence(history=list(past), pinned={}, known=[], now=NOW)
    first = detect_regressions(current, found, CONFIG)
    return detect_regressions(
        current, found, CONFIG, Confirmation(again, frozenset(first.confirm_scenarios))
    )


def test_a_regression_that_reproduces_is_confirmed_and_one_that_does_not_is_not() -> None:
    current = cold(20, 2.0)
    slow_again = cold(21, 2.1, run_id="r020-confirm", suite="confirm")
    report = confirm(current, history(QUIET), slow_again)
    (regression,) = report.regressions
    assert regression.confirmed is True and regression.stands
    assert regression.confirm_value == 2.1 and "over 2 samples" in regression.evidence
    assert not report.awaiting_confirmation and report.confirm_run_id == "r020-confirm"

    fast_again = cold(21, 1.0, run_id="r020-confirm", suite="confirm")
    report = confirm(current, history(QUIET), fast_again)
    (regression,) = report.regressions
    assert regression.confirmed is False and not regression.stands
    assert "not reproduced" in regression.evidence


def test_the_guard_lets_noise_through_and_catches_the_same_step_on_a_quiet_series() -> None:
    assert judge_run(cold(20, 1.3), history(NOISY)).regressions == []
    assert by_metric(judge_run(cold(20, 1.3), history(QUIET)))["cold_start_seconds"]


def test_jitter_below_the_floor_is_not_a_regression() -> None:
    tiny = [0.10 + 0.001 * (i % 3) for i in range(12)]
    assert judge_run(cold(20, 0.30), history(tiny)).regressions == []


def test_too_few_baseline_runs_are_not_judged() -> None:
    report = judge_run(cold(20, 5.0), history(QUIET[:9]))
    assert report.regressions == []
    assert "web/cold-start/cold_start_seconds" in report.not_judged
    small = RegressionConfig(window=5, min_samples=3)
    assert judge_run(cold(20, 5.0), history(QUIET[:3]), small).regressions


def full(index: int, failing: str | None = None, **kwargs: object) -> RunSummary:
    names = ("cold-start", "alb-routing", "session-persistence", "concurrent-sessions", "x")
    return run(index, {n: (FAIL if n == failing else PASS, {}) for n in names}, **kwargs)  # type: ignore[arg-type]


def test_a_failing_scenario_is_a_high_status_and_success_rate_regression() -> None:
    past = [full(i) for i in range(12)]
    report = judge_run(full(20, failing="alb-routing"), past)
    found = by_metric(report)
    assert set(found) == {"status", "success_rate"}
    status, rate = found["status"], found["success_rate"]
    assert status.severity is rate.severity is Severity.HIGH
    assert status.key == "web/alb-routing/status"
    assert rate.key == "web/-/success_rate" and rate.current == 0.8
    assert report.confirm_scenarios == ["alb-routing"]
    assert report.verdict is Verdict.FAILED and report.still_failing == ["alb-routing"]


def test_success_rate_is_confirmed_on_the_run_with_the_rerun_results() -> None:
    past = [full(i) for i in range(12)]
    current = full(20, failing="alb-routing")
    passes = run(21, {"alb-routing": (PASS, {})}, run_id="r020-confirm", suite="confirm")
    found = by_metric(confirm(current, past, passes))
    assert found["status"].confirmed is False
    assert found["success_rate"].confirmed is False
    assert found["success_rate"].confirm_value == 1.0
    fails = run(21, {"alb-routing": (FAIL, {})}, run_id="r020-confirm", suite="confirm")
    found = by_metric(confirm(current, past, fails))
    assert found["status"].confirmed is True
    assert found["success_rate"].confirmed is True


def test_a_second_failing_run_still_reports_the_regression() -> None:
    past = [full(i) for i in range(12)] + [full(12, failing="alb-routing")]
    report = judge_run(full(13, failing="alb-routing"), past)
    status = by_metric(report)["status"]
    assert "passed 12/12 baseline runs" in status.message
    assert "failing since run r012 (2 runs)" in status.message


def test_a_scenario_that_already_failed_in_the_baseline_is_not_a_status_regression() -> None:
    past = [full(i, failing="x" if i in (3, 7) else None) for i in range(12)]
    report = judge_run(full(20, failing="x"), past)
    assert "status" not in by_metric(report)
    assert report.still_failing == ["x"] and report.verdict is Verdict.FAILED


def test_cost_per_run_is_low_and_never_re_run() -> None:
    past = [full(i, cost=0.0010 + 0.00001 * (i % 3)) for i in range(12)]
    report = judge_run(full(20, cost=0.0020), past)
    cost = by_metric(report)["cost_per_run_usd"]
    assert cost.severity is Severity.LOW and cost.confirmed is None
    assert cost.stands and not report.awaiting_confirmation
    assert report.verdict is Verdict.PASSED  # low does not gate at the default gate (high)
    gated = judge_run(full(20, cost=0.0020), past, RegressionConfig(gate_severity="low"))
    assert gated.verdict is Verdict.FAILED and "cost_per_run_usd" in gated.verdict_reason


def test_run_level_baselines_come_from_the_same_suite() -> None:
    smoke = [full(i, suite="smoke", cost=0.0001) for i in range(12)]
    report = judge_run(full(20, cost=0.0020), smoke)
    assert "cost_per_run_usd" not in by_metric(report)
    assert "web/-/cost_per_run_usd" in report.not_judged


def test_runs_against_another_target_are_never_compared() -> None:
    other = [cold(i, v, target="other") for i, v in enumerate(QUIET)]
    report = judge_run(cold(20, 5.0), other)
    assert report.regressions == [] and report.baseline_run_id is None
    assert "web/cold-start/cold_start_seconds" in report.not_judged


def test_slow_creep_is_found_by_its_change_point() -> None:
    creeping = [1.0 + 0.01 * (i % 3) for i in range(20)] + [1.3 + 0.01 * (i % 3) for i in range(20)]
    past = history(creeping)
    report = judge_run(cold(40, 1.31), past)  # the rolling median has moved: no step now
    (regression,) = report.regressions
    assert "creep" in regression.evidence and regression.confirmed is None
    assert "since run r020" in regression.message


def test_a_pinned_baseline_replaces_the_rolling_one() -> None:
    past = [cold(i, v) for i, v in enumerate(QUIET + [1.5 + 0.01 * (i % 3) for i in range(12)])]
    at_release = past[11]
    pinned = pin_baselines(at_release, past[:11], CONFIG, NOW)
    by_key = {p.key: p for p in pinned}
    assert by_key["web/cold-start/cold_start_seconds"].samples == QUIET[-CONFIG.window :]
    assert by_key["web/cold-start/cold_start_seconds"].pinned_from == "r011"
    rolling = by_metric(judge_run(cold(30, 1.5), past))["cold_start_seconds"]
    assert "creep" in rolling.evidence  # the window moved on
    against_release = judge_run(cold(30, 1.5), past, pinned=by_key)
    regression = by_metric(against_release)["cold_start_seconds"]
    assert "pinned" in regression.evidence
    assert "3 series pinned" in against_release.baseline  # cold start, success rate, cost
    only = pin_baselines(at_release, past[:11], CONFIG, NOW, scenario="cold-start")
    assert [p.key for p in only] == ["web/cold-start/cold_start_seconds"]


def test_an_acknowledged_regression_is_shown_but_does_not_gate_until_it_expires() -> None:
    past = [full(i) for i in range(12)]
    ack = new_entry("ack", "web/alb-routing/*", "known bug", "alice", "7d", NOW - timedelta(days=1))
    report = judge_run(full(20, failing="alb-routing"), past, known=[ack])
    status = by_metric(report)["status"]
    assert status.suppressed_by == ack.id and not status.stands
    assert "alb-routing" not in report.confirm_scenarios  # muted: nothing to confirm
    expired = ack.model_copy(update={"expires_at": NOW - timedelta(seconds=1)})
    report = judge_run(full(20, failing="alb-routing"), past, known=[expired])
    assert by_metric(report)["status"].suppressed_by is None


def test_a_quarantined_scenario_runs_and_is_reported_but_does_not_gate() -> None:
    past = [full(i) for i in range(12)]
    quarantine = new_entry(
        "quarantine", "web/alb-routing/*", "flaky router", "bob", "2w", NOW - timedelta(hours=1)
    )
    report = judge_run(full(20, failing="alb-routing"), past, known=[quarantine])
    assert report.quarantined == {"alb-routing": quarantine.id}
    assert report.still_failing == ["alb-routing"]
    assert by_metric(report)["status"].suppressed_by == quarantine.id
    assert "success_rate" not in by_metric(report)  # judged without the quarantined scenario
    assert report.verdict is Verdict.PASSED and "1 quarantined did not" in report.verdict_reason
    later = Evidence(history=past, pinned={}, known=[quarantine], now=NOW + timedelta(weeks=3))
    expired = detect_regressions(full(20, failing="alb-routing"), later, CONFIG)
    assert expired.quarantined == {} and expired.verdict is Verdict.FAILED


def test_a_failed_teardown_fails_the_verdict_even_with_every_scenario_passed() -> None:
    past = [full(i) for i in range(12)]
    current = full(20).model_copy(update={"teardown_errors": ["group 'routing' teardown failed"]})
    report = judge_run(current, past)
    assert report.verdict is Verdict.FAILED
    assert "group 'routing' teardown failed" in report.verdict_reason


def test_a_confirmed_high_regression_fails_the_verdict_at_the_gate_severity() -> None:
    current = cold(20, 2.0)
    again = cold(21, 2.2, run_id="r020-confirm", suite="confirm")
    medium = confirm(current, history(QUIET), again)
    assert medium.verdict is Verdict.PASSED  # medium < gate severity high
    found = Evidence(history=history(QUIET), pinned={}, known=[], now=NOW)
    strict = RegressionConfig(gate_severity="medium")
    first = detect_regressions(current, found, strict)
    final = detect_regressions(
        current, found, strict, Confirmation(again, frozenset(["cold-start"]))
    )
    assert first.awaiting_confirmation and final.verdict is Verdict.FAILED
    assert "web/cold-start/cold_start_seconds (medium)" in final.verdict_reason


def test_without_a_confirm_pass_a_regression_stands_on_one_run() -> None:
    report = judge_run(cold(20, 2.0), history(QUIET), RegressionConfig(confirm=False))
    (regression,) = report.regressions
    assert regression.confirmed is None and regression.stands
    assert not report.awaiting_confirmation
