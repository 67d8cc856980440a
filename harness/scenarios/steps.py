"""Steps the built-in scenarios share, so each is written once and fails the same way.

Check names used here (documented in docs/scenarios.md): ``session-created``,
``session-healthy``, ``no-hang``, ``not-ready-is-503``, ``scaled-to-zero``,
``session-unavailable-at-zero``, ``unavailable-is-503``, ``error-body-json``, ``retry-after``,
``file-written`` and whatever name a caller gives ``expect_file``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from harness.errors import TargetRequestError
from harness.scenarios.base import ScenarioContext
from harness.target.http import Response

POLL_SECONDS = 0.2
"""How often waits poll the target: fine enough for second-level metrics, light on a real ALB."""

SCALE_DOWN_TIMEOUT_SECONDS = 300.0
"""How long scaling to zero may take (ECS drains a task within minutes); the scenario's own
deadline still applies."""


def user_id(ctx: ScenarioContext, n: int) -> str:
    """A user id that names the run, so a leftover session can be traced back to it."""
    return f"{ctx.run.run_id}-user-{n}"


@dataclass(frozen=True)
class Probe:
    """The outcome of one request that may not have been answered at all."""

    response: Response | None = None
    error: str | None = None

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status

    def describe(self) -> str:
        if self.response is None:
            return f"no answer ({self.error})"
        return f"answered {self.response.status}"


def probe(call: Callable[[], Response]) -> Probe:
    """Send a request, turning a transport failure (hang, refusal) into a value."""
    try:
        return Probe(response=call())
    except TargetRequestError as err:
        return Probe(error=str(err))


def session_health(ctx: ScenarioContext, session_id: str) -> Probe:
    return probe(lambda: ctx.api.session_health(session_id))


def wait_session_healthy(
    ctx: ScenarioContext, session_id: str, *, timeout: float, what: str = "session-healthy"
) -> float:
    """Poll ``/session/<id>/health`` until 200; returns the seconds waited.

    While not ready the contract allows only 503: a hang fails ``no-hang``, any other status
    (404, 500, ...) fails ``not-ready-is-503``, and running out of time fails ``what``.
    """

    def ready() -> bool | None:
        outcome = session_health(ctx, session_id)
        if outcome.status == 200:
            return True
        if outcome.error is not None:
            ctx.check("no-hang", False, f"/session/<id>/health while not ready: {outcome.error}")
        if outcome.status != 503:
            ctx.check("not-ready-is-503", False, f"{outcome.describe()} while not ready")
        return None

    _, waited = ctx.wait_for(what, ready, timeout=timeout, interval=POLL_SECONDS)
    return waited


def scale_to_zero(ctx: ScenarioContext, session_id: str | None = None) -> Probe | None:
    """Set the edit service to 0 and wait until no task runs.

    With a ``session_id``, also wait until that session stops answering 200 and return the
    first other answer (a 503, a 500, a hang...) for the caller to judge.
    """
    ctx.infra.set_desired_count(0)
    ctx.wait_for(
        "scaled-to-zero",
        lambda: True if not ctx.infra.running_task_ids() else None,
        timeout=SCALE_DOWN_TIMEOUT_SECONDS,
        interval=POLL_SECONDS,
    )
    if session_id is None:
        return None

    def unavailable() -> Probe | None:
        outcome = session_health(ctx, session_id)
        return None if outcome.status == 200 else outcome

    outcome, _ = ctx.wait_for(
        "session-unavailable-at-zero",
        unavailable,
        timeout=SCALE_DOWN_TIMEOUT_SECONDS,
        interval=POLL_SECONDS,
    )
    return outcome


def expect_clean_unavailable(ctx: ScenarioContext, outcome: Probe) -> None:
    """The contract's answer while no container is healthy: a prompt 503 JSON error with
    ``Retry-After`` -- never a hang, a 500 or somebody's page."""
    ctx.check("no-hang", outcome.response is not None, outcome.describe())
    assert outcome.response is not None  # for mypy: the check above stopped the scenario
    response = outcome.response
    ctx.check("unavailable-is-503", response.status == 503, outcome.describe())
    body = response.json_or_none()
    ctx.check(
        "error-body-json",
        isinstance(body, dict) and "error" in body,
        f"body was {response.body[:120]!r}",
    )
    ctx.check("retry-after", "retry-after" in response.headers, "no Retry-After header")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def write_file(ctx: ScenarioContext, session_id: str, path: str, content: bytes) -> None:
    response = ctx.api.put_file(session_id, path, content)
    ctx.check(
        "file-written", response.status in (200, 201), f"PUT {path} answered {response.status}"
    )


