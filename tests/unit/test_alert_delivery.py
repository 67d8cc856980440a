"""Retries of one delivery: bounded, backed off with jitter, Retry-After honoured, within the
Alert step's deadline; which HTTP answers are worth another try. Time is a fake clock here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from harness.errors import AlertDeliveryError
from harness.notify.delivery import Retrier, RetryPolicy, http_failure, retry_after_seconds


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def retrier(
    clock: FakeTime,
    deadline: float = 1000.0,
    rand: float = 1.0,
    max_attempts: int = 4,
    max_delay_seconds: float = 20.0,
    timeout_seconds: float = 10.0,
) -> Retrier:
    return Retrier(
        RetryPolicy(max_attempts, 1.0, max_delay_seconds, timeout_seconds),
        deadline=deadline,
        clock=lambda: clock.now,
        sleep=clock.sleep,
        rand=lambda: rand,
    )


def failing(
    *errors: AlertDeliveryError, result: str = "ok"
) -> tuple[list[float], Callable[[float], str]]:
    timeouts: list[float] = []
    queue = list(errors)

    def attempt(timeout: float) -> str:
        timeouts.append(timeout)
        if queue:
            raise queue.pop(0)
        return result

    return timeouts, attempt


def down(retry_after: float | None = None) -> AlertDeliveryError:
    return AlertDeliveryError("HTTP 500", retryable=True, retry_after=retry_after)


def test_retries_until_it_works_with_exponential_ceilings() -> None:
    clock = FakeTime()
    tries = retrier(clock)
    _, attempt = failing(down(), down(), down())
    assert tries.call(attempt) == "ok"
    assert tries.attempts == 4
    assert clock.slept == [1.0, 2.0, 4.0]  # rand() = 1: the ceilings themselves


def test_full_jitter_scales_the_wait() -> None:
    clock = FakeTime()
    _, attempt = failing(down(), down())
    retrier(clock, rand=0.25).call(attempt)
    assert clock.slept == [0.25, 0.5]


def test_waits_are_capped() -> None:
    clock = FakeTime()
    _, attempt = failing(down(), down(), down())
    retrier(clock, max_delay_seconds=1.5).call(attempt)
    assert clock.slept == [1.0, 1.5, 1.5]


def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    clock = FakeTime()
    tries = retrier(clock, max_attempts=3)
    _, attempt = failing(down(), down(), AlertDeliveryError("HTTP 503", retryable=True))
    with pytest.raises(AlertDeliveryError, match="503"):
        tries.call(attempt)
    assert tries.attempts == 3 and len(clock.slept) == 2


def test_a_refusal_is_not_retried() -> None:
    clock = FakeTime()
    tries = retrier(clock)
    _, attempt = failing(AlertDeliveryError("HTTP 404 channel_not_found", retryable=False))
    with pytest.raises(AlertDeliveryError, match="404"):
        tries.call(attempt)
    assert tries.attempts == 1 and clock.slept == []


def test_retry_after_is_honoured_exactly() -> None:
    clock = FakeTime()
    _, attempt = failing(down(retry_after=7.0))
    retrier(clock, rand=0.1).call(attempt)
    assert clock.slept == [7.0]


def test_a_retry_after_beyond_the_cap_gives_up_at_once() -> None:
    clock = FakeTime()
    _, attempt = failing(down(retry_after=3600.0))
    with pytest.raises(AlertDeliveryError, match="asks to wait 3600s"):
        retrier(clock).call(attempt)
    assert clock.slept == []


def test_the_deadline_bounds_waits_and_timeouts() -> None:
    clock = FakeTime()
    timeouts, attempt = failing(down(), down(), down())
    tries = retrier(clock, deadline=2.5, timeout_seconds=10.0)
    with pytest.raises(AlertDeliveryError, match="no time left"):
        tries.call(attempt)
    assert timeouts == [2.5, 1.5]  # each try may use only the time left
    assert sum(clock.slept) < 2.5


@pytest.mark.parametrize(
    ("status", "headers", "retryable", "after"),
    [
        (500, {}, True, None),
        (503, {"Retry-After": "3"}, True, 3.0),
        (429, {"retry-after": "0"}, True, 0.0),
        (404, {}, False, None),
        (400, {"Retry-After": "5"}, False, None),
        (403, {}, False, None),  # plain forbidden: a bad token stays bad
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"}, True, 30.0),
        (403, {"Retry-After": "60"}, True, 60.0),  # GitHub's secondary rate limit
    ],
)
def test_which_answers_are_worth_another_try(
    status: int, headers: dict[str, str], retryable: bool, after: float | None
) -> None:
    err = http_failure("GitHub POST /issues", status, headers, "body text", now=1000.0)
    assert err.retryable is retryable
    assert err.retry_after == after
    assert f"HTTP {status}" in str(err) and "GitHub POST /issues" in str(err)


def test_retry_after_as_an_http_date() -> None:
    moment = datetime(2026, 11, 24, 12, 0, 10, tzinfo=UTC)
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds(format_datetime(moment, usegmt=True), now) == 10.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None) is None
