"""The bundled reference target over real HTTP on loopback, backed by the real moto server.

No mocks: each test starts its own target on its own table/cluster/service names (moto state
is process-global) and drives it the way the scenarios will, through ``TargetApi`` and
``Boto3TargetInfra``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from harness.aws.target_infra import Boto3TargetInfra
from harness.config import ReferenceTargetConfig, TargetConfig
from harness.errors import TargetRequestError
from harness.local.moto_server import MotoServer
from harness.local.reference_target import ReferenceTarget, provision_target_resources
from harness.target.api import HttpTargetApi
from harness.target.http import HttpClient, Response
from harness.wire import ResolvedTarget

COLD = 0.2
RECOVERY = 0.3
POLL = 0.02


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

    def wait_healthy(self, session_id: str, timeout: float = 5.0) -> Response:
        return wait_for(lambda: self.api.session_health(session_id), 200, timeout)


StartTarget = Callable[..., Running]


def wait_for(call: Callable[[], Response], status: int, timeout: float = 5.0) -> Response:
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
    return ResolvedTarget(
        name=config.name,
        endpoint=endpoint,
        aws_endpoint_url=aws_endpoint_url,
        region=config.region,
        ecs_cluster=config.ecs_cluster,
        ecs_service=config.ecs_service,
        sessions_table=config.sessions_table,
        test_prefix=config.test_prefix,
        request_timeout_seconds=config.request_timeout_seconds,
    )


@pytest.fixture
def start_target(moto_server: MotoServer, tmp_path: Path) -> Iterator[StartTarget]:
    started: list[ReferenceTarget] = []

    def start(*faults: str, cold: float = COLD, recovery: float = RECOVERY) -> Running:
        suffix = uuid.uuid4().hex[:8]
        config = config_for(suffix)
        settings = ReferenceTargetConfig(
            cold_start_seconds=cold,
            recovery_seconds=recovery,
            poll_interval_seconds=POLL,
            faults=list(faults),
        )
        workdir = tmp_path / suffix
        target = ReferenceTarget(config, settings, moto_server.endpoint, workdir).start()
        started.append(target)
        api = HttpTargetApi(HttpClient(target.endpoint, timeout_seconds=5))
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


# --- API ---------------------------------------------------------------------------------


def test_health_and_unknown_routes_answer_json(start_target: StartTarget) -> None:
    running = start_target()
    assert running.api.health().status == 200
    assert running.api.health().json() == {"status": "ok"}
    for method, path in [("GET", "/nope"), ("GET", "/api/sessions"), ("PATCH", "/health")]:
        answer = running.api.raw(method, path)
        assert answer.status == 404
        assert set(answer.json()) == {"error", "message"}
    assert running.infra.desired_count() == 0  # the API does not need an edit container


def test_session_create_get_delete(start_target: StartTarget) -> None:
    running = start_target()
    created = running.api.create_session("TEST_run_1", "user-7")
    assert created.status == 201
    session = created.json()
    sid = session["sessionId"]
    assert session["clientId"] == "TEST_run_1"
    assert session["userId"] == "user-7"
    assert session["status"] == "active"
    assert session["previewPath"] == f"/session/{sid}/"
    item = running.infra.get_session_item(sid)
    assert item is not None
    assert {"sessionId", "clientId", "userId", "status", "createdAt", "ttl"} <= set(item)
    assert datetime.fromisoformat(item["createdAt"]).tzinfo is not None
    assert 23 * 3600 < item["ttl"] - time.time() <= 24 * 3600
    assert running.infra.find_session_ids("TEST_run_") == [sid]

    fetched = running.api.get_session(sid)
    assert fetched.status == 200
    assert fetched.json()["clientId"] == "TEST_run_1"
    running.wait_healthy(sid)
    assert running.api.put_file(sid, "a.txt", b"x").status == 201
    assert (running.workdir / "efs" / sid / "a.txt").exists()

    assert running.api.delete_session(sid).status == 204
    assert running.api.get_session(sid).status == 404
    assert running.api.delete_session(sid).status == 404
    assert running.api.session_health(sid).status == 404
    assert running.infra.get_session_item(sid) is None
    assert not (running.workdir / "efs" / sid).exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        b'{"clientId": "c"}',
        b'{"userId": "u"}',
        b'{"clientId": "", "userId": "u"}',
    ],
)
def test_create_session_rejects_bad_bodies(start_target: StartTarget, body: bytes) -> None:
    running = start_target()
    answer = running.api.raw("POST", "/api/sessions", body=body)
    assert answer.status == 400
    assert set(answer.json()) == {"error", "message"}
    assert running.infra.desired_count() == 0


def test_unknown_session_is_404_even_when_scaled_to_zero(start_target: StartTarget) -> None:
    running = start_target()
    for path in ["/session/nope/health", "/session/nope/", "/session/nope/workspace/a"]:
        answer = running.api.raw("GET", path)
        assert answer.status == 404
        assert answer.json()["error"] == "session_not_found"
    assert running.api.get_session("nope").status == 404


# --- the edit container: cold start, crash, scale to zero -------------------------------


def test_cold_start_scales_from_zero(start_target: StartTarget) -> None:
    running = start_target()
    assert running.infra.desired_count() == 0
    assert running.infra.running_task_ids() == []
    started = time.monotonic()
    sid = running.new_session()
    assert running.infra.desired_count() == 1
    early = running.api.session_health(sid)
    assert early.status == 503
    assert early.headers["retry-after"] == "1"
    assert early.json()["error"] == "service_unavailable"
    assert running.api.preview(sid).status == 503

    healthy = running.wait_healthy(sid)
    assert time.monotonic() - started >= COLD
    assert healthy.json()["sessionId"] == sid
    assert running.infra.running_task_ids() == [healthy.json()["taskArn"]]
    preview = running.api.preview(sid)
    assert preview.status == 200
    assert preview.headers["content-type"].startswith("text/html")
    assert running.api.raw("GET", f"/session/{sid}/elsewhere").status == 404

    # A second session rides on the same container: no new cold start.
    other = running.new_session()
    assert running.api.session_health(other).status == 200


def test_workspace_files(start_target: StartTarget) -> None:
    running = start_target()
    sid, other = running.new_session(), running.new_session()
    running.wait_healthy(sid)
    content = bytes(range(256)) * 10
    assert running.api.put_file(sid, "src/pages/index.html", content).status == 201
    assert running.api.put_file(sid, "src/pages/index.html", b"v2").status == 200
    got = running.api.get_file(sid, "src/pages/index.html")
    assert got.status == 200
    assert got.body == b"v2"
    assert got.headers["content-type"] == "application/octet-stream"
    assert running.api.put_file(sid, "bin.dat", content).status == 201
    assert running.api.get_file(sid, "bin.dat").body == content
    assert running.api.get_file(sid, "absent.txt").status == 404
    assert running.api.get_file(sid, "src/pages").status == 404  # a folder is not a file
    assert running.api.get_file(other, "bin.dat").status == 404  # isolation
    for bad in ["", "a//b", "./a", "a/./b", "a/../b", "..", "%2e%2e/x", "a%2Fb", "a/"]:
        answer = running.api.put_file(sid, bad, b"evil")
        assert answer.status == 400, bad
        assert answer.json()["error"] == "invalid_path"
        assert running.api.get_file(sid, bad).status == 400, bad
    assert running.api.put_file(sid, "src", b"x").status == 409  # a folder stands there
    assert not list(running.workdir.glob("**/evil"))


def test_stop_task_is_a_crash_and_the_service_recovers(start_target: StartTarget) -> None:
    running = start_target()
    sid = running.new_session()
    first = running.wait_healthy(sid).json()["taskArn"]
    assert running.api.put_file(sid, "keep.txt", b"persistent").status == 201
    assert crash(running) == first
    assert running.infra.running_task_ids() == []
    down = wait_for(lambda: running.api.session_health(sid), 503, timeout=2)
    assert "retry-after" in down.headers
    crashed_at = time.monotonic()
    second = running.wait_healthy(sid).json()["taskArn"]
    assert time.monotonic() - crashed_at >= RECOVERY - 2 * POLL
    assert second != first
    assert running.infra.running_task_ids() == [second]
    assert running.api.get_file(sid, "keep.txt").body == b"persistent"  # EFS survives


def test_scale_to_zero_stops_the_task(start_target: StartTarget) -> None:
    running = start_target()
    sid = running.new_session()
    running.wait_healthy(sid)
    running.infra.set_desired_count(0)
    wait_for(lambda: running.api.session_health(sid), 503, timeout=2)
    assert running.infra.running_task_ids() == []
    assert running.api.get_session(sid).status == 200  # the API keeps its sessions
    running.infra.set_desired_count(1)
    running.wait_healthy(sid)
    assert len(running.infra.running_task_ids()) == 1


def test_scale_to_zero_then_post_at_once_is_a_real_cold_start(start_target: StartTarget) -> None:
    running = start_target()
    sid = running.new_session()
    first = running.wait_healthy(sid).json()["taskArn"]
    running.infra.set_desired_count(0)
    other = running.new_session()  # before any poll saw the zero
    assert running.api.session_health(other).status == 503
    second = running.wait_healthy(other).json()["taskArn"]
    assert second != first
    assert running.infra.running_task_ids() == [second]


def test_concurrent_requests(start_target: StartTarget) -> None:
    running = start_target()
    with ThreadPoolExecutor(max_workers=20) as pool:
        sids = list(pool.map(lambda _: running.new_session(), range(20)))
    assert len(set(sids)) == 20
    running.wait_healthy(sids[0])

    def roundtrip(sid: str) -> bytes:
        assert running.api.put_file(sid, "f.txt", sid.encode()).status == 201
        return running.api.get_file(sid, "f.txt").body

    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(roundtrip, sids))
    assert bodies == [sid.encode() for sid in sids]


def test_stop_is_fast_idempotent_and_a_restart_clears_stale_tasks(
    start_target: StartTarget, moto_server: MotoServer, tmp_path: Path
) -> None:
    running = start_target()
    sid = running.new_session()
    running.wait_healthy(sid)
    stale = running.infra.running_task_ids()
    started = time.monotonic()
    running.target.stop()
    running.target.stop()
    assert time.monotonic() - started < 1.0
    with pytest.raises(TargetRequestError):
        running.api.health()
    provision_target_resources(running.target.target, moto_server.endpoint)  # idempotent
    assert running.infra.desired_count() == 1
    with ReferenceTarget(
        running.target.target, running.target.settings, moto_server.endpoint, tmp_path / "again"
    ) as again:
        api = HttpTargetApi(HttpClient(again.endpoint, timeout_seconds=5))
        assert stale[0] not in running.infra.running_task_ids()
        fresh = wait_for(lambda: api.session_health(sid), 200).json()["taskArn"]
        assert running.infra.running_task_ids() == [fresh]


# --- faults ------------------------------------------------------------------------------


def test_fault_lose_workspace(start_target: StartTarget) -> None:
    running = start_target("lose_workspace")
    sid = running.new_session()
    running.wait_healthy(sid)
    assert running.api.put_file(sid, "draft.md", b"work").status == 201
    assert running.api.get_file(sid, "draft.md").body == b"work"
    crash(running)
    wait_for(lambda: running.api.session_health(sid), 503, timeout=2)
    running.wait_healthy(sid)
    assert running.api.get_file(sid, "draft.md").status == 404


def test_fault_shared_workspace(start_target: StartTarget) -> None:
    running = start_target("shared_workspace")
    first, second = running.new_session(), running.new_session()
    running.wait_healthy(first)
    assert running.api.put_file(first, "secret.txt", b"first's").status == 201
    leaked = running.api.get_file(second, "secret.txt")
    assert leaked.status == 200
    assert leaked.body == b"first's"


def test_fault_drop_session_attributes(start_target: StartTarget) -> None:
    running = start_target("drop_session_attributes")
    sid = running.new_session()
    item = running.infra.get_session_item(sid)
    assert item is not None
    assert "userId" not in item
    assert "ttl" not in item
    assert "userId" not in running.api.get_session(sid).json()


def test_fault_misroute(start_target: StartTarget) -> None:
    running = start_target("misroute")
    sid = running.new_session()
    running.wait_healthy(sid)
    unknown = running.api.session_health("no-such-session")
    assert unknown.status == 200  # the bug: should be 404
    assert running.api.put_file("stranger", "x.txt", b"misrouted").status == 201
    assert running.api.get_file("another-stranger", "x.txt").body == b"misrouted"
    assert running.api.get_file(sid, "x.txt").status == 404  # known sessions keep their own


def test_fault_hang_when_unhealthy(start_target: StartTarget) -> None:
    running = start_target("hang_when_unhealthy", cold=60)
    sid = running.new_session()
    with pytest.raises(TargetRequestError, match="no answer"):
        running.api.session_health(sid, timeout_seconds=0.3)
    assert running.api.health().status == 200  # only /session/* hangs

    answers: list[int] = []
    waiting = threading.Thread(
        target=lambda: answers.append(running.api.session_health(sid).status)
    )
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    running.target.stop()
    waiting.join(2)
    assert time.monotonic() - started < 1.0
    assert not waiting.is_alive()


def test_fault_no_recovery(start_target: StartTarget) -> None:
    running = start_target("no_recovery")
    sid = running.new_session()
    running.wait_healthy(sid)
    crash(running)
    wait_for(lambda: running.api.session_health(sid), 503, timeout=2)
    time.sleep(RECOVERY * 3)
    assert running.api.session_health(sid).status == 503
    assert running.infra.running_task_ids() == []
    running.infra.set_desired_count(0)  # an operator's manual fix still works
    time.sleep(POLL * 5)
    running.infra.set_desired_count(1)
    running.wait_healthy(sid)


def test_fault_crash_error_500(start_target: StartTarget) -> None:
    running = start_target("crash_error_500")
    sid = running.new_session()
    answer = running.api.session_health(sid)
    assert answer.status == 500
    assert answer.json()["error"] == "internal_error"
    running.wait_healthy(sid)


def test_fault_slow_cold_start(start_target: StartTarget) -> None:
    running = start_target("slow_cold_start", cold=0.1)
    started = time.monotonic()
    sid = running.new_session()
    running.wait_healthy(sid, timeout=5)
    assert time.monotonic() - started >= 1.0