def expect_file(
    ctx: ScenarioContext, what: str, session_id: str, path: str, expected: bytes
) -> None:
    """The file reads back byte-identical (compared by sha256), else check ``what`` fails."""
    outcome = probe(lambda: ctx.api.get_file(session_id, path))
    response = outcome.response
    if response is None or response.status != 200:
        ctx.check(what, False, f"GET {path} {outcome.describe()}")
        return
    ctx.check(
        what,
        sha256(response.body) == sha256(expected),
        f"GET {path} returned {len(response.body)} bytes that differ from the "
        f"{len(expected)} written",
    )


@dataclass(frozen=True)
class Session:
    session_id: str
    client_id: str
    user_id: str
    create_seconds: float


@dataclass(frozen=True)
class CreateAttempt:
    """One ``POST /api/sessions``, judged later (threads must not stop the scenario)."""

    client_id: str
    user_id: str
    outcome: Probe
    seconds: float

    @property
    def session_id(self) -> str | None:
        response = self.outcome.response
        if response is None or response.status != 201:
            return None
        body = response.json_or_none()
        value = body.get("sessionId") if isinstance(body, dict) else None
        return value if isinstance(value, str) and value else None

    def problem(self) -> str | None:
        if self.session_id is not None:
            return None
        if self.outcome.status == 201:
            return f"{self.user_id}: 201 without a sessionId"
        return f"{self.user_id}: {self.outcome.describe()}"

    def session(self) -> Session:
        assert self.session_id is not None
        return Session(self.session_id, self.client_id, self.user_id, self.seconds)


class SessionPool:
    """Creates sessions and deletes them on exit, best effort: the run's cleanup sweeps up
    whatever is left (e.g. when the target stopped answering)."""

    def __init__(self, ctx: ScenarioContext) -> None:
        self._ctx = ctx
        self._ids: list[str] = []
        self._lock = threading.Lock()

    def __enter__(self) -> SessionPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for session_id in self._ids:
            try:
                self._ctx.api.delete_session(session_id)
            except TargetRequestError:
                return  # the target is not answering; leave the rest to the run's cleanup

    def attempt(self, client_id: str, user_id: str) -> CreateAttempt:
        """POST a session without checking the answer; safe to call from threads."""
        started = time.monotonic()
        outcome = probe(lambda: self._ctx.api.create_session(client_id, user_id))
        attempt = CreateAttempt(client_id, user_id, outcome, time.monotonic() - started)
        if attempt.session_id is not None:
            with self._lock:
                self._ids.append(attempt.session_id)
        return attempt

    def create(self, n: int = 1) -> Session:
        """Create the session of user ``n``; anything but a 201 with an id fails the check."""
        attempt = self.attempt(self._ctx.client_id(), user_id(self._ctx, n))
        problem = attempt.problem()
        self._ctx.check("session-created", problem is None, problem or "")
        return attempt.session()

    def create_measured(self) -> Session:
        """Create a session and record how long that took against the session SLA."""
        session = self.create()
        self._ctx.metric(
            "session_creation_seconds",
            session.create_seconds,
            sla=self._ctx.sla.session_creation_p95_max_seconds,
        )
        return session
