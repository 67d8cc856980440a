"""In-memory fakes of the ports (``harness.ports``), for fast unit tests of the core.

``FakeTarget`` is one stack's state; ``FakeTargetApi`` and ``FakeTargetInfra`` are its HTTP
and AWS sides, so a session created through the API is an item the infra side finds, as on
the real stack. Knobs make the stack misbehave (down, failing deletes). ``FakeHistoryStore``
keeps runs in a dict; ``tests/integration/test_fake_history.py`` holds it to the SQLite
store's answers.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from harness.errors import RunExistsError, StoreError, TargetInfraError, TargetRequestError
from harness.ports import RunInFlight
from harness.scenarios.base import ParamValue, ScenarioContext, ScenarioDefinition
from harness.target.http import Response
from harness.target.marker import owned
from harness.wire import (
    MetricUnit,
    RegressionReport,
    ResolvedTarget,
    RunContext,
    RunFlags,
    RunSummary,
    ScenarioResult,
    Verdict,
)

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
TARGET = ResolvedTarget(
    name="t",
    endpoint="http://fake",
    region="us-east-1",
    ecs_cluster="c",
    ecs_service="s",
    sessions_table="tbl",
    test_prefix="TEST_",
    request_timeout_seconds=5,
)
RUN = RunContext(run_id="r1", suite="full", started_at=NOW, target=TARGET, flags=RunFlags())


def response(status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> Response:
    payload = b"" if body is None else json.dumps(body).encode()
    return Response(status=status, headers=dict(headers or {}), body=payload, elapsed_seconds=0.01)


@dataclass
class FakeTarget:
    """One fake stack: sessions (as their DynamoDB items), the edit service, and knobs."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    desired: int = 1
    tasks: list[str] = field(default_factory=lambda: ["task-1"])
    down: bool = False  # every HTTP request fails at transport level
    health_status: int = 200
    undeletable: set[str] = field(default_factory=set)  # API deletes of these answer 500
    calls: list[str] = field(default_factory=list)
    log_streams: list[str] = field(default_factory=list)  # session log stream names
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_session(self, client_id: str, created_at: datetime = NOW) -> str:
        session_id = str(uuid.uuid4())
        self.items[session_id] = {
            "sessionId": session_id,
            "clientId": client_id,
            "userId": "u",
            "createdAt": created_at.isoformat(),
        }
        return session_id


@dataclass
class FakeTargetApi:
    """Implements ``TargetApi`` on a ``FakeTarget``."""

    target: FakeTarget

    def _call(self, what: str) -> None:
        with self.target.lock:
            self.target.calls.append(what)
        if self.target.down:
            raise TargetRequestError(f"{what} failed: connection refused")

    def health(self) -> Response:
        self._call("GET /health")
        return response(self.target.health_status, {"status": "ok"})

    def create_session(self, client_id: str, user_id: str) -> Response:
        self._call("POST /api/sessions")
        with self.target.lock:
            session_id = self.target.add_session(client_id)
            self.target.items[session_id]["userId"] = user_id
        return response(201, {"sessionId": session_id, "clientId": client_id, "userId": user_id})

    def get_session(self, session_id: str) -> Response:
        self._call(f"GET /api/sessions/{session_id}")
        item = self.target.items.get(session_id)
        return response(200, item) if item else response(404, {"error": "not_found"})

    def delete_session(self, session_id: str) -> Response:
        self._call(f"DELETE /api/sessions/{session_id}")
        if session_id in self.target.undeletable:
            return response(500, {"error": "internal_error"})
        with self.target.lock:
            found = self.target.items.pop(session_id, None)
        return response(204) if found else response(404, {"error": "not_found"})

    def session_health(self, session_id: str, timeout_seconds: float | None = None) -> Response:
        self._call(f"GET /session/{session_id}/health")
        if session_id not in self.target.items:
            return response(404, {"error": "session_not_found"})
        if not self.target.tasks:
            return response(503, {"error": "service_unavailable"}, {"retry-after": "1"})
        return response(200, {"status": "ok"})

    def preview(self, session_id: str) -> Response:
        self._call(f"GET /session/{session_id}/")
        return Response(200, {"content-type": "text/html"}, b"<title>p</title>", 0.01)

    def put_file(self, session_id: str, path: str, content: bytes) -> Response:
        self._call(f"PUT /session/{session_id}/workspace/{path}")
        return response(201, {"path": path, "size": len(content)})

    def get_file(self, session_id: str, path: str) -> Response:
        self._call(f"GET /session/{session_id}/workspace/{path}")
        return response(404, {"error": "not_found"})

    def raw(self, method: str, path: str) -> Response:
        self._call(f"{method} {path}")
        return response(404, {"error": "not_found"})


