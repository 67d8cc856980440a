"""Session persistence: a session's workspace and record outlive its edit container.

The workspace sits on EFS precisely so that a container restart (scale to zero and back, a
redeploy) loses nothing; this scenario restarts the container and reads the file back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

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

FILE_PATH = "notes/persist.bin"


def session_item_problems(
    item: Mapping[str, Any], session: steps.Session, now_epoch: float
) -> list[str]:
    """What is wrong with a session's DynamoDB item, per the target contract (empty = fine)."""
    problems = []
    for key, expected in (("clientId", session.client_id), ("userId", session.user_id)):
        if item.get(key) != expected:
            problems.append(f"{key} is {item.get(key)!r}, expected {expected!r}")
    if not item.get("status"):
        problems.append("status missing")
    created_at = item.get("createdAt")
    try:
        datetime.fromisoformat(str(created_at))
    except ValueError:
        problems.append(f"createdAt {created_at!r} is not ISO-8601")
    ttl = item.get("ttl")
    if not isinstance(ttl, int) or isinstance(ttl, bool):
        problems.append(f"ttl {ttl!r} is not epoch seconds")
    elif ttl <= now_epoch:
        problems.append(f"ttl {ttl} is not in the future")
    return problems


def run(ctx: ScenarioContext) -> None:
    content = os.urandom(int(ctx.param("file_bytes")))
    with steps.SessionPool(ctx) as pool:
        session = pool.create_measured()
        sid = session.session_id
        steps.wait_session_healthy(ctx, sid, timeout=ctx.sla.cold_start_max_seconds)
        steps.write_file(ctx, sid, FILE_PATH, content)
        steps.expect_file(ctx, "file-read-back", sid, FILE_PATH, content)

        item = ctx.infra.get_session_item(sid)
        ctx.check("session-item-exists", item is not None, f"no item for {sid}")
        assert item is not None  # for mypy: the check above stopped the scenario
        problems = session_item_problems(item, session, time.time())
        ctx.check("session-item-attributes", not problems, "; ".join(problems))

        steps.scale_to_zero(ctx, sid)
        ctx.infra.set_desired_count(1)
        restart = steps.wait_session_healthy(
            ctx, sid, timeout=ctx.sla.cold_start_max_seconds, what="session-healthy-after-restart"
        )
        ctx.metric("restart_seconds", restart)
        steps.expect_file(ctx, "workspace-survives-restart", sid, FILE_PATH, content)


DEFINITION = ScenarioDefinition(
    name="session-persistence",
    summary="Workspace files and the session record survive an edit-container restart.",
    group="lifecycle",
    tags=("full",),
    timeout_seconds=600,
    metrics={"session_creation_seconds": "seconds", "restart_seconds": "seconds"},
    checks=(
        "session-created",
        "session-healthy",
        "not-ready-is-503",
        "no-hang",
        "file-written",
        "file-read-back",
        "session-item-exists",
        "session-item-attributes",
        "scaled-to-zero",
        "session-unavailable-at-zero",
        "session-healthy-after-restart",
        "workspace-survives-restart",
    ),
    run=run,
    disrupts=frozenset({EDIT_SERVICE}),
    uses=frozenset({API, SESSIONS_TABLE, WORKSPACES}),
    needs=ServiceState.WARM,
    leaves=ServiceState.WARM,
    params={"file_bytes": 4096},
)
