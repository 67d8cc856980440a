"""A scenario plugin: the preview page of a new session renders (docs/scenarios.md)."""

from harness.scenarios import ScenarioContext, ScenarioDefinition, steps
from harness.scenarios.base import API, EDIT_SERVICE, SESSIONS_TABLE
from harness.wire import ServiceState


def run(ctx: ScenarioContext) -> None:
    with steps.SessionPool(ctx) as pool:  # deletes its sessions at the end
        sid = pool.create().session_id  # checks "session-created"
        waited = steps.wait_session_healthy(ctx, sid, timeout=ctx.sla.cold_start_max_seconds)
        page = ctx.api.preview(sid)
        ctx.check("preview-has-title", b"<title>" in page.body, f"answered {page.status}")
        ctx.metric("preview_ready_seconds", waited)


DEFINITION = ScenarioDefinition(
    name="preview-assets",
    summary="The preview page of a new session renders.",
    group="routing",
    tags=("full",),
    timeout_seconds=300,
    metrics={"preview_ready_seconds": "seconds"},
    checks=(
        "session-created",
        "session-healthy",
        "not-ready-is-503",
        "no-hang",
        "preview-has-title",
    ),
    run=run,
    disrupts=frozenset(),  # it scales nothing and stops nothing
    uses=frozenset({EDIT_SERVICE, API, SESSIONS_TABLE}),
    needs=ServiceState.WARM,  # a container running when it starts
)
