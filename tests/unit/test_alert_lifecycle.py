"""The life of an alert on literal runs: open, de-duplicate, repeat, escalate, resolve, mute."""

from __future__ import annotations

from harness.config import AlertRoutes
from harness.notify.lifecycle import (
    AlertPlan,
    AlertState,
    Notice,
    after_delivery,
    finished,
    plan_alerts,
)
from harness.wire import Channel, NoticeKind, Regression, Severity, series_key
from tests.alerting import TARGET, regression, summary

ROUTES = AlertRoutes()
K = 3


KEY = series_key(TARGET, "cold-start", "cold_start_seconds")


def kinds(plan: AlertPlan) -> list[tuple[NoticeKind, Channel]]:
    return [(notice.kind, notice.channel) for notice in plan.notices]


def deliver_all(
    plan: AlertPlan, before: list[AlertState], failing: frozenset[Channel] = frozenset()
) -> list[AlertState]:
    """Apply every notice as delivered (except on ``failing`` channels) and what a store would
    then hold: the states the run did not touch, plus the changed ones not finished."""
    changed = dict(plan.states)
    for notice in plan.notices:
        key = notice.state.key
        issue = 7 if notice.channel is Channel.GITHUB else None
        changed[key] = after_delivery(changed[key], notice, notice.channel not in failing, issue)
    kept = {state.key: state for state in before}
    kept.update(changed)
    return [state for state in kept.values() if not finished(state)]


def step(
    run_id: str,
    regressions: list[Regression],
    open_states: list[AlertState],
    statuses: dict[str, str] | None = None,
) -> tuple[AlertPlan, list[AlertState]]:
    plan = plan_alerts(summary(run_id, statuses), regressions, open_states, ROUTES, K)
    return plan, deliver_all(plan, open_states)


def test_a_new_high_regression_opens_on_every_routed_channel() -> None:
    plan, states = step("r1", [regression()], [])
    assert kinds(plan) == [
        (NoticeKind.OPEN, Channel.CRITICAL_TOPIC),
        (NoticeKind.OPEN, Channel.SLACK),
        (NoticeKind.OPEN, Channel.GITHUB),
    ]
    (state,) = states
    assert state.key == KEY and state.runs == 1 and state.issue == 7
    assert set(state.notified) == {Channel.CRITICAL_TOPIC, Channel.SLACK, Channel.GITHUB}


def test_medium_goes_to_slack_and_low_only_to_the_metric() -> None:
    plan, states = step(
        "r1", [regression("medium"), regression("low", metric="cost_per_run_usd")], []
    )
    assert kinds(plan) == [(NoticeKind.OPEN, Channel.SLACK)]
    assert {s.metric: s.notified for s in states} == {
        "cold_start_seconds": [Channel.SLACK],
        "cost_per_run_usd": [],
    }


def test_repeats_comment_on_the_one_issue_and_escalate_once_after_k_high_runs() -> None:
    _, states = step("r1", [regression()], [])
    plan2, states = step("r2", [regression()], states)
    assert kinds(plan2) == [(NoticeKind.REPEAT, Channel.GITHUB)]  # no new Slack, no new issue
    assert plan2.ongoing == [KEY]
    plan3, states = step("r3", [regression()], states)
    assert kinds(plan3) == [
        (NoticeKind.REPEAT, Channel.GITHUB),
        (NoticeKind.ESCALATE, Channel.CRITICAL_TOPIC),
    ]
    assert plan3.notices[0].state.issue == 7
    plan4, states = step("r4", [regression()], states)
    assert kinds(plan4) == [(NoticeKind.REPEAT, Channel.GITHUB)]  # escalated already
    assert states[0].runs == 4 and states[0].escalated


def test_escalation_counts_consecutive_high_runs_only() -> None:
    _, states = step("r1", [regression()], [])
    _, states = step("r2", [regression("medium")], states)
    assert states[0].high_streak == 0
    _, states = step("r3", [regression()], states)
    plan, states = step("r4", [regression()], states)
    assert (NoticeKind.ESCALATE, Channel.CRITICAL_TOPIC) not in kinds(plan)
    plan, _ = step("r5", [regression()], states)
    assert (NoticeKind.ESCALATE, Channel.CRITICAL_TOPIC) in kinds(plan)


