import json
from datetime import timedelta

from harness.judge.collect import collect_results
from harness.judge.summary import summarize, verdict_reason
from harness.wire import GroupOutcome, ScenarioResult, ScenarioSpec, Status, Verdict
from tests.fakes import RUN

STARTED = RUN.started_at


def spec(name: str, group: str) -> ScenarioSpec:
    return ScenarioSpec(name=name, group=group, tags=["full"], timeout_seconds=60)


PLANNED = [spec("a", "g1"), spec("b", "g1"), spec("c", "g2"), spec("d", "g3")]


def passed(name: str, group: str, cold: float) -> dict[str, object]:
    return ScenarioResult.model_validate(
        {
            "scenario": name,
            "group": group,
            "status": "pass",
            "durationSeconds": 1.5,
            "metrics": [{"name": "cold_start_seconds", "value": cold, "unit": "seconds"}],
        }
    ).to_wire()


def test_every_planned_scenario_gets_exactly_one_result() -> None:
    lambda_cause = json.dumps({"errorType": "KeyError", "errorMessage": "'sessionId'"})
    outcomes = [
        GroupOutcome.model_validate(
            {
                "group": {"name": "g1"},
                "results": [
                    passed("a", "g1", 2.0),
                    {
                        "scenario": spec("b", "g1").to_wire(),
                        "caught": {"Error": "KeyError", "Cause": lambda_cause},
                    },
                ],
            }
        ),
        GroupOutcome.model_validate(
            {
                "group": {"name": "g2"},
                "setupError": {"Error": "TargetUnavailableError", "Cause": "down"},
            }
        ),
        # g3 never reported at all
    ]
    results = collect_results(PLANNED, outcomes)
    assert [r.scenario for r in results] == ["a", "b", "c", "d"]
    assert [r.status for r in results] == [Status.PASS, Status.ERROR, Status.ERROR, Status.ERROR]
    assert results[1].error is not None and results[1].error.type == "KeyError"
    assert results[1].error.message == "'sessionId'"
    assert results[2].reason.startswith("TargetUnavailableError: group 'g2' setup failed: down")
    assert results[3].error is not None and results[3].error.type == "MissingResult"


def test_summary_counts_rates_and_percentiles() -> None:
    results = [
        ScenarioResult.model_validate(passed("a", "g1", 1.0)),
        ScenarioResult.model_validate(passed("b", "g1", 3.0)),
        ScenarioResult(scenario="c", group="g2", status=Status.FAIL, duration_seconds=2),
        ScenarioResult(scenario="d", group="g3", status=Status.SKIPPED),
    ]
    summary = summarize(RUN, results, STARTED + timedelta(seconds=12), estimated_cost_usd=0.0123)
    assert summary.verdict is Verdict.FAILED
    assert summary.counts[Status.PASS] == 2 and summary.counts[Status.SKIPPED] == 1
    assert summary.success_rate == round(2 / 3, 4)
    assert summary.duration_seconds == 12
    (cold,) = summary.metrics
    assert (cold.count, cold.p50, cold.max) == (2, 2.0, 3.0)
    assert summary.estimated_cost_usd == 0.0123
    assert verdict_reason(summary).startswith("1 of 4 scenario(s) did not pass: c (fail")


def test_all_passing_is_a_pass() -> None:
    summary = summarize(RUN, [ScenarioResult.model_validate(passed("a", "g1", 1))], STARTED)
    assert summary.verdict is Verdict.PASSED
    assert verdict_reason(summary) == "all 1 scenario(s) passed"


def test_a_failed_teardown_fails_a_run_whose_scenarios_all_passed() -> None:
    from harness.judge.collect import teardown_failures

    cause = json.dumps({"errorType": "ClientError", "errorMessage": "UpdateService denied"})
    outcomes = [
        GroupOutcome.model_validate(
            {
                "group": {"name": "g1"},
                "results": [passed("a", "g1", 1.0)],
                "teardownError": {"Error": "ClientError", "Cause": cause},
            }
        )
    ]
    planned = [spec("a", "g1")]
    summary = summarize(
        RUN,
        collect_results(planned, outcomes),
        STARTED + timedelta(seconds=5),
        teardown_errors=teardown_failures(outcomes),
    )
    assert summary.counts[Status.PASS] == 1
    assert summary.verdict is Verdict.FAILED
    assert verdict_reason(summary) == (
        "all 1 scenario(s) passed, but group 'g1' teardown failed: "
        "ClientError: UpdateService denied"
    )


def test_a_garbled_result_is_an_error_of_its_scenario_not_a_failed_aggregate() -> None:
    outcomes = [
        GroupOutcome.model_validate(
            {
                "group": {"name": "g1"},
                "results": [
                    {"scenario": "a", "status": "splendid"},  # garbage with a name
                    [1, 2, 3],  # garbage without one
                ],
            }
        )
    ]
    results = collect_results([spec("a", "g1"), spec("b", "g1")], outcomes)
    assert [(r.scenario, r.status) for r in results] == [("a", Status.ERROR), ("b", Status.ERROR)]
    assert results[0].error is not None and results[0].error.type == "InvalidResult"
    assert results[1].error is not None and results[1].error.type == "MissingResult"
