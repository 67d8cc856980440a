"""ALB routing: path-based rules send each request to the right place, and only there.

Checks the three routes of the contract (``/health``, ``/api/*``, ``/session/<id>/*``) and
that unknown sessions and paths get a JSON 404 (never someone else's page). It only uses the
edit service, so it runs next to other scenarios that do; what the ALB answers with no
container at all is ``routing-at-zero``'s job (it needs the service alone).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial

from harness.judge.stats import percentile
from harness.scenarios import steps
from harness.scenarios.base import (
    API,
    EDIT_SERVICE,
    SESSIONS_TABLE,
    ScenarioContext,
    ScenarioDefinition,
)
from harness.target.http import Response
from harness.wire import ServiceState


def run(ctx: ScenarioContext) -> None:
    answered: list[Response] = []

    def get(call: str, send: Callable[[], Response]) -> Response:
        outcome = steps.probe(send)
        ctx.check("no-hang", outcome.response is not None, f"{call}: {outcome.describe()}")
        assert outcome.response is not None  # for mypy: the check above stopped the scenario
        answered.append(outcome.response)
        return outcome.response

    health = get("GET /health", ctx.api.health)
    ctx.check(
        "api-health",
        health.status == 200 and health.json_or_none() == {"status": "ok"},
        f"answered {health.status} {health.body[:80]!r}",
    )
    with steps.SessionPool(ctx) as pool:
        sid = pool.create().session_id
        found = get("GET /api/sessions/<id>", lambda: ctx.api.get_session(sid))
        body = found.json_or_none()
        ctx.check(
            "session-lookup",
            found.status == 200 and isinstance(body, dict) and body.get("sessionId") == sid,
            f"answered {found.status} {found.body[:80]!r}",
        )
        steps.wait_session_healthy(ctx, sid, timeout=ctx.sla.cold_start_max_seconds)
        routed = get("GET /session/<id>/health", lambda: ctx.api.session_health(sid))
        ctx.check("session-route", routed.status == 200, f"answered {routed.status}")
        page = get("GET /session/<id>/", lambda: ctx.api.preview(sid))
        ctx.check(
            "preview-route",
            page.status == 200 and "text/html" in page.headers.get("content-type", ""),
            f"answered {page.status} {page.headers.get('content-type')!r}",
        )
        unknown = str(uuid.uuid4())
        stray = get("GET /session/<unknown>/health", lambda: ctx.api.session_health(unknown))
        ctx.check("unknown-session-404", stray.status == 404, f"answered {stray.status}")
        for name, path in (
            ("unknown-path-404", "/no-such-path"),
            ("unknown-api-404", "/api/no-such"),
        ):
            answer = get(f"GET {path}", partial(ctx.api.raw, "GET", path))
            error = answer.json_or_none()
            ctx.check(
                name,
                answer.status == 404 and isinstance(error, dict) and "error" in error,
                f"GET {path} answered {answer.status} {answer.body[:80]!r}",
            )
        latencies = [response.elapsed_seconds * 1000 for response in answered]
        ctx.metric("routing_latency_p95_ms", percentile(latencies, 95))


DEFINITION = ScenarioDefinition(
    name="alb-routing",
    summary="Path-based routing reaches the API and each session; unknowns 404; no hangs.",
    group="routing",
    tags=("smoke", "full"),
    timeout_seconds=420,
    metrics={"routing_latency_p95_ms": "milliseconds"},
    checks=(
        "no-hang",
        "api-health",
        "session-created",
        "session-lookup",
        "session-healthy",
        "not-ready-is-503",
        "session-route",
        "preview-route",
        "unknown-session-404",
        "unknown-path-404",
        "unknown-api-404",
    ),
    run=run,
    disrupts=frozenset(),
    uses=frozenset({EDIT_SERVICE, API, SESSIONS_TABLE}),
    needs=ServiceState.WARM,
)
