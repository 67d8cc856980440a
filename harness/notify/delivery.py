"""Trying a channel again when it is down for a moment: bounded tries, exponential backoff with
full jitter, the server's Retry-After honoured, and one deadline for the whole Alert step.

Every channel (Slack, GitHub, SNS) goes through ``Retrier.call``, so they all fail the same
way: after the last try the error is raised and the dispatcher records the message as
undelivered; the run itself never fails because a channel is down.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

from harness.config import AlertRoutingConfig
from harness.errors import AlertDeliveryError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_seconds: float = 1.0
    max_delay_seconds: float = 20.0
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, alerts: AlertRoutingConfig) -> RetryPolicy:
        return cls(
            max_attempts=alerts.max_attempts,
            base_seconds=alerts.backoff_base_seconds,
            max_delay_seconds=alerts.backoff_max_seconds,
            timeout_seconds=alerts.timeout_seconds,
        )


class Retrier:
    """Runs one delivery's tries; ``attempts`` counts them (the dispatcher resets it)."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        deadline: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.deadline = deadline
        self.attempts = 0
        self._clock, self._sleep, self._rand = clock, sleep, rand

    def call(self, attempt: Callable[[float], T]) -> T:
        """``attempt(timeout)`` is one try; it raises ``AlertDeliveryError`` when it fails."""
        for number in range(1, self.policy.max_attempts + 1):
            left = self.deadline - self._clock()
            if left <= 0:
                raise AlertDeliveryError("no time left in this Alert step", retryable=False)
            self.attempts += 1
            try:
                return attempt(min(self.policy.timeout_seconds, left))
            except AlertDeliveryError as err:
                if not err.retryable or number == self.policy.max_attempts:
                    raise
                delay = self._delay(number, err)
                if self._clock() + delay >= self.deadline:
                    raise AlertDeliveryError(
                        f"{err} (no time left in this Alert step to try again)", retryable=True
                    ) from err
                self._sleep(delay)
        raise AssertionError("unreachable: the last try returns or raises")

    def _delay(self, number: int, err: AlertDeliveryError) -> float:
        if err.retry_after is not None:
            if err.retry_after > self.policy.max_delay_seconds:
                raise AlertDeliveryError(
                    f"{err}; the server asks to wait {err.retry_after:g}s, longer than "
                    f"backoff_max_seconds ({self.policy.max_delay_seconds:g})",
                    retryable=True,
                ) from err
            return max(0.0, err.retry_after)
        ceiling = min(self.policy.max_delay_seconds, self.policy.base_seconds * 2.0 ** (number - 1))
        return self._rand() * ceiling


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (delta seconds or an HTTP date) in seconds, or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(moment.timestamp()) - (time.time() if now is None else now))


def http_failure(
    what: str, status: int, headers: dict[str, str], body: str, now: float | None = None
) -> AlertDeliveryError:
    """How an HTTP answer that is not a success becomes a delivery error: 429, 5xx and
    GitHub's rate-limit 403 may pass (retryable); anything else will not."""
    lower = {key.lower(): value for key, value in headers.items()}
    retry_after = retry_after_seconds(lower.get("retry-after"), now)
    rate_limited = status == 403 and (
        retry_after is not None or lower.get("x-ratelimit-remaining") == "0"
    )
    if rate_limited and retry_after is None and lower.get("x-ratelimit-reset", "").isdigit():
        reset = float(lower["x-ratelimit-reset"])
        retry_after = max(0.0, reset - (time.time() if now is None else now))
    retryable = status == 429 or status >= 500 or rate_limited
    return AlertDeliveryError(
        f"{what}: HTTP {status} {body.strip()[:200]}".rstrip(),
        retryable=retryable,
        retry_after=retry_after if retryable else None,
    )
