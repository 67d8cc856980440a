"""Start a suite execution and follow its history until it ends (local moto or AWS)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from harness.execution.history import ExecutionOutcome, Progress, apply_event

POLL_SECONDS = 0.2


def start_and_follow(
    sfn: Any,
    state_machine_arn: str,
    execution_input: dict[str, Any],
    name: str,
    on_progress: Callable[[Progress], None],
    timeout_seconds: float,
    poll_seconds: float = POLL_SECONDS,
) -> ExecutionOutcome:
    """Run one execution to its end; stop following (and say so) after ``timeout_seconds``."""
    arn = sfn.start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
    )["executionArn"]
    outcome = ExecutionOutcome(execution_arn=arn)
    seen = 0
    deadline = time.monotonic() + timeout_seconds
    while True:
        events = _history(sfn, arn)
        for event in events[seen:]:
            progress = apply_event(outcome, event)
            if progress is not None:
                on_progress(progress)
        seen = len(events)
        if outcome.status != "RUNNING":
            return outcome
        if time.monotonic() > deadline:
            outcome.status = "FOLLOW_TIMEOUT"
            outcome.cause = f"still running after {timeout_seconds:.0f}s; see {arn}"
            return outcome
        time.sleep(poll_seconds)


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]
