"""The reference target's application: an ALB-like path router in front of the sessions API
and the edit container. Test scaffolding that imitates the Webordinary stack; it is not it.

Routes (docs/reference-target.md): ``/health``, ``/api/sessions[/<id>]`` (sessions in the
moto DynamoDB table) and ``/session/<id>/...`` (answered by the edit container when the
controller reports one healthy). Every error is JSON ``{"error": code, "message": text}``.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from harness.aws.target_infra import plain_item
from harness.config import TargetConfig
from harness.local.reference_target.controller import task_id
from harness.local.reference_target.sessions import Sessions
from harness.local.reference_target.workspace import (
    WorkspaceConflictError,
    WorkspacePathError,
    Workspaces,
    is_safe_name,
)

_log = logging.getLogger(__name__)
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_ID_LENGTH = 256
HANG_SECONDS = 60.0
SESSION_TTL_SECONDS = 24 * 3600
RETRY_AFTER_SECONDS = "1"
SESSION_CACHE_SECONDS = 5.0
"""How long the API trusts a session it read or wrote without reading DynamoDB again (a
real API caches too; it keeps a load test's thousands of requests off the table)."""


class EditService(Protocol):
    """The app's view of the edit container (``EditServiceController``)."""

    def healthy_task(self) -> str | None: ...

    def crashed(self) -> bool: ...

    def known_desired_count(self) -> int | None: ...

    def notice_scale_from_zero(self) -> None: ...


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def json_reply(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, json.dumps(payload).encode(), "application/json", headers)


def error_reply(
    status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> Reply:
    return json_reply(status, {"error": code, "message": message}, headers)


def _not_found(what: str) -> Reply:
    return error_reply(404, "not_found", what)


class TargetApp:
    """Request handling without sockets: ``handle(method, path, body) -> Reply``."""

    def __init__(
        self,
        target: TargetConfig,
        faults: Collection[str],
        sessions: Sessions,
        ecs: Any,
        workspaces: Workspaces,
        health: EditService,
        stopping: threading.Event,
        version: str = "",
        session_log: Callable[[str, str], None] | None = None,
    ) -> None:
        self._target = target
        self._version = version
        self._session_log = session_log  # (clientId, line): the session's log stream
        self._faults = frozenset(faults)
        self._sessions = sessions  # the sessions table (in the target's moto)
        self._ecs = ecs  # a boto3 client aimed at the target's moto server
        self._workspaces = workspaces
        self._health = health
        self._stopping = stopping
        self._scale_lock = threading.Lock()
        self._held_lock = threading.Lock()
        self.held_requests = 0  # requests the hang_when_unhealthy fault is holding now
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._cache_lock = threading.Lock()

    def handle(self, method: str, raw_path: str, body: bytes) -> Reply:
        segments = urlsplit(raw_path).path.split("/")[1:]
        if segments == ["health"] and method == "GET":
            return json_reply(200, {"status": "ok"})
        if segments == ["version"] and method == "GET" and self._version:
            return json_reply(200, {"version": self._version})
        if segments == ["api", "sessions"] and method == "POST":
            return self._create_session(body)
        if len(segments) == 3 and segments[:2] == ["api", "sessions"]:
            session_id = unquote(segments[2])
            if method == "GET":
                return self._get_session(session_id)
            if method == "DELETE":
                return self._delete_session(session_id)
        if len(segments) >= 2 and segments[0] == "session":
            return self._route_to_container(method, unquote(segments[1]), segments[2:], body)
        return _not_found(f"no route for {method} {urlsplit(raw_path).path}")

    # --- sessions API (independent of the edit container) -------------------------------

    def _create_session(self, body: bytes) -> Reply:
        try:
            request = json.loads(body or b"null")
        except ValueError:
            return error_reply(400, "invalid_json", "the request body is not JSON")
        if not isinstance(request, dict):
            return error_reply(400, "bad_request", "the body must be a JSON object")
        fields = {name: request.get(name) for name in ("clientId", "userId")}
        for name, value in fields.items():
            if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
                return error_reply(
                    400, "bad_request", f"{name} must be a string of 1-{MAX_ID_LENGTH} chars"
                )
        session_id = str(uuid.uuid4())
        item = {
            "sessionId": {"S": session_id},
            "clientId": {"S": str(fields["clientId"])},
            "userId": {"S": str(fields["userId"])},
            "status": {"S": "active"},
            "createdAt": {"S": datetime.now(UTC).isoformat(timespec="milliseconds")},
            "ttl": {"N": str(int(time.time()) + SESSION_TTL_SECONDS)},
        }
        if "drop_session_attributes" in self._faults:
            del item["userId"], item["ttl"]
        self._sessions.put(item)
        self._remember(session_id, plain_item(item))
        if self._session_log is not None:
            self._session_log(str(fields["clientId"]), f"session {session_id} created")
        self._scale_from_zero()
        session = {**plain_item(item), "userId": fields["userId"]}
        return json_reply(
            201,
            self._session_json(session),
            (("Location", f"/api/sessions/{session_id}"),),
        )

    def _scale_from_zero(self) -> None:
        """The cold start: the API asks ECS for an edit container when there is none.

        While the controller's last look at the service is still current and saw it up, no
        ECS call is needed (a load test creates thousands of sessions). Otherwise one request
        at a time reads and raises the count: of a burst of first requests only the one that
        really scales from zero resets the container, and it does so *before* the count
        changes, so a container the controller starts for this scale-up is never mistaken
        for the scaled-in one (with ``cold_start_seconds = 0`` both used to race).
        """
        known = self._health.known_desired_count()
        if known is not None and known >= 1:
            return  # the service is up and nothing changed since: no need to ask ECS
        with self._scale_lock:
            services = self._ecs.describe_services(
                cluster=self._target.ecs_cluster, services=[self._target.ecs_service]
            )["services"]
            if not services or int(services[0]["desiredCount"]) != 0:
                return
            self._health.notice_scale_from_zero()
            self._ecs.update_service(
                cluster=self._target.ecs_cluster,
                service=self._target.ecs_service,
                desiredCount=1,
            )

    def _get_session(self, session_id: str) -> Reply:
        item = self._load(session_id)
        if item is None:
            return _not_found(f"session {session_id} does not exist")
        return json_reply(200, self._session_json(item))

    def _delete_session(self, session_id: str) -> Reply:
        with self._cache_lock:
            self._cache.pop(session_id, None)
        if not self._sessions.delete(session_id):
            return _not_found(f"session {session_id} does not exist")
        self._workspaces.delete_session(session_id)
        return Reply(204)

    def _load(self, session_id: str) -> dict[str, Any] | None:
        if not is_safe_name(session_id):
            return None
        with self._cache_lock:
            cached = self._cache.get(session_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        found = self._sessions.get(session_id)
        if found is not None:
            self._remember(session_id, found)
        return found

    def _remember(self, session_id: str, item: dict[str, Any]) -> None:
        with self._cache_lock:
            self._cache[session_id] = (time.monotonic() + SESSION_CACHE_SECONDS, item)

    @staticmethod
    def _session_json(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "previewPath": f"/session/{item['sessionId']}/"}

    # --- /session/<id>/...: the edit container behind the ALB ---------------------------

    def _route_to_container(
        self, method: str, session_id: str, rest: list[str], body: bytes
    ) -> Reply:
        known = self._load(session_id) is not None
        if not known and "misroute" not in self._faults:
            return error_reply(404, "session_not_found", f"session {session_id} does not exist")
        task_arn = self._health.healthy_task()
        if task_arn is None:
            return self._unavailable()
        if rest in ([], [""]) and method == "GET":
            return self._preview(session_id, task_arn)
        if rest == ["health"] and method == "GET":
            payload = {"status": "ok", "sessionId": session_id, "taskArn": task_arn}
            return json_reply(200, payload)
        if rest and rest[0] == "workspace" and method in ("GET", "PUT"):
            parts = [unquote(part) for part in rest[1:]] or [""]
            return self._workspace(method, session_id if known else None, task_arn, parts, body)
        return _not_found(f"the edit container has no {method} /{'/'.join(rest)}")

    def _unavailable(self) -> Reply:
        if "hang_when_unhealthy" in self._faults:
            with self._held_lock:
                self.held_requests += 1
            try:
                self._stopping.wait(HANG_SECONDS)
            finally:
                with self._held_lock:
                    self.held_requests -= 1
        if "crash_error_500" in self._faults and self._health.crashed():
            return error_reply(500, "internal_error", "the edit container is unavailable")
        return error_reply(
            503,
            "service_unavailable",
            "no healthy edit container yet; retry shortly",
            (("Retry-After", RETRY_AFTER_SECONDS),),
        )

    @staticmethod
    def _preview(session_id: str, task_arn: str) -> Reply:
        page = (
            "<!doctype html><html><head><title>Preview</title></head><body>"
            f"<h1>Preview of session {html.escape(session_id)}</h1>"
            f"<p>Served by edit task {html.escape(task_id(task_arn))} "
            "(reference target, a test stand-in).</p></body></html>"
        )
        return Reply(200, page.encode(), "text/html; charset=utf-8")

    def _workspace(
        self, method: str, session_id: str | None, task_arn: str, parts: list[str], body: bytes
    ) -> Reply:
        try:
            root = self._workspaces.root(session_id, task_id(task_arn))
            if method == "PUT":
                created = self._workspaces.write(root, parts, body)
                return json_reply(
                    201 if created else 200,
                    {"path": "/".join(parts), "size": len(body), "created": created},
                )
            content = self._workspaces.read(root, parts)
        except WorkspacePathError as err:
            return error_reply(400, "invalid_path", str(err))
        except WorkspaceConflictError as err:
            return error_reply(409, "conflict", str(err))
        if content is None:
            return _not_found(f"no file {'/'.join(parts)} in the workspace")
        return Reply(200, content, "application/octet-stream")
