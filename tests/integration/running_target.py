"""A running reference target for the tests that drive it over HTTP (``start_target``):
its own table/cluster/service names (moto state is process-global), the ports to drive it,
and waits with deadlines."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.aws.target_infra import Boto3TargetInfra
from harness.config import ReferenceTargetConfig, SlaConfig, TargetConfig
from harness.local.moto_server import MotoServer
from harness.local.reference_target import ReferenceTarget
from harness.target.api import HttpTargetApi
from harness.target.http import HttpClient, Response
from harness.wire import ResolvedTarget

COLD = 0.2
RECOVERY = 0.3
POLL = 0.02
# Deadlines of the waits below: far above the delays above, so a busy machine never trips them.
WAIT = 30.0


@dataclass
class Running:
    target: ReferenceTarget
    api: HttpTargetApi
    infra: Boto3TargetInfra
    workdir: Path

    def new_session(self) -> str:
        answer = self.api.create_session(f"TEST_{uuid.uuid4().hex[:6]}", "user-1")
        assert answer.status == 201, answer.body
        return str(answer.json()["sessionId"])

    def wait_healthy(self, session_id: str, timeout: float = WAIT) -> Response:
        return wait_for(lambda: self.api.session_health(session_id), 200, timeout)

    def wait_new_task(self, session_id: str, old_task: str) -> str:
        """Wait until the session is served by a task other than ``old_task`` (replaced)."""
        deadline = time.monotonic() + WAIT
        while True:
            answer = self.api.session_health(session_id)
            if answer.status == 200 and answer.json()["taskArn"] != old_task:
                return str(answer.json()["taskArn"])
            assert time.monotonic() < deadline, f"no new task within {WAIT}s"
            time.sleep(0.01)


StartTarget = Callable[..., Running]


def wait_for(call: Callable[[], Response], status: int, timeout: float = WAIT) -> Response:
    """Call until the answer has ``status``; fail at the deadline with the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = call()
        if answer.status == status:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"wanted {status} within {timeout}s, last: {answer.status}")
        time.sleep(0.01)


def config_for(suffix: str) -> TargetConfig:
    return TargetConfig(
        ecs_cluster=f"cluster-{suffix}",
        ecs_service=f"edit-{suffix}",
        sessions_table=f"sessions-{suffix}",
    )


def resolved(config: TargetConfig, endpoint: str, aws_endpoint_url: str) -> ResolvedTarget:
    """The target as a run sees it: the config plus where its HTTP and AWS sides answer."""
    return ResolvedTarget.model_validate(
        {**config.model_dump(), "endpoint": endpoint, "aws_endpoint_url": aws_endpoint_url}
    )


@pytest.fixture
def start_target(moto_server: MotoServer, tmp_path: Path) -> Iterator[StartTarget]:
    started: list[ReferenceTarget] = []

    def start(
        *faults: str, cold: float = COLD, recovery: float = RECOVERY, cold_start_sla: float = 60
    ) -> Running:
        suffix = uuid.uuid4().hex[:8]
        config = config_for(suffix)
        settings = ReferenceTargetConfig(
            cold_start_seconds=cold,
            recovery_seconds=recovery,
            poll_interval_seconds=POLL,
            faults=list(faults),
        )
        workdir = tmp_path / suffix
        sla = SlaConfig(cold_start_max_seconds=cold_start_sla)
        target = ReferenceTarget(config, settings, moto_server.endpoint, workdir, sla).start()
        started.append(target)
        api = HttpTargetApi(HttpClient(target.endpoint, timeout_seconds=10))
        infra = Boto3TargetInfra(resolved(config, target.endpoint, moto_server.endpoint))
        return Running(target, api, infra, workdir)

    yield start
    for target in started:
        target.stop()


def crash(running: Running) -> str:
    tasks = running.infra.running_task_ids()
    assert len(tasks) == 1
    running.infra.stop_task(tasks[0], "test: crash")
    return tasks[0]
