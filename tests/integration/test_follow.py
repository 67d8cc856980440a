"""Following a real execution on the moto server: every event arrives once, in order, with
the same progress as a whole-history read, in fewer calls than polls every 0.2 s."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from harness.aws.clients import client
from harness.execution.follow import HistoryReader, start_and_follow
from harness.execution.history import ExecutionOutcome, Progress, apply_event
from harness.local.moto_server import MotoServer

DEFINITION = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Next": "Idle"},
        "Idle": {"Type": "Wait", "Seconds": 2, "Next": "Last"},
        "Last": {"Type": "Pass", "End": True},
    },
}


@dataclass
class Counting:
    sfn: Any
    history_calls: int = 0

    def start_execution(self, **kwargs: Any) -> Any:
        return self.sfn.start_execution(**kwargs)

    def get_execution_history(self, **kwargs: Any) -> Any:
        self.history_calls += 1
        return self.sfn.get_execution_history(**kwargs)


def test_follow_reads_each_event_once_and_backs_off(moto_server: MotoServer) -> None:
    sfn = client("stepfunctions", region="us-east-1", endpoint_url=moto_server.endpoint)
    machine = sfn.create_state_machine(
        name=f"follow-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(DEFINITION),
        roleArn="arn:aws:iam::123456789012:role/follow-test",
    )["stateMachineArn"]
    counting = Counting(sfn)
    lines: list[Progress] = []

    started = time.monotonic()
    outcome = start_and_follow(counting, machine, {}, "follow-1", lines.append, 60)
    elapsed = time.monotonic() - started

    assert outcome.status == "SUCCEEDED"
    assert [line.text for line in lines] == ["execution succeeded"]
    # Replaying the whole history at the end gives the same progress and outcome.
    everything = sfn.get_execution_history(executionArn=outcome.execution_arn)["events"]
    replay = ExecutionOutcome(execution_arn=outcome.execution_arn)
    replayed = [apply_event(replay, event) for event in everything]
    assert [line for line in replayed if line is not None] == lines
    assert replay.status == outcome.status
    assert (
        HistoryReader(sfn, outcome.execution_arn, last_id=everything[-1]["id"]).new_events() == []
    )
    # Polling every 0.2 s would have called once per 0.2 s; backing off calls less.
    assert counting.history_calls < elapsed / 0.2
