"""Start a suite execution and follow its history until it ends (local moto or AWS).

Starting and following are separate, so a caller interrupted mid-run still holds what was
seen (``ExecutionOutcome``). Each poll reads only what is new: the newest page of events
(``reverseOrder``), more pages only while all of a page is new, and nothing at or below the
last event id seen. That holds whether or not the server honours paging (AWS does; moto
returns the whole history, oldest first): events are filtered by id either way. Idle polls
back off, so a long scenario costs a few calls rather than five a second, well inside
GetExecutionHistory's throttle.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.execution.heartbeat import Heartbeat
from harness.execution.history import ExecutionOutcome, Progress, apply_event

POLL_SECONDS = 0.2
"""The first interval, and the one after every poll that found something new."""
MAX_POLL_SECONDS = 2.0
"""The interval never grows beyond this while nothing happens."""
BACKOFF = 1.5
PAGE_SIZE = 100


def next_interval(current: float, found_events: bool, first: float, cap: float) -> float:
    """Back to ``first`` after news; otherwise a little longer, up to ``cap``."""
    return first if found_events else min(current * BACKOFF, cap)


@dataclass
class HistoryReader:
    """An execution's history, read incrementally: each call returns the events not yet
    returned, oldest first."""

    sfn: Any
    execution_arn: str
    last_id: int = 0

    def new_events(self) -> list[dict[str, Any]]:
        fresh: dict[int, dict[str, Any]] = {}
        request: dict[str, Any] = {
            "executionArn": self.execution_arn,
            "reverseOrder": True,
            "maxResults": PAGE_SIZE,
        }
        while True:
            page = self.sfn.get_execution_history(**request)
            events = page["events"]
            fresh.update((e["id"], e) for e in events if e["id"] > self.last_id)
            reached_seen = any(event["id"] <= self.last_id for event in events)
            if reached_seen or not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
        if fresh:
            self.last_id = max(fresh)
        return [fresh[event_id] for event_id in sorted(fresh)]


def start_execution(
    sfn: Any, state_machine_arn: str, execution_input: object, name: str
) -> ExecutionOutcome:
    arn = sfn.start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
    )["executionArn"]
    return ExecutionOutcome(execution_arn=arn)


def follow(
    sfn: Any,
    outcome: ExecutionOutcome,
    on_progress: Callable[[Progress], None],
    timeout_seconds: float,
    poll_seconds: float = POLL_SECONDS,
    max_poll_seconds: float = MAX_POLL_SECONDS,
    heartbeat: Heartbeat | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> ExecutionOutcome:
    """Follow one execution to its end, updating ``outcome`` as events arrive (a caller that
    is interrupted keeps what was seen); stop following (and say so) after
    ``timeout_seconds``. Quiet stretches get a heartbeat line. ``pause`` waits between
    polls; one that returns early (when something worth reading happened) shows it sooner."""
    heartbeat = heartbeat or Heartbeat()
    interval = poll_seconds
    deadline = time.monotonic() + timeout_seconds
    while True:
        seen_before = outcome.last_event_id
        for progress in catch_up(sfn, outcome):
            heartbeat.seen(progress)
            on_progress(progress)
        if outcome.status != "RUNNING":
            return outcome
        left = deadline - time.monotonic()
        if left < 0:
            outcome.status = "FOLLOW_TIMEOUT"
            outcome.cause = (
                f"still running after {timeout_seconds:.0f}s; see {outcome.execution_arn}"
            )
            return outcome
        beat = heartbeat.due(outcome)
        if beat is not None:
            on_progress(beat)
        found = outcome.last_event_id != seen_before
        interval = next_interval(interval, found, poll_seconds, max_poll_seconds)
        pause(min(interval, left + 0.01))


def catch_up(sfn: Any, outcome: ExecutionOutcome) -> list[Progress]:
    """Apply the history events not seen yet (once); returns their progress lines."""
    reader = HistoryReader(sfn, outcome.execution_arn, last_id=outcome.last_event_id)
    lines = []
    for event in reader.new_events():
        progress = apply_event(outcome, event)
        if progress is not None:
            lines.append(progress)
    outcome.last_event_id = reader.last_id
    return lines


def start_and_follow(
    sfn: Any,
    state_machine_arn: str,
    execution_input: object,
    name: str,
    on_progress: Callable[[Progress], None],
    timeout_seconds: float,
    poll_seconds: float = POLL_SECONDS,
    max_poll_seconds: float = MAX_POLL_SECONDS,
) -> ExecutionOutcome:
    """Run one execution to its end (``start_execution`` + ``follow``)."""
    outcome = start_execution(sfn, state_machine_arn, execution_input, name)
    return follow(sfn, outcome, on_progress, timeout_seconds, poll_seconds, max_poll_seconds)
