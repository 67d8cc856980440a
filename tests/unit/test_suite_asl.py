"""The suite ASL's contract with the code (``harness.wire.names``, ``harness.errors``):
state names, Fail errors, error classes, placeholders, and cleanup on every path."""

import json
from typing import Any

import harness.errors
from harness.layout import SUITE_ASL, SUITE_FUNCTIONS, render_asl, suite_placeholders
from harness.wire import FailError, State

ASL: dict[str, Any] = json.loads(SUITE_ASL.read_text())
BUILT_IN_ERROR_PREFIXES = ("States.", "Lambda.", "Sandbox.")


def all_states(states: dict[str, Any]) -> dict[str, Any]:
    found = dict(states)
    for state in states.values():
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            found.update(all_states(processor["States"]))
    return found


def test_every_error_name_is_an_exception_class_in_the_code() -> None:
    names = {
        name
        for state in all_states(ASL["States"]).values()
        for rule in state.get("Catch", []) + state.get("Retry", [])
        for name in rule["ErrorEquals"]
        if not name.startswith(BUILT_IN_ERROR_PREFIXES)
    }
    assert names, "the ASL should route harness errors by name"
    for name in names:
        assert issubclass(getattr(harness.errors, name), harness.errors.HarnessError), name


def test_state_names_in_the_code_are_exactly_the_asl_states() -> None:
    assert set(all_states(ASL["States"])) == {state.value for state in State}


def test_fail_errors_in_the_code_are_exactly_the_asl_fail_states() -> None:
    errors = {
        state["Error"] for state in all_states(ASL["States"]).values() if state["Type"] == "Fail"
    }
    assert errors == {error.value for error in FailError}


def test_placeholders_are_exactly_the_suite_functions() -> None:
    assert suite_placeholders() == {f.placeholder for f in SUITE_FUNCTIONS}
    rendered = render_asl({f.placeholder: f"arn:{f.name}" for f in SUITE_FUNCTIONS})
    assert "${" not in rendered


def test_every_failure_after_planning_reaches_cleanup_and_the_lease_release() -> None:
    top = ASL["States"]
    tasks = ("AcquireLeases", "RunLanes", "Aggregate", "DetectRegressions", "PlanConfirmation")
    for name in (*tasks, "JudgeConfirmation", "Alert", "PublishReport"):
        assert all(c["Next"] == "Cleanup" for c in top[name]["Catch"]), name
    for choice in ("IsConfirmPass", "ConfirmNeeded"):  # choices lead only to those tasks
        nexts = {c["Next"] for c in top[choice]["Choices"]} | {top[choice]["Default"]}
        assert nexts <= {*tasks, "JudgeConfirmation", "Alert"}, choice
    assert top["Plan"]["Next"] == "AcquireLeases"
    assert top["Alert"]["Next"] == "PublishReport" and top["PublishReport"]["Next"] == "Cleanup"
    assert top["RunLanes"]["Next"] == "IsConfirmPass"
    assert top["PlanConfirmation"]["Next"] == "RunLanes"  # the confirm pass re-enters it
    assert top["Cleanup"]["Next"] == "ReleaseLeases"
    assert top["Cleanup"]["Catch"][0]["Next"] == "ReleaseLeases"
    assert top["ReleaseLeases"]["Next"] == "Gate"
    assert top["ReleaseLeases"]["Catch"][0]["Next"] == "Gate"
    assert {c["Next"] for c in top["Plan"]["Catch"]} == {"DescribeRejection", "PlanFailed"}
    assert top["DescribeRejection"]["Next"] == "RejectInput"


def test_a_busy_target_is_waited_for_then_given_up_on() -> None:
    top = ASL["States"]
    assert top["AcquireLeases"]["Next"] == "LeasesAcquired"
    rules = top["LeasesAcquired"]["Choices"]
    choices = [(c["Variable"], c["BooleanEquals"], c["Next"]) for c in rules]
    assert choices == [
        ("$.leases.gaveUp", True, "TargetBusy"),
        ("$.leases.acquired", False, "WaitForTargets"),
    ]
    # The default is the path of a run whose steps succeed (the cost walk follows it).
    assert top["LeasesAcquired"]["Default"] == "RunLanes"
    assert top["WaitForTargets"]["SecondsPath"] == "$.leases.retryInSeconds"
    assert top["WaitForTargets"]["Next"] == "AcquireLeases"
    assert top["TargetBusy"]["CausePath"] == "$.leases.busy.message"


