"""Pure parts of the scenarios: percentiles, the session-item rules, create outcomes, and the
catalogue's metadata (groups and tags come from the brief)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from harness.errors import ScenarioDefinitionError
from harness.judge.stats import percentile
from harness.scenarios.catalogue import BUILT_IN_SCENARIOS
from harness.scenarios.concurrent_sessions import peers_of
from harness.scenarios.runner import merge_checks
from harness.scenarios.session_persistence import session_item_problems
from harness.scenarios.steps import CreateAttempt, Probe, Session
from harness.target.http import Response
from harness.wire import Check, ServiceState, TargetResource

NOW = 1_700_000_000.0
SESSION = Session("s-1", "TEST_r1_session-persistence_1", "r1-user-1", 0.1)
GOOD_ITEM = {
    "sessionId": "s-1",
    "clientId": SESSION.client_id,
    "userId": SESSION.user_id,
    "status": "active",
    "createdAt": "2023-11-14T22:13:20+00:00",
    "ttl": int(NOW) + 3600,
}


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 95, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 50, 2.5),
        ([float(n) for n in range(1, 11)], 95, 9.55),
    ],
)
def test_percentile_interpolates_linearly(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 100.5)])
def test_percentile_rejects_what_has_no_answer(values: list[float], q: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile(values, q)


def test_a_complete_session_item_has_no_problems() -> None:
    assert session_item_problems(GOOD_ITEM, SESSION, NOW) == []
    assert (
        session_item_problems({**GOOD_ITEM, "createdAt": "2023-11-14T22:13:20Z"}, SESSION, NOW)
        == []
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"userId": None}, "userId is None"),
        ({"clientId": "someone-else"}, "clientId is 'someone-else'"),
        ({"status": ""}, "status missing"),
        ({"createdAt": "yesterday"}, "createdAt 'yesterday' is not ISO-8601"),
        ({"ttl": None}, "ttl None is not epoch seconds"),
        ({"ttl": "1700003600"}, "is not epoch seconds"),
        ({"ttl": True}, "is not epoch seconds"),
        ({"ttl": int(NOW) - 1}, "is not in the future"),
    ],
)
def test_session_item_problems_name_the_attribute(change: dict[str, object], problem: str) -> None:
    problems = session_item_problems({**GOOD_ITEM, **change}, SESSION, NOW)

    assert len(problems) == 1
    assert problem in problems[0]


def _attempt(outcome: Probe) -> CreateAttempt:
    return CreateAttempt("c", "u", outcome, 0.2)


def _response(status: int, body: object) -> Response:
    return Response(status=status, headers={}, body=json.dumps(body).encode(), elapsed_seconds=0.1)


def test_a_create_attempt_needs_a_201_with_a_session_id() -> None:
    created = _attempt(Probe(response=_response(201, {"sessionId": "s-9"})))
    assert created.problem() is None
    assert created.session().session_id == "s-9"

    assert _attempt(Probe(response=_response(201, {}))).problem() == "u: 201 without a sessionId"
    assert _attempt(Probe(response=_response(500, {"error": "x"}))).problem() == "u: answered 500"
    assert "no answer (timed out)" in str(_attempt(Probe(error="timed out")).problem())


def test_the_built_in_catalogue_holds_the_briefs_scenarios() -> None:
    groups = {definition.name: definition.group for definition in BUILT_IN_SCENARIOS}
    smoke = {definition.name for definition in BUILT_IN_SCENARIOS if "smoke" in definition.tags}
    brief = {
        "cold-start": "lifecycle",
        "session-persistence": "lifecycle",
        "concurrent-sessions": "load",
        "alb-routing": "routing",
        "failure-recovery": "routing",
        "routing-at-zero": "routing",
    }

    assert {name: groups.get(name) for name in brief} == brief
    assert {"cold-start", "alb-routing", "routing-at-zero"} <= smoke
    assert all("full" in definition.tags for definition in BUILT_IN_SCENARIOS)
    assert all(definition.metrics and definition.checks for definition in BUILT_IN_SCENARIOS)


def test_every_scenario_declares_what_it_does_to_the_target() -> None:
    built_in = {definition.name: definition for definition in BUILT_IN_SCENARIOS}
    disruptive = {name for name, d in built_in.items() if d.disrupts}
    assert disruptive == {
        "cold-start",
        "session-persistence",
        "failure-recovery",
        "routing-at-zero",
    }
    for definition in built_in.values():
        assert definition.uses, definition.name  # every scenario talks to the target
        assert not definition.disrupts & definition.uses, definition.name
    assert built_in["cold-start"].needs is ServiceState.COLD
    # alb-routing no longer scales to zero itself: that check is routing-at-zero's
    assert "scaled-to-zero" not in built_in["alb-routing"].checks
    assert "scaled-to-zero" in built_in["routing-at-zero"].checks
    assert built_in["concurrent-sessions"].fan_out is not None


def test_a_scenario_that_needs_a_cold_service_must_declare_it_disrupts_it() -> None:
    cold = next(d for d in BUILT_IN_SCENARIOS if d.name == "cold-start")
    with pytest.raises(ScenarioDefinitionError, match="declare disrupts"):
        replace(cold, disrupts=frozenset())
    undeclared = replace(cold, needs=ServiceState.ANY, leaves=ServiceState.ANY)
    undeclared = replace(undeclared, disrupts=frozenset(TargetResource))
    assert undeclared.disrupts == frozenset(TargetResource)  # the default: alone


def test_each_user_probes_the_next_users_up_to_the_limit() -> None:
    assert peers_of(1, 1) == []
    assert peers_of(2, 3) == [3, 1]
    assert sorted(peers_of(4, 10)) == [1, 2, 3, 5, 6, 7, 8, 9, 10]
    assert peers_of(50, 50) == list(range(1, 10))


def test_batches_merge_checks_a_check_fails_if_any_batch_failed_it() -> None:
    merged = merge_checks(
        [
            [Check(name="created", passed=True), Check(name="isolated", passed=True)],
            [Check(name="created", passed=False, detail="user 7: answered 500")],
        ]
    )
    assert [(c.name, c.passed) for c in merged] == [("created", False), ("isolated", True)]
    assert merged[0].detail == "user 7: answered 500 (in 1 of 2 batches)"
