"""Routing at zero: with no edit container at all, the ALB answers a session's requests with
a prompt 503 (JSON error, ``Retry-After``) instead of hanging or erroring.

Split out of ``alb-routing``: scaling the service to zero disrupts every other scenario on
the target, so this one runs alone and ``alb-routing`` runs next to the others.
"""

from __future__ import annotations

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
    with steps.SessionPool(ctx) as pool:
        sid = pool.create().session_id
        steps.wait_session_healthy(ctx, sid, timeout=ctx.sla.cold_start_max_seconds)
        outcome = steps.scale_to_zero(ctx, sid)
        assert outcome is not None  # scale_to_zero probes the session it was given
        steps.expect_clean_unavailable(ctx, outcome)
        assert outcome.response is not None  # expect_clean_unavailable checked it
        ctx.metric("unavailable_response_ms", outcome.response.elapsed_seconds * 1000)


DEFINITION = ScenarioDefinition(
    name="routing-at-zero",
    summary="With the edit service at zero, session routes answer a prompt 503, never hang.",
    group="routing",
    tags=("smoke", "full"),
    timeout_seconds=420,
    metrics={"unavailable_response_ms": "milliseconds"},
    checks=(
        "session-created",
        "session-healthy",
        "not-ready-is-503",
        "no-hang",
        "scaled-to-zero",
        "session-unavailable-at-zero",
        "unavailable-is-503",
        "error-body-json",
        "retry-after",
    ),
    run=run,
    disrupts=frozenset({EDIT_SERVICE}),
    uses=frozenset({API, SESSIONS_TABLE}),
    needs=ServiceState.WARM,
    leaves=ServiceState.COLD,
)