def test_a_medium_that_becomes_high_opens_on_the_channels_it_had_not_reached() -> None:
    _, states = step("r1", [regression("medium")], [])
    plan, states = step("r2", [regression("high")], states)
    assert kinds(plan) == [
        (NoticeKind.OPEN, Channel.CRITICAL_TOPIC),
        (NoticeKind.OPEN, Channel.GITHUB),
    ]


def test_recovery_resolves_once_on_every_channel_and_forgets_the_series() -> None:
    _, states = step("r1", [regression()], [])
    plan, remaining = step("r2", [], states)
    assert kinds(plan) == [
        (NoticeKind.RESOLVE, Channel.CRITICAL_TOPIC),
        (NoticeKind.RESOLVE, Channel.SLACK),
        (NoticeKind.RESOLVE, Channel.GITHUB),
    ]
    assert plan.notices[-1].state.issue == 7  # the issue to close
    assert remaining == []
    again, _ = step("r3", [], remaining)
    assert again.notices == []  # one resolve, not one per healthy run


def test_no_resolve_while_the_series_was_not_measured() -> None:
    _, states = step("r1", [regression()], [])
    skipped, kept = step("r2", [], states, statuses={"alb-routing": "pass"})
    assert skipped.notices == [] and kept == states
    errored, kept = step("r3", [], states, statuses={"cold-start": "error"})
    assert errored.notices == [] and kept == states


def test_an_undelivered_message_is_sent_again_next_run() -> None:
    plan = plan_alerts(summary("r1"), [regression()], [], ROUTES, K)
    states = deliver_all(plan, [], failing=frozenset({Channel.SLACK}))
    assert Channel.SLACK not in states[0].notified
    plan2 = plan_alerts(summary("r2"), [regression()], states, ROUTES, K)
    assert (NoticeKind.OPEN, Channel.SLACK) in kinds(plan2)


def test_a_resolve_that_failed_is_retried_even_if_the_scenario_does_not_run() -> None:
    _, states = step("r1", [regression("medium")], [])
    plan = plan_alerts(summary("r2"), [], states, ROUTES, K)
    states = deliver_all(plan, states, failing=frozenset({Channel.SLACK}))
    assert states[0].resolving and states[0].notified == [Channel.SLACK]
    retry = plan_alerts(summary("r3", statuses={}), [], states, ROUTES, K)
    assert kinds(retry) == [(NoticeKind.RESOLVE, Channel.SLACK)]
    assert retry.notices[0].state.resolved_run == "r2"


def test_muted_regressions_are_listed_and_change_nothing() -> None:
    _, states = step("r1", [regression()], [])
    plan, kept = step(
        "r2",
        [
            regression(suppressed_by="ack-12"),
            regression("medium", metric="session_seconds", confirmed=False),
        ],
        states,
    )
    assert plan.notices == [] and kept == states  # neither repeated nor resolved
    assert [(m.key, m.reason) for m in plan.muted] == [
        (KEY, "suppressed by ack-12"),
        (series_key(TARGET, "cold-start", "session_seconds"), "not reproduced by the confirm pass"),
    ]
    confirmed, _ = step("r3", [regression(confirmed=True)], [])
    assert len(confirmed.notices) == 3


def test_other_targets_alerts_are_left_alone() -> None:
    _, states = step("r1", [regression()], [])
    plan = plan_alerts(summary("r2", target="other"), [], states, ROUTES, K)
    assert plan.notices == [] and plan.states == {}


def test_a_regression_without_a_key_gets_its_series_key() -> None:
    bare = Regression(
        metric="success_rate",
        current=0.5,
        baseline=1.0,
        change_ratio=0.5,
        severity=Severity.HIGH,
        message="success rate fell",
    )
    plan = plan_alerts(summary("r1"), [bare], [], ROUTES, K)
    assert {n.state.key for n in plan.notices} == {series_key(TARGET, None, "success_rate")}


def test_routes_come_from_config() -> None:
    routes = AlertRoutes(high=[Channel.GITHUB], medium=[Channel.STANDARD_TOPIC, Channel.SLACK])
    plan = plan_alerts(
        summary("r1"), [regression(), regression("medium", metric="m")], [], routes, K
    )
    assert kinds(plan) == [
        (NoticeKind.OPEN, Channel.GITHUB),
        (NoticeKind.OPEN, Channel.STANDARD_TOPIC),
        (NoticeKind.OPEN, Channel.SLACK),
    ]
    assert isinstance(plan.notices[0], Notice)
