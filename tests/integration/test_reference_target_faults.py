"""The reference target's fault switches, each over real HTTP on loopback against the real
moto server: what the matching scenario is meant to catch (docs/reference-target.md)."""

from __future__ import annotations

import threading
import time

import pytest

from harness.errors import TargetRequestError
from tests.integration.running_target import POLL, RECOVERY, StartTarget, crash, wait_for


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
