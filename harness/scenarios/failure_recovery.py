"""Failure recovery: a crashed edit container degrades cleanly and comes back by itself.

Stopping the running task is the crash (the same ``StopTask`` in AWS and locally). The
stack must answer a prompt 503 meanwhile, keep its API up, replace the task within the
recovery SLA, and lose none of the session's data.
"""

from __future__ import annotations

import time

from harness.scenarios import steps
from harness.scenarios.base import (
    API,
    EDIT_SERVICE,
    SESSIONS_TABLE,
    WORKSPACES,
    ScenarioContext,
    ScenarioDefinition,
)
from harness.wire import ServiceState

FILE_PATH = "recovery/before-crash.txt"
CRASH_POLL_SECONDS = 0.05
"""Finer than the usual poll, so a short outage is still seen (a fast recovery is no excuse
for a missing 503)."""


def run(ctx: ScenarioContext) -> None:
    content = f"written by run {ctx.run.run_id} before the crash".encode()
    with steps.SessionPool(ctx) as pool:
        sid = pool.create().session_id
        steps.wait_session_healthy(ctx, sid, timeout=ctx.sla.cold_start_max_seconds)
        steps.write_file(ctx, sid, FILE_PATH, content)
        tasks = ctx.infra.running_task_ids()
        ctx.check("running-task-found", bool(tasks), "the edit service has no running task")

        crashed = time.monotonic()
        for task_id in tasks:
            ctx.infra.stop_task(task_id, "harness failure-recovery")

        def unavailable() -> steps.Probe | None:
            outcome = steps.session_health(ctx, sid)
            return None if outcome.status == 200 else outcome

        outcome, _ = ctx.wait_for(
            "crash-noticed",
            unavailable,
            timeout=ctx.sla.error_response_max_seconds,
            interval=CRASH_POLL_SECONDS,
        )
        steps.expect_clean_unavailable(ctx, outcome)
        ctx.metric(
            "error_response_seconds",
            time.monotonic() - crashed,
            sla=ctx.sla.error_response_max_seconds,
        )
        api = steps.probe(lambda: ctx.api.get_session(sid))
        ctx.check("api-independent", api.status == 200, f"GET /api/sessions/<id> {api.describe()}")

        limit = ctx.sla.recovery_max_seconds
        steps.wait_session_healthy(
            ctx,
            sid,
            timeout=max(0.0, limit - (time.monotonic() - crashed)),
            what="recovered-within-sla",
        )
        ctx.metric("recovery_seconds", time.monotonic() - crashed, sla=limit)
        steps.expect_file(ctx, "workspace-survives-crash", sid, FILE_PATH, content)
        item = ctx.infra.get_session_item(sid)
        ctx.check("session-item-survives", item is not None, f"no item for {sid}")


DEFINITION = ScenarioDefinition(
    name="failure-recovery",
    summary="A crashed edit container gives prompt 503s, then recovers with its data intact.",
    group="routing",
    tags=("full",),
    timeout_seconds=840,
    metrics={"error_response_seconds": "seconds", "recovery_seconds": "seconds"},
    checks=(
        "session-created",
        "session-healthy",
        "file-written",
        "running-task-found",
        "crash-noticed",
        "no-hang",
        "unavailable-is-503",
        "error-body-json",
        "retry-after",
        "api-independent",
        "not-ready-is-503",
        "recovered-within-sla",
        "workspace-survives-crash",
        "session-item-survives",
    ),
    run=run,
    disrupts=frozenset({EDIT_SERVICE}),
    uses=frozenset({API, SESSIONS_TABLE, WORKSPACES}),
    needs=ServiceState.WARM,
    leaves=ServiceState.WARM,
)
