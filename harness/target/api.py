"""The target contract's HTTP side over real HTTP (see docs/target-contract.md).

Calls return the raw ``Response`` so scenarios can check status codes themselves; helpers
that need a particular answer say so in their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from harness.target.http import HttpClient, Response


@dataclass(frozen=True)
class HttpTargetApi:
    """Implements ``harness.ports.TargetApi`` over HTTP (one connection per request)."""

    http: HttpClient

    def health(self) -> Response:
        return self.http.get("/health")

    def create_session(self, client_id: str, user_id: str) -> Response:
        return self.http.post("/api/sessions", json_body={"clientId": client_id, "userId": user_id})

    def get_session(self, session_id: str) -> Response:
        return self.http.get(f"/api/sessions/{quote(session_id)}")

    def delete_session(self, session_id: str) -> Response:
        return self.http.delete(f"/api/sessions/{quote(session_id)}")

    def session_health(self, session_id: str, timeout_seconds: float | None = None) -> Response:
        return self.http.get(
            f"/session/{quote(session_id)}/health", timeout_seconds=timeout_seconds
        )

    def preview(self, session_id: str) -> Response:
        return self.http.get(f"/session/{quote(session_id)}/")

    def put_file(self, session_id: str, path: str, content: bytes) -> Response:
        return self.http.put(f"/session/{quote(session_id)}/workspace/{path}", body=content)

    def get_file(self, session_id: str, path: str) -> Response:
        return self.http.get(f"/session/{quote(session_id)}/workspace/{path}")

    def raw(self, method: str, path: str, **kwargs: Any) -> Response:
        return self.http.request(method, path, **kwargs)
