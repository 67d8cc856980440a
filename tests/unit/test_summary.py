import json
from datetime import timedelta

from harness.judge.collect import collect_results
from harness.judge.rules import gate
from harness.judge.summary import SUMMARY_STATE_BYTES, for_state, summarize, verdict_reason
from harness.wire import (
    Check,
    GroupOutcome,
    NotRun,
    ScenarioOutcome,
    ScenarioResult,
    ScenarioSpec,
    Severity,
    Status,
    Verdict,
)
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


def outcome(result: dict[str, object]) -> dict[str, object]:
    """What RunScenario returns for a result it stored."""
    return ScenarioOutcome.of(ScenarioResult.model_validate(result)).to_wire()


def test_every_planned_scenario_gets_exactly_one_result() -> None:
    lambda_cause = json.dumps({"errorType": "KeyError", "errorMessage": "'sessionId'"})
    stored = {"a": ScenarioResult.model_validate(passed("a", "g1", 2.0))}
    outcomes = [
        GroupOutcome.model_validate(
            {
                "group": {"name": "g1"},
                "results": [
                    outcome(passed("a", "g1", 2.0)),
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
    results = collect_results(PLANNED, outcomes, stored)
    assert [r.scenario for r in results] == ["a", "b", "c", "d"]
    assert results[0].metrics == stored["a"].metrics  # the whole result, by reference
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


def test_a_failed_restore_fails_a_run_whose_scenarios_all_passed() -> None:
    problem = "group 'g1' teardown failed: ClientError: UpdateService denied"
    results = [ScenarioResult.model_validate(passed("a", "g1", 1.0))]
    summary = summarize(RUN, results, STARTED + timedelta(seconds=5), teardown_errors=[problem])
    assert summary.counts[Status.PASS] == 1
    assert summary.verdict is Verdict.FAILED
    assert summary.teardown_errors == [problem]
    assert verdict_reason(summary) == f"all 1 scenario(s) passed, but {problem}"


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
    results = collect_results([spec("a", "g1"), spec("b", "g1")], outcomes, {})
    assert [(r.scenario, r.status) for r in results] == [("a", Status.ERROR), ("b", Status.ERROR)]
    assert results[0].error is not None and results[0].error.type == "InvalidResult"
    assert results[1].error is not None and results[1].error.type == "MissingResult"


def test_cached_and_skipped_scenarios_are_recorded_with_their_reasons() -> None:
    reused = ScenarioResult.model_validate(passed("b", "g1", 1.0)).model_copy(
        update={"status": Status.CACHED, "cached_from": "r0"}
    )
    results = collect_results(
        [spec("a", "g1")],
        [
            GroupOutcome.model_validate(
                {"group": {"name": "g1"}, "results": [outcome(passed("a", "g1", 2))]}
            )
        ],
        {"a": ScenarioResult.model_validate(passed("a", "g1", 2.0)), "b": reused},
        cached=[NotRun(name="b", group="g1", cached_from="r0")],
        skipped=[NotRun(name="c", group="g2")],
        reasons={
            "a": "changed: x.ts",
            "b": "cached from run r0",
            "c": "none of the 1 changed file(s) maps to it",
        },
    )
    assert [(r.scenario, r.status) for r in results] == [
        ("a", Status.PASS),
        ("b", Status.CACHED),
        ("c", Status.SKIPPED),
    ]
    assert results[0].selection == "changed: x.ts"
    assert results[1].cached_from == "r0"
    assert results[2].selection == "none of the 1 changed file(s) maps to it"
    summary = summarize(RUN, results, STARTED)
    assert summary.verdict is Verdict.PASSED and summary.success_rate == 1.0
    (cold,) = summary.metrics
    assert cold.count == 1  # a cached pass adds no sample: its numbers are its own run's
    assert verdict_reason(summary) == "all 2 scenario(s) passed (1 cached); 1 skipped by selection"
    # The gate's verdict (the run's last word) counts them the same way.
    verdict, why = gate(summary, [], {}, Severity.HIGH)
    assert verdict is Verdict.PASSED
    assert why.startswith("all 2 scenario(s) passed (1 cached); 1 skipped by selection; no")


def test_a_result_lost_from_the_store_is_an_error_not_a_pass() -> None:
    results = collect_results(
        [spec("a", "g1")],
        [
            GroupOutcome.model_validate(
                {"group": {"name": "g1"}, "results": [outcome(passed("a", "g1", 2))]}
            )
        ],
        {"a": "could not be read: disk full"},
    )
    assert results[0].status is Status.ERROR and results[0].error is not None
    assert results[0].error.type == "ResultLost"
    assert "disk full" in results[0].reason and "pass" in results[0].reason


def test_a_large_summary_is_abridged_for_the_state_but_keeps_every_failure() -> None:
    many = [
        ScenarioResult.model_validate(passed(f"s{n}", "g", 1.0)).model_copy(
            update={
                "checks": [Check(name=f"check-{k}", passed=True, detail="x" * 80) for k in range(8)]
            }
        )
        for n in range(400)
    ]
    failing = ScenarioResult(
        scenario="broken",
        group="g",
        status=Status.FAIL,
        checks=[Check(name="healthy", passed=False, detail="y" * 5000)],
    )
    summary = summarize(RUN, [*many, failing], STARTED)
    assert len(summary.model_dump_json()) > SUMMARY_STATE_BYTES
    small = for_state(summary)
    assert small.abridged and len(small.model_dump_json(by_alias=True)) <= SUMMARY_STATE_BYTES
    assert small.counts == summary.counts and small.verdict is summary.verdict
    (kept,) = [r for r in small.results if r.status is Status.FAIL]
    assert kept.checks[0].name == "healthy" and len(kept.checks[0].detail) <= 300
    assert for_state(summarize(RUN, many[:3], STARTED)).abridged is False
