"""Concurrent sessions: many users at once each get their own session and workspace.

Users are created in one burst (the load that matters for session creation p95), then each
writes a file under the same relative path and one under its own name; a user that sees
another's content or file means workspaces are shared -- a data leak.

A load scenario: its users run in batches (``run_batch``), one Map iteration each, so the
load grows with Lambda concurrency rather than one process; ``judge`` combines the batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from harness.judge.stats import percentile
from harness.scenarios import steps
from harness.scenarios.base import (
    API,
    EDIT_SERVICE,
    SESSIONS_TABLE,
    WORKSPACES,
    FanOut,
    ScenarioContext,
    ScenarioDefinition,
)
from harness.wire import ServiceState

T = TypeVar("T")
R = TypeVar("R")
MARKER_PATH = "marker.txt"
PEERS_CHECKED = 9
"""How many other users' private files each user probes (the next ones, cyclically): every
other user at the default of 10, and O(users) rather than O(users^2) requests beyond it."""


def _private_path(n: int) -> str:
    return f"private-{n}.txt"


def _marker(session: steps.Session) -> bytes:
    return f"marker of {session.user_id} in {session.session_id}".encode()


def run_batch(ctx: ScenarioContext, users: range) -> None:
    """Play users ``users`` (numbered from 1), one thread each, all at once: the whole
    scenario for them. Raw creation times go to ``ctx.sample`` before any check can stop the
    batch, so the judge always has them."""
    with (
        steps.SessionPool(ctx) as pool,
        ThreadPoolExecutor(max_workers=len(users)) as workers,
    ):

        def each(work: Callable[[T], R], items: Iterable[T]) -> list[R]:
            return list(workers.map(work, items))

        identities = [(ctx.client_id(n), steps.user_id(ctx, n)) for n in users]
        attempts = each(lambda identity: pool.attempt(*identity), identities)
        failures = [p for p in (a.problem() for a in attempts) if p is not None]
        ctx.sample("creation_seconds", [attempt.seconds for attempt in attempts])
        ctx.sample("sessions_created", [float(len(users) - len(failures))])
        ctx.check("all-sessions-created", not failures, _first_few(failures))

        sessions = {n: attempt.session() for n, attempt in zip(users, attempts, strict=True)}
        for session in sessions.values():
            steps.wait_session_healthy(
                ctx, session.session_id, timeout=ctx.sla.cold_start_max_seconds
            )

        def write(n: int) -> list[str]:
            sid = sessions[n].session_id
            problems = []
            for path, body in ((MARKER_PATH, _marker(sessions[n])), (_private_path(n), b"x")):
                outcome = steps.probe(partial(ctx.api.put_file, sid, path, body))
                if outcome.status not in (200, 201):
                    problems.append(f"user {n} PUT {path} {outcome.describe()}")
            return problems

        _check_all(ctx, "markers-written", each(write, sessions))
        _check_all(
            ctx, "own-marker-isolated", each(lambda n: _own_marker(ctx, sessions, n), sessions)
        )
        _check_all(
            ctx, "private-files-isolated", each(lambda n: _others(ctx, sessions, n), sessions)
        )
        _check_all(ctx, "session-owner", each(lambda n: _owner(ctx, sessions[n]), sessions))


def judge(ctx: ScenarioContext, samples: Mapping[str, list[float]]) -> None:
    """Every batch's creation times as one distribution: the p95 the SLA is about."""
    seconds = samples.get("creation_seconds", [])
    if seconds:
        sla = ctx.sla.session_creation_p95_max_seconds
        ctx.metric("session_creation_p50_seconds", percentile(seconds, 50))
        ctx.metric("session_creation_p95_seconds", percentile(seconds, 95), sla=sla)
    ctx.metric("sessions_created", sum(samples.get("sessions_created", [])))


def run(ctx: ScenarioContext) -> None:
    """Every user in this process, as one batch (the state machine fans the batches out and
    calls ``run_batch`` per batch); the runner then judges, as for the fanned-out ones."""
    users = int(ctx.param("users"))
    ctx.check("users-valid", users >= 1, f"users must be at least 1, got {users}")
    run_batch(ctx, range(1, users + 1))


def _first_few(problems: list[str]) -> str:
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def _own_marker(ctx: ScenarioContext, sessions: dict[int, steps.Session], n: int) -> list[str]:
    """The shared relative path must hold exactly this user's content."""
    outcome = steps.probe(lambda: ctx.api.get_file(sessions[n].session_id, MARKER_PATH))
    if outcome.status != 200 or outcome.response is None:
        return [f"user {n} GET {MARKER_PATH} {outcome.describe()}"]
    if outcome.response.body != _marker(sessions[n]):
        return [f"user {n} read {outcome.response.body[:80]!r} from its own {MARKER_PATH}"]
    return []


def _others(ctx: ScenarioContext, sessions: dict[int, steps.Session], n: int) -> list[str]:
    """No other user's private file is visible through this user's session path."""
    sid = sessions[n].session_id
    numbers = list(sessions)
    problems = []
    for index in peers_of(numbers.index(n) + 1, len(numbers)):
        m = numbers[index - 1]
        outcome = steps.probe(partial(ctx.api.get_file, sid, _private_path(m)))
        if outcome.status != 404:
            problems.append(f"user {n} GET {_private_path(m)} {outcome.describe()}")
    return problems


def peers_of(n: int, users: int) -> list[int]:
    """The users (numbered from 1 within a batch) whose private files user ``n`` must not
    see: peers are taken inside the batch, so a batch checks its own users completely."""
    return [(n + step - 1) % users + 1 for step in range(1, min(users - 1, PEERS_CHECKED) + 1)]


def _owner(ctx: ScenarioContext, session: steps.Session) -> list[str]:
    outcome = steps.probe(lambda: ctx.api.get_session(session.session_id))
    body = outcome.response.json_or_none() if outcome.response is not None else None
    owner = body.get("userId") if isinstance(body, dict) else None
    if outcome.status != 200 or owner != session.user_id:
        return [f"{session.user_id}: GET /api/sessions/<id> {outcome.describe()}, userId {owner!r}"]
    return []


def _check_all(ctx: ScenarioContext, name: str, problems: list[list[str]]) -> None:
    """One check over every user's problems; the detail shows the first few."""
    flat = [problem for user in problems for problem in user]
    ctx.check(name, not flat, _first_few(flat))


DEFINITION = ScenarioDefinition(
    name="concurrent-sessions",
    summary="Concurrent users each get a session of their own; no workspace is shared.",
    group="load",
    tags=("full",),
    timeout_seconds=600,
    metrics={
        "session_creation_p50_seconds": "seconds",
        "session_creation_p95_seconds": "seconds",
        "sessions_created": "count",
    },
    checks=(
        "users-valid",
        "all-sessions-created",
        "session-healthy",
        "not-ready-is-503",
        "no-hang",
        "markers-written",
        "own-marker-isolated",
        "private-files-isolated",
        "session-owner",
    ),
    run=run,
    disrupts=frozenset(),
    uses=frozenset({EDIT_SERVICE, API, SESSIONS_TABLE, WORKSPACES}),
    needs=ServiceState.WARM,
    params={"users": 10},
    fan_out=FanOut(
        users_param="users",
        run_batch=run_batch,
        judge=judge,
        timing_checks=frozenset(
            {
                "all-sessions-created",
                "session-healthy",
                "not-ready-is-503",
                "no-hang",
                "markers-written",
                "sla:session_creation_p95_seconds",
            }
        ),
    ),
)
