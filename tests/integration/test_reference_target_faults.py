"""The reference target's fault switches, each over real HTTP on loopback against the real
moto server: what the matching scenario is meant to catch (docs/reference-target.md)."""

from __future__ import annotations

import threading
import time

import pytest

from harness.errors import TargetRequestError
from harness.target.api import HttpTargetApi
from harness.target.http import HttpClient
from tests.integration.running_target import RECOVERY, WAIT, StartTarget, crash, wait_for


def test_fault_lose_workspace(start_target: StartTarget) -> None:
    running = start_target("lose_workspace")
    sid = running.new_session()
    running.wait_healthy(sid)
    assert running.api.put_file(sid, "draft.md", b"work").status == 201
    assert running.api.get_file(sid, "draft.md").body == b"work"
    running.wait_new_task(sid, crash(running))
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

    answers: list[object] = []
    slow = HttpTargetApi(HttpClient(running.target.endpoint, timeout_seconds=120))

    def held() -> None:
        try:
            answers.append(slow.session_health(sid).status)
        except TargetRequestError as err:  # the server went away under it: also released
            answers.append(err)

    waiting = threading.Thread(target=held)
    waiting.start()
    deadline = time.monotonic() + WAIT
    while running.target.held_requests() < 1:  # the request is being held
        assert time.monotonic() < deadline
        time.sleep(0.01)
    running.target.stop()
    waiting.join(WAIT)  # stop() releases it: far sooner than the 60 s hang or the timeout
    assert not waiting.is_alive()
    assert len(answers) == 1


def test_fault_no_recovery(start_target: StartTarget) -> None:
    running = start_target("no_recovery")
    sid = running.new_session()
    running.wait_healthy(sid)
    crash(running)
    wait_for(lambda: running.api.session_health(sid), 503)
    time.sleep(RECOVERY * 3)
    assert running.api.session_health(sid).status == 503
    assert running.infra.running_task_ids() == []
    running.infra.set_desired_count(0)  # an operator's fix: scale in, and the next visitor
    running.new_session()  # scales the service out again
    running.wait_healthy(sid)


def test_fault_crash_error_500(start_target: StartTarget) -> None:
    running = start_target("crash_error_500", cold=600, recovery=600)
    sid = running.new_session()
    assert running.api.session_health(sid).status == 503  # a cold start is not a crash
    running.infra.set_desired_count(0)
    running.target.stop()
    running = start_target("crash_error_500", recovery=600)
    sid = running.new_session()
    running.wait_healthy(sid)
    crash(running)
    answer = wait_for(lambda: running.api.session_health(sid), 500)
    assert answer.json()["error"] == "internal_error"
    running.infra.set_desired_count(0)
    assert wait_for(lambda: running.api.session_health(sid), 503).status == 503  # scaled in


def test_fault_slow_cold_start_misses_the_cold_start_sla(start_target: StartTarget) -> None:
    running = start_target("slow_cold_start", cold=0.1, cold_start_sla=1.0)
    started = time.monotonic()
    sid = running.new_session()
    running.wait_healthy(sid)
    assert time.monotonic() - started >= 1.0 * 1.5