def test_run_lanes_reads_only_the_plan_so_it_can_be_entered_again() -> None:
    """A confirm pass re-enters RunLanes with another plan's lanes: it must depend on nothing
    but ``$.lanes``, ``$.run`` and ``$.maxGroupConcurrency``."""
    lanes = ASL["States"]["RunLanes"]
    assert lanes["ItemsPath"] == "$.lanes"
    assert lanes["MaxConcurrencyPath"] == "$.maxGroupConcurrency"
    assert lanes["ItemSelector"] == {"lane.$": "$$.Map.Item.Value", "run.$": "$.run"}
    groups = lanes["ItemProcessor"]["States"]["RunGroups"]
    assert groups["MaxConcurrency"] == 1  # a lane's groups run one after another
    scenarios = groups["ItemProcessor"]["States"]["RunScenarios"]
    assert scenarios["MaxConcurrencyPath"] == "$.group.maxConcurrency"


def test_load_batches_run_inline_or_distributed_and_are_judged() -> None:
    states = all_states(ASL["States"])
    inline, distributed = states["RunUserBatches"], states["RunUserBatchesDistributed"]
    assert inline["ItemProcessor"]["ProcessorConfig"]["Mode"] == "INLINE"
    assert distributed["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    for fan_out in (inline, distributed):
        assert fan_out["ItemsPath"] == "$.scenario.fanOut.batches"
        assert fan_out["Next"] == "JudgeLoad"
        assert fan_out["Catch"][0]["Next"] == "RecordScenarioError"
    assert states["JudgeLoad"]["Catch"][0]["Next"] == "RecordScenarioError"


def test_run_scenario_retries_service_errors_and_catches_everything() -> None:
    task = all_states(ASL["States"])["RunScenario"]
    retriers = {error: retrier for retrier in task["Retry"] for error in retrier["ErrorEquals"]}
    assert "Lambda.ServiceException" in retriers
    # Throttled while other runs hold the reserved concurrency: it waits minutes, not seconds.
    throttled = retriers["Lambda.TooManyRequestsException"]
    waits = [
        min(
            throttled["IntervalSeconds"] * throttled["BackoffRate"] ** n,
            throttled["MaxDelaySeconds"],
        )
        for n in range(throttled["MaxAttempts"])
    ]
    assert sum(waits) >= 120
    assert task["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    assert task["Catch"][0]["Next"] == "RecordScenarioError"


def test_the_report_is_written_after_alert_and_its_failure_is_only_a_warning() -> None:
    top = ASL["States"]
    assert top["Alert"]["Next"] == "PublishReport"
    assert top["PublishReport"]["Next"] == "Cleanup"
    (catch,) = top["PublishReport"]["Catch"]
    # Not $.failure: Gate turns that into HarnessFailed; a missing report leaves the verdict.
    assert catch["ResultPath"] == "$.reportError"


def test_the_confirm_pass_loops_back_into_the_state_that_runs_plans() -> None:
    top = ASL["States"]
    assert top["DetectRegressions"]["Next"] == "ConfirmNeeded"
    (confirm,) = top["ConfirmNeeded"]["Choices"]
    assert confirm["Variable"] == "$.regressions.awaitingConfirmation"
    assert (confirm["Next"], top["ConfirmNeeded"]["Default"]) == ("PlanConfirmation", "Alert")
    assert top["PlanConfirmation"]["Next"] == "RunLanes"  # the same lanes and group processor
    assert top["RunLanes"]["Next"] == "IsConfirmPass"
    (judging,) = top["IsConfirmPass"]["Choices"]
    assert (judging["Variable"], judging["Next"]) == ("$.confirmationOf", "JudgeConfirmation")
    assert top["IsConfirmPass"]["Default"] == "Aggregate"
    assert top["JudgeConfirmation"]["Next"] == "Alert"
    # Both judges replace the state: the Gate reads the verdict they set.
    assert top["DetectRegressions"]["ResultPath"] == top["JudgeConfirmation"]["ResultPath"] == "$"
    assert top["Gate"]["Choices"][-1]["Variable"] == "$.verdict"


def test_an_edit_service_left_as_the_run_did_not_find_it_fails_the_run() -> None:
    """The judged verdict is decided before ReleaseLeases; a restore that failed (or a
    ReleaseLeases that failed outright) still fails the run, with its own cause."""
    top = ASL["States"]
    routes = {c["Variable"]: c["Next"] for c in top["Gate"]["Choices"]}
    assert routes["$.releaseError"] == "ReleaseFailed"
    assert routes["$.release.restoreFailed"] == "RestoreFailed"
    assert list(routes)[-1] == "$.verdict"  # they come before the verdict is read
    assert top["ReleaseFailed"]["Error"] == top["RestoreFailed"]["Error"] == "SuiteFailed"
    assert top["RestoreFailed"]["CausePath"] == "$.release.restoreFailed"
