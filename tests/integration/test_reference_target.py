"""The bundled reference target over real HTTP on loopback, backed by the real moto server.

No mocks: each test starts its own target on its own table/cluster/service names (moto state
is process-global) and drives it the way the scenarios will, through ``TargetApi`` and
``Boto3TargetInfra``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from harness.errors import TargetRequestError
from harness.local.moto_server import MotoServer
from harness.local.reference_target import ReferenceTarget, provision_target_resources
from harness.target.api import HttpTargetApi
from harness.target.http import HttpClient
from tests.integration.running_target import COLD, StartTarget, crash, wait_for

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


def test_not_ready_during_a_cold_start(start_target: StartTarget) -> None:
    running = start_target(cold=600)  # never ready during this test
    sid = running.new_session()
    assert running.infra.desired_count() == 1
    early = running.api.session_health(sid)
    assert early.status == 503
    assert early.headers["retry-after"] == "1"
    assert early.json()["error"] == "service_unavailable"
    assert running.api.preview(sid).status == 503


def test_cold_start_scales_from_zero(start_target: StartTarget) -> None:
    running = start_target()
    assert running.infra.desired_count() == 0
    assert running.infra.running_task_ids() == []
    started = time.monotonic()
    sid = running.new_session()
    assert running.infra.desired_count() == 1

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
    recovery = 2.0  # a 503 window wide enough to be seen on a busy machine
    running = start_target(recovery=recovery)
    sid = running.new_session()
    first = running.wait_healthy(sid).json()["taskArn"]
    assert running.api.put_file(sid, "keep.txt", b"persistent").status == 201
    crashed_at = time.monotonic()
    assert crash(running) == first
    assert running.infra.running_task_ids() == []
    down = wait_for(lambda: running.api.session_health(sid), 503)
    assert "retry-after" in down.headers
    second = running.wait_healthy(sid).json()["taskArn"]
    # A lower bound only: the replacement cannot start before the recovery delay.
    assert time.monotonic() - crashed_at >= recovery
    assert second != first
    assert running.infra.running_task_ids() == [second]
    assert running.api.get_file(sid, "keep.txt").body == b"persistent"  # EFS survives


def test_scale_to_zero_stops_the_task(start_target: StartTarget) -> None:
    running = start_target()
    sid = running.new_session()
    running.wait_healthy(sid)
    running.infra.set_desired_count(0)
    wait_for(lambda: running.api.session_health(sid), 503)
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
    running.target.stop()
    running.target.stop()
    with pytest.raises(TargetRequestError):
        running.api.health()
    provision_target_resources(running.target.target, moto_server.endpoint)  # idempotent
    assert running.infra.desired_count() == 1
    with ReferenceTarget(
        running.target.target, running.target.settings, moto_server.endpoint, tmp_path / "again"
    ) as again:
        api = HttpTargetApi(HttpClient(again.endpoint, timeout_seconds=10))
        assert stale[0] not in running.infra.running_task_ids()
        fresh = wait_for(lambda: api.session_health(sid), 200).json()["taskArn"]
        assert running.infra.running_task_ids() == [fresh]
