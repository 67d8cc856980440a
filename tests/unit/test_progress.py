import json

from harness.execution.history import ExecutionOutcome, apply_event
from harness.wire import Status


def exited(name: str, output: object) -> dict[str, object]:
    return {
        "type": "TaskStateExited",
        "stateExitedEventDetails": {"name": name, "output": json.dumps(output)},
    }


def test_scenario_events_become_progress_lines() -> None:
    outcome = ExecutionOutcome(execution_arn="arn")
    started = apply_event(
        outcome,
        {
            "type": "TaskStateEntered",
            "stateEnteredEventDetails": {
                "name": "RunScenario",
                "input": json.dumps({"scenario": {"name": "cold-start", "group": "lifecycle"}}),
            },
        },
    )
    assert started is not None and started.kind == "started" and started.scenario == "cold-start"
    done = apply_event(
        outcome,
        exited(
            "RunScenario",
            {
                "scenario": "cold-start",
                "group": "lifecycle",
                "status": "fail",
                "durationSeconds": 2,
                "reason": "healthy: timeout",
            },
        ),
    )
    assert done is not None and done.status is Status.FAIL
    assert "healthy: timeout" in done.text
    assert outcome.results["cold-start"].status is Status.FAIL


def test_caught_errors_and_execution_end() -> None:
    outcome = ExecutionOutcome(execution_arn="arn")
    line = apply_event(
        outcome,
        {
            "type": "PassStateExited",
            "stateExitedEventDetails": {
                "name": "RecordScenarioError",
                "output": json.dumps(
                    {
                        "scenario": {"name": "alb-routing"},
                        "caught": {
                            "Error": "Sandbox.Timedout",
                            "Cause": json.dumps(
                                {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"}
                            ),
                        },
                    }
                ),
            },
        },
    )
    assert line is not None and line.status is Status.ERROR
    assert "Sandbox.Timedout: Task timed out" in line.text
    apply_event(
        outcome,
        {
            "type": "ExecutionFailed",
            "executionFailedEventDetails": {"error": "SuiteFailed", "cause": "1 of 5 did not pass"},
        },
    )
    assert (outcome.status, outcome.error) == ("FAILED", "SuiteFailed")
    assert apply_event(outcome, {"type": "PassStateEntered"}) is None