@dataclass
class FakeTargetInfra:
    """Implements ``TargetInfra`` on a ``FakeTarget``; ``missing_service`` imitates a target
    whose ECS service does not exist (the real adapter's ``TargetInfraError``)."""

    target: FakeTarget
    missing_service: bool = False
    desired_history: list[int] = field(default_factory=list)

    def desired_count(self) -> int:
        if self.missing_service:
            raise TargetInfraError("ECS service cluster/service not found")
        return self.target.desired

    def set_desired_count(self, count: int) -> None:
        self.desired_history.append(count)
        self.target.desired = count
        self.target.tasks = ["task-1"] if count else []

    def running_task_ids(self) -> list[str]:
        return list(self.target.tasks)

    def stop_task(self, task_id: str, reason: str) -> None:
        self.target.tasks.remove(task_id)

    def get_session_item(self, session_id: str) -> dict[str, Any] | None:
        item = self.target.items.get(session_id)
        return dict(item) if item else None

    def find_session_ids(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        return [sid for sid, _ in self.find_sessions(client_id_prefix, created_before)]

    def find_sessions(
        self, client_id_prefix: str, created_before: datetime | None = None
    ) -> list[tuple[str, str]]:
        return [
            (sid, item["clientId"])
            for sid, item in self.target.items.items()
            if item["clientId"].startswith(client_id_prefix)
            and (created_before is None or item["createdAt"] < created_before.isoformat())
        ]

    def delete_session_items(self, session_ids: list[str], client_id_prefix: str) -> int:
        """As the real adapter (a conditional delete): an item without the prefix stays; one
        already gone counts as deleted."""
        deleted = 0
        for session_id in session_ids:
            item = self.target.items.get(session_id)
            if item is None or owned(item["clientId"], client_id_prefix):
                self.target.items.pop(session_id, None)
                deleted += 1
        return deleted

    def find_log_streams(
        self, name_prefix: str, created_before: datetime | None = None
    ) -> list[str]:
        return [name for name in self.target.log_streams if owned(name, name_prefix)]

    def delete_log_streams(self, names: list[str], name_prefix: str) -> int:
        doomed = [
            name for name in names if owned(name, name_prefix) and name in self.target.log_streams
        ]
        for name in doomed:
            self.target.log_streams.remove(name)
        return len(doomed)


@dataclass
class FakeRunsInFlight:
    """Implements ``RunsInFlight`` in a dict (what the SQLite and DynamoDB journals promise)."""

    entries: dict[str, RunInFlight] = field(default_factory=dict)

    def begin(
        self, run: RunContext, *, owner: str | None = None, ephemeral_target: bool = False
    ) -> None:
        entry = self.entries.setdefault(run.run_id, RunInFlight(run_id=run.run_id, run=run))
        self.entries[run.run_id] = entry.model_copy(
            update={
                "owner": owner or entry.owner,
                "ephemeral_target": entry.ephemeral_target or ephemeral_target,
            }
        )

    def remember_desired_count(self, run: RunContext, count: int) -> None:
        self.begin(run)
        entry = self.entries[run.run_id]
        if entry.desired_count is None:
            self.entries[run.run_id] = entry.model_copy(update={"desired_count": count})

    def add_result(self, run_id: str, result: ScenarioResult) -> None:
        entry = self.entries.get(run_id)
        if entry is not None:
            kept = [r for r in entry.results if r.scenario != result.scenario]
            self.entries[run_id] = entry.model_copy(update={"results": [*kept, result]})

    def get(self, run_id: str) -> RunInFlight | None:
        return self.entries.get(run_id)

    def in_flight(self) -> list[RunInFlight]:
        return list(self.entries.values())

    def finish(self, run_id: str) -> None:
        self.entries.pop(run_id, None)


@dataclass
class FakeHistoryStore:
    """Implements ``HistoryStore`` in a dict (what the SQLite and DynamoDB stores promise)."""

    runs: dict[str, RunSummary] = field(default_factory=dict)
    regressions: dict[str, RegressionReport] = field(default_factory=dict)

    def save_run(self, summary: RunSummary) -> None:
        if summary.run_id in self.runs:
            raise RunExistsError(f"run {summary.run_id} is already in the history")
        self.runs[summary.run_id] = summary

    def save_regressions(self, report: RegressionReport) -> None:
        self.regressions[report.run_id] = report

    def get_regressions(self, run_id: str) -> RegressionReport | None:
        return self.regressions.get(run_id)

    def get_run(self, run_id: str) -> RunSummary | None:
        return self.runs.get(run_id)

    def previous_run(self, target: str, suite: str, before: datetime) -> RunSummary | None:
        earlier = [run for run in self._judged() if run.suite == suite and run.started_at < before]
        return next((run for run in earlier if run.target == target), None)

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        return self._newest_first()[:limit]

    def recent_runs(
        self, target: str, limit: int, before: datetime | None = None
    ) -> list[RunSummary]:
        return [
            run
            for run in self._judged()
            if run.target == target and (before is None or run.started_at < before)
        ][:limit]

    def runs_since(self, since: datetime) -> list[RunSummary]:
        return [run for run in reversed(self._newest_first()) if run.started_at >= since]

    def _judged(self) -> list[RunSummary]:
        """Aborted runs are listed, but never a baseline."""
        return [run for run in self._newest_first() if run.verdict is not Verdict.ABORTED]

    def _newest_first(self) -> list[RunSummary]:
        return sorted(self.runs.values(), key=lambda run: run.started_at, reverse=True)


def definition(
    name: str,
    group: str = "g",
    tags: tuple[str, ...] = ("full",),
    run: Callable[[ScenarioContext], object] = lambda ctx: None,
    metrics: Mapping[str, MetricUnit] | None = None,
    checks: tuple[str, ...] = ("ok",),
    params: Mapping[str, ParamValue] | None = None,
) -> ScenarioDefinition:
    """A literal catalogue entry: tests that need a catalogue build their own."""
    return ScenarioDefinition(
        name=name,
        summary=f"literal scenario {name}",
        group=group,
        tags=tags,
        timeout_seconds=60,
        metrics=metrics or {},
        checks=checks,
        run=run,
        params=params or {},
    )


class MemoryStore:
    """An in-memory ``BlobStore``; ``broken`` makes every call fail like an unreachable S3."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.broken = False

    def get(self, key: str) -> bytes | None:
        if self.broken:
            raise StoreError("unreachable")
        return self.objects.get(key)

    def put(self, key: str, data: bytes) -> None:
        if self.broken:
            raise StoreError("unreachable")
        self.objects[key] = data

    def delete_prefix(self, prefix: str) -> int:
        doomed = [key for key in self.objects if key.startswith(prefix)]
        for key in doomed:
            del self.objects[key]
        return len(doomed)
