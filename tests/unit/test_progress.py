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


def test_a_quiet_run_gets_heartbeats_saying_what_runs_and_until_when() -> None:
    from datetime import UTC, datetime

    from harness.config import HarnessConfig, TargetConfig
    from harness.execution.heartbeat import Heartbeat, Wait
    from harness.execution.history import Progress
    from harness.planning.plan import plan_run
    from harness.scenarios import catalogue
    from harness.wire import RunRequest

    now = [100.0]
    config = HarnessConfig(target=TargetConfig(endpoint="http://127.0.0.1:9"))
    plan = plan_run(
        RunRequest(scenarios=["failure-recovery"], run_id="r1"),
        config,
        catalogue(),
        datetime(2026, 11, 24, tzinfo=UTC),
    )
    outcome = ExecutionOutcome(execution_arn="arn", plan=plan)
    waits = {("r1", "failure-recovery"): Wait("recovered-within-sla", 104.0, 704.0)}
    beat = Heartbeat(every=15, current_wait=lambda r, s: waits.get((r, s)), clock=lambda: now[0])
    beat.seen(Progress("started", "failure-recovery (routing) running", "failure-recovery"))
    now[0] = 110.0
    assert beat.due(outcome) is None
    now[0] = 116.0
    line = beat.due(outcome)
    timeout = plan.scenarios[0].timeout_seconds
    assert line is not None and line.kind == "heartbeat"
    assert line.text == (
        f"failure-recovery running for 16s (timeout {timeout}s), waiting for "
        "recovered-within-sla for 12s (gives up in 588s)"
    )
    assert beat.due(outcome) is None  # not again until another quiet stretch
    beat.seen(Progress("finished", "failure-recovery pass", "failure-recovery", Status.PASS))
    now[0] = 200.0
    assert beat.due(outcome) == Progress("heartbeat", "still running (running)")
