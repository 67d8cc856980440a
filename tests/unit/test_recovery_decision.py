"""Which ended executions the recovery function acts on (decided from the history alone)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from harness.judge.results import RunResults
from harness.ports import HistoryStore, LeaseStore, RunsInFlight
from harness.recovery.execution import recover_execution

UNUSED_IN_FLIGHT = cast(RunsInFlight, object())  # never reached: these executions need nothing
UNUSED_HISTORY = cast(HistoryStore, object())
UNUSED_LEASES = cast(LeaseStore, object())
UNUSED_RESULTS = cast(RunResults, object())


def failed(error: str) -> dict[str, Any]:
    return {
        "type": "ExecutionFailed",
        "executionFailedEventDetails": {"error": error, "cause": "..."},
    }


@pytest.mark.parametrize(
    ("events", "why"),
    [
        ([failed("SuiteFailed")], "its own SuiteFailed state"),
        ([failed("InvalidRunRequest")], "its own InvalidRunRequest state"),
        ([failed("PlanFailed")], "its own PlanFailed state"),
        ([failed("States.Runtime")], "never got past planning"),
        ([{"type": "ExecutionAborted", "executionAbortedEventDetails": {}}], "never got past"),
    ],
)
def test_executions_with_nothing_to_recover(events: list[dict[str, Any]], why: str) -> None:
    def no_ports(target: object) -> Any:
        raise AssertionError("the target must not be touched")

    started = {"type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{}"}}
    found = recover_execution(
        "FAILED",
        [started, *events],
        in_flight=UNUSED_IN_FLIGHT,
        history=UNUSED_HISTORY,
        ports=no_ports,
        leases=UNUSED_LEASES,
        results=UNUSED_RESULTS,
        configured_prefix="TEST_",
        now=datetime.now(UTC),
    )
    assert isinstance(found, str) and why in found
