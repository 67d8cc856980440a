"""Following an execution with a fake Step Functions client that counts calls: each poll
reads only what is new, whether the server pages like AWS or returns everything like moto,
and idle polls back off."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.execution.follow import (
    MAX_POLL_SECONDS,
    POLL_SECONDS,
    HistoryReader,
    follow,
    next_interval,
    start_and_follow,
    start_execution,
)
from harness.execution.history import Progress


def event(event_id: int, kind: str = "PassStateEntered") -> dict[str, Any]:
    return {"id": event_id, "type": kind}


@dataclass
class FakeSfn:
    """An execution whose history grows by ``growth`` events per history call. ``paging``:
    honour reverseOrder/maxResults/nextToken as AWS does; else return everything, oldest
    first, as moto does."""

    total: int
    growth: int
    paging: bool = True
    calls: list[dict[str, Any]] = field(default_factory=list)
    visible: int = 0

    def start_execution(self, **kwargs: Any) -> dict[str, str]:
        return {"executionArn": "arn:aws:states:us-east-1:1:execution:m:e"}

    def get_execution_history(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        if "nextToken" not in request:
            self.visible = min(self.total, self.visible + self.growth)
        events = [event(n) for n in range(1, self.visible + 1)]
        if self.visible == self.total:
            events[-1] = event(self.total, "ExecutionSucceeded")
        if not self.paging:
            return {"events": events}
        newest_first = events[::-1]
        start = int(request.get("nextToken", 0))
        size = request["maxResults"]
        page: dict[str, Any] = {"events": newest_first[start : start + size]}
        if start + size < len(newest_first):
            page["nextToken"] = str(start + size)
        return page


@pytest.mark.parametrize("paging", [True, False], ids=["aws-paging", "moto-everything"])
def test_every_event_is_read_once_in_order(paging: bool) -> None:
    sfn = FakeSfn(total=250, growth=40, paging=paging)
    reader = HistoryReader(sfn, "arn")
    seen: list[int] = []
    while len(seen) < sfn.total:
        seen.extend(e["id"] for e in reader.new_events())

    assert seen == list(range(1, 251))
    assert len([c for c in sfn.calls if "nextToken" not in c]) == 7  # one poll per growth


def test_a_burst_larger_than_a_page_is_read_across_pages() -> None:
    sfn = FakeSfn(total=350, growth=350)
    events = HistoryReader(sfn, "arn").new_events()

    assert [e["id"] for e in events] == list(range(1, 351))
    assert [c.get("nextToken") for c in sfn.calls] == [None, "100", "200", "300"]
    assert all(c["reverseOrder"] is True for c in sfn.calls)


def test_an_idle_poll_is_one_call_that_finds_nothing() -> None:
    sfn = FakeSfn(total=10, growth=10)
    reader = HistoryReader(sfn, "arn")
    reader.new_events()
    sfn.total = sfn.visible = 10  # nothing new

    assert reader.new_events() == [] and len(sfn.calls) == 2


def test_idle_polls_back_off_and_news_resets_the_interval() -> None:
    interval = POLL_SECONDS
    intervals = []
    for _ in range(8):
        interval = next_interval(interval, False, POLL_SECONDS, MAX_POLL_SECONDS)
        intervals.append(interval)

    assert intervals == sorted(intervals) and intervals[-1] == MAX_POLL_SECONDS
    assert next_interval(MAX_POLL_SECONDS, True, POLL_SECONDS, MAX_POLL_SECONDS) == POLL_SECONDS


def test_following_stops_at_the_end_with_the_outcome() -> None:
    sfn = FakeSfn(total=30, growth=10)
    lines: list[Progress] = []

    outcome = start_and_follow(sfn, "sm", {}, "e", lines.append, 60, poll_seconds=0.001)

    assert outcome.status == "SUCCEEDED"
    assert [p.text for p in lines] == ["execution succeeded"]
    assert len(sfn.calls) == 3


def test_following_gives_up_at_its_deadline() -> None:
    sfn = FakeSfn(total=10**6, growth=1)

    outcome = start_and_follow(sfn, "sm", {}, "e", lambda _: None, 0.05, poll_seconds=0.001)

    assert outcome.status == "FOLLOW_TIMEOUT" and "still running after" in str(outcome.cause)


def test_the_pause_between_polls_is_the_callers_and_gets_the_interval() -> None:
    sfn = FakeSfn(total=30, growth=10)
    pauses: list[float] = []

    outcome = follow(
        sfn, start_execution(sfn, "sm", {}, "e"), lambda _: None, 60, pause=pauses.append
    )

    assert outcome.status == "SUCCEEDED"
    assert pauses == [POLL_SECONDS, POLL_SECONDS]  # news at every poll: never backed off
