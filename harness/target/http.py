"""A small HTTP client for talking to the target: one connection per request, thread-safe.

Standard library only, so the core stays free of I/O dependencies and every request has a
hard timeout (a hanging target must show up as a failure, never as a hung suite).
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.errors import TargetRequestError


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_seconds: float

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def json_or_none(self) -> Any:
        try:
            return self.json()
        except ValueError:
            return None


@dataclass(frozen=True)
class HttpClient:
    base_url: str
    timeout_seconds: float = 10.0
    default_headers: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        json_body: Any = None,
        timeout_seconds: float | None = None,
    ) -> Response:
        """Send one request; transport failures raise TargetRequestError naming the URL."""
        url = urlsplit(self.base_url)
        headers = dict(self.default_headers)
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        timeout = self.timeout_seconds if timeout_seconds is None else timeout_seconds
        connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(url.netloc, timeout=timeout)
        full_path = url.path.rstrip("/") + path
        started = time.monotonic()
        try:
            connection.request(method, full_path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except TimeoutError as err:
            raise TargetRequestError(
                f"{method} {full_path} got no answer within {timeout:g}s"
            ) from err
        except OSError as err:
            raise TargetRequestError(f"{method} {full_path} failed: {err}") from err
        finally:
            connection.close()
        return Response(
            status=response.status,
            headers={key.lower(): value for key, value in response.getheaders()},
            body=payload,
            elapsed_seconds=time.monotonic() - started,
        )

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)
