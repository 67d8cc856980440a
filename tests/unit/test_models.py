import pytest
from pydantic import ValidationError

from harness.wire import Metric, RunRequest, ScenarioResult, Status


def test_request_accepts_camel_case_and_defaults_the_trigger() -> None:
    request = RunRequest.model_validate(
        {"suite": "smoke", "runId": "r-1", "flags": {"changedFiles": ["a.py"]}}
    )
    assert request.run_id == "r-1"
    assert request.flags.trigger.value == "console"
    assert request.model_dump(by_alias=True)["flags"]["changedFiles"] == ["a.py"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"suite": "nightly"}, "suite"),
        ({"suite": "smoke", "scenarios": ["cold-start"]}, "not both"),
        ({"runId": "has space"}, "runId"),
        ({"scenarios": []}, "scenarios"),
        ({"scenarios": ["Bad Name"]}, "scenarios.0"),
        ({"suitee": "smoke"}, "suitee"),
        ({"flags": {"trigger": "cron"}}, "flags.trigger"),
        ({"target": {"endpoint": "ftp://x"}}, "target.endpoint"),
        ({"target": {"endpoint": "http://"}}, "target.endpoint"),
        ({"target": {"endpoint": "http://host:port"}}, "target.endpoint"),
        ({"target": {"testPrefix": "user_"}}, "target.testPrefix"),
        ({"flags": {"changedFiles": ["x" * 2000]}}, "flags.changedFiles.0"),
        ({"flags": {"changedFiles": ["d/" + "x" * 1000] * 300}}, "flags.changedFiles"),
    ],
)
def test_bad_requests_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RunRequest.model_validate(data)
    text = str(caught.value)
    assert field in text


def test_metric_sla_comparison() -> None:
    assert Metric(name="m", value=5, unit="seconds", sla=5).within_sla is True
    assert Metric(name="m", value=5.1, unit="seconds", sla=5).within_sla is False
    assert Metric(name="m", value=1, unit="count").within_sla is None
    at_least = Metric.model_validate(
        {"name": "rate", "value": 0.9, "unit": "ratio", "sla": 0.95, "comparison": "at_least"}
    )
    assert at_least.within_sla is False


def test_result_reason_lists_failed_checks_and_errors() -> None:
    result = ScenarioResult.model_validate(
        {
            "scenario": "s",
            "group": "g",
            "status": "fail",
            "checks": [
                {"name": "ok", "passed": True},
                {"name": "file-intact", "passed": False, "detail": "bytes differ"},
            ],
        }
    )
    assert result.reason == "file-intact: bytes differ"
    errored = ScenarioResult(
        scenario="s", group="g", status=Status.ERROR, error={"type": "KeyError", "message": "x"}
    )
    assert errored.reason == "KeyError: x"


def test_a_rejection_message_stays_small_whatever_the_input() -> None:
    from harness.validation import format_validation_error

    huge = {f"field{n}": "x" * 100_000 for n in range(50)} | {"suite": "y" * 100_000}
    with pytest.raises(ValidationError) as caught:
        RunRequest.model_validate(huge)
    message = format_validation_error(caught.value)
    assert len(message) < 2000
    assert "suite" in message and "more problem(s)" in message
