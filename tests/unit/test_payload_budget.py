"""Large data is bounded and checked up front, before a run can die of the 256 KB state cap."""

import pytest
from pydantic import ValidationError

from harness.config import HarnessConfig, TargetConfig
from harness.errors import InvalidRunRequestError
from harness.planning.payload import STATE_LIMIT_BYTES, check_state_budget, peak_state_bytes
from harness.planning.plan import plan_run
from harness.scenarios import catalogue
from harness.wire import (
    Check,
    GroupPlan,
    LanePlan,
    RunPlan,
    RunRequest,
    ScenarioOutcome,
    ScenarioResult,
    ScenarioSpec,
    Status,
)
from harness.wire.steps import OUTCOME_REASON_LENGTH
from tests.fakes import NOW, RUN

CATALOGUE = catalogue()


def plan_of(count: int) -> RunPlan:
    specs = [
        ScenarioSpec(
            name=f"scenario-{n:04d}",
            group="g",
            tags=["full"],
            timeout_seconds=60,
            cache_key="a" * 64,
        )
        for n in range(count)
    ]
    group = GroupPlan(name="g", parallel=True, max_concurrency=10, scenarios=specs)
    lane = LanePlan(target=RUN.target, groups=[group])
    return RunPlan(run=RUN, lanes=[lane], max_group_concurrency=1)


def test_hundreds_of_scenarios_fit_and_a_thousand_are_refused_naming_the_fix() -> None:
    check_state_budget(plan_of(300))
    assert peak_state_bytes(plan_of(300)) < STATE_LIMIT_BYTES
    with pytest.raises(InvalidRunRequestError, match=r"1000 scenarios.*split the suite"):
        check_state_budget(plan_of(1000))


def test_the_change_list_is_bounded_in_count_and_bytes() -> None:
    RunRequest.model_validate({"flags": {"changedFiles": ["a/" + "x" * 60] * 3000}})
    with pytest.raises(ValidationError, match="leave changedFiles out"):
        RunRequest.model_validate({"flags": {"changedFiles": ["a/" + "x" * 100] * 3000}})
    with pytest.raises(ValidationError, match="at most 5000"):
        RunRequest.model_validate({"flags": {"changedFiles": ["a"] * 5001}})
    with pytest.raises(ValidationError, match="at most 1024"):
        RunRequest.model_validate({"flags": {"changedFiles": ["a" * 1025]}})


def test_a_rejected_change_list_is_not_repeated_back_in_full() -> None:
    from harness.validation import format_validation_error

    try:
        RunRequest.model_validate({"flags": {"changedFiles": ["a/" + "x" * 100] * 3000}})
    except ValidationError as err:
        assert len(format_validation_error(err)) < 1000


def test_outcomes_are_small_whatever_the_result() -> None:
    result = ScenarioResult(
        scenario="cold-start",
        group="lifecycle",
        status=Status.FAIL,
        checks=[Check(name="healthy", passed=False, detail="x" * 10_000)],
    )
    outcome = ScenarioOutcome.of(result)
    assert len(outcome.reason) == OUTCOME_REASON_LENGTH and outcome.reason.endswith("...")
    assert len(str(outcome.to_wire())) < 320


def test_the_plan_of_the_built_in_suite_is_far_below_the_cap() -> None:
    plan = plan_run(
        RunRequest(), HarnessConfig(target=TargetConfig(endpoint="http://x")), CATALOGUE, NOW
    )
    assert peak_state_bytes(plan) < STATE_LIMIT_BYTES / 20
