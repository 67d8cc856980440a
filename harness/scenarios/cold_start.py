"""Cold start: the edit service scales 0 -> 1 on a new session within the SLA.

This is the path every first visitor of the day takes, so it is a smoke scenario.
"""

from __future__ import annotations

import time

from harness.scenarios import steps
from harness.scenarios.base import (
    API,
    EDIT_SERVICE,
    SESSIONS_TABLE,
    ScenarioContext,
    ScenarioDefinition,
)
from harness.wire import ServiceState


def run(ctx: ScenarioContext) -> None:
    steps.scale_to_zero(ctx)
    health = steps.probe(ctx.api.health)
    ctx.check("api-up-at-zero", health.status == 200, f"GET /health {health.describe()}")
    limit = ctx.sla.cold_start_max_seconds
    with steps.SessionPool(ctx) as pool:
        sent = time.monotonic()
        session = pool.create_measured()
        ctx.wait_for(
            "service-scaled-up",
            lambda: True if ctx.infra.desired_count() >= 1 else None,
            timeout=_left(sent, limit),
            interval=steps.POLL_SECONDS,
        )
        # The wait ends at the SLA: a slow cold start fails there instead of waiting on.
        steps.wait_session_healthy(
            ctx, session.session_id, timeout=_left(sent, limit), what="cold-start-within-sla"
        )
        ctx.metric("cold_start_seconds", time.monotonic() - sent, sla=limit)


def _left(since: float, limit: float) -> float:
    return max(0.0, limit - (time.monotonic() - since))


DEFINITION = ScenarioDefinition(
    name="cold-start",
    summary="A new session scales the edit service from 0 to 1 and becomes healthy in time.",
    group="lifecycle",
    tags=("smoke", "full"),
    timeout_seconds=420,
    metrics={"cold_start_seconds": "seconds", "session_creation_seconds": "seconds"},
    checks=(
        "scaled-to-zero",
        "api-up-at-zero",
        "session-created",
        "service-scaled-up",
        "not-ready-is-503",
        "no-hang",
        "cold-start-within-sla",
    ),
    run=run,
    disrupts=frozenset({EDIT_SERVICE}),
    uses=frozenset({API, SESSIONS_TABLE}),
    needs=ServiceState.COLD,
    leaves=ServiceState.WARM,
)
