"""The reference target's edit-service controller, driven directly against moto."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from harness.aws.clients import client
from harness.config import ReferenceTargetConfig, TargetConfig
from harness.local.moto_server import MotoServer
from harness.local.reference_target.controller import EditServiceController
from harness.local.reference_target.provision import provision_target_resources

WAIT = 30.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_a_crash_is_marked_before_anyone_can_see_the_container_gone(
    moto_server: MotoServer,
) -> None:
    """Between a crashed task's disappearance and the crash being marked, a request would
    find no container and no crash, and answer as if one were starting (a 503, where the
    crash_error_500 fault answers 500): the two must happen in one step."""
    suffix = uuid.uuid4().hex[:8]
    target = TargetConfig(
        ecs_cluster=f"c-{suffix}", ecs_service=f"edit-{suffix}", sessions_table=f"t-{suffix}"
    )
    provision_target_resources(target, moto_server.endpoint)
    ecs = client("ecs", region=target.region, endpoint_url=moto_server.endpoint)
    seen_when_gone: list[bool] = []
    gone = threading.Event()
    controller: EditServiceController | None = None

    def on_task_gone(task_id: str) -> None:
        assert controller is not None
        seen_when_gone.append(controller.crashed())
        gone.set()

    settings = ReferenceTargetConfig(cold_start_seconds=0.1, recovery_seconds=5.0)
    controller = EditServiceController(target, settings, ecs, on_task_gone, 60.0)
    controller.start()
    try:
        ecs.update_service(cluster=target.ecs_cluster, service=target.ecs_service, desiredCount=1)
        wait_until(lambda: controller.healthy_task() is not None, "no task ever started")
        task = controller.healthy_task()
        ecs.stop_task(cluster=target.ecs_cluster, task=task, reason="crash from outside")
        assert gone.wait(WAIT), "the controller never noticed the crash"
        assert seen_when_gone == [True]
        assert controller.crashed() and controller.healthy_task() is None
    finally:
        controller.stop()
