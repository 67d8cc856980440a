"""Stand-ins for Slack and GitHub: HTTP servers on 127.0.0.1 that record every request and
answer from a script (an HTTP error, a throttle with Retry-After, or no answer at all).

The true boundary of the alert channels is HTTP, so tests run the real clients (slack-sdk,
the GitHub REST calls) against these and assert on what "Slack" and "GitHub" received.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = "ok"  # a str is sent as text, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer (until the server stops): the client times out


Responder = Callable[[Recorded], Reply]


class RecordingServer:
    """Use as a context manager. Scripted replies (``script``) are used first, one per
    request; then ``responder`` answers (default: 200 "ok", as Slack's webhook does)."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.requests: list[Recorded] = []
        self._responder = responder or (lambda _request: Reply())
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def answer_with(self, responder: Responder) -> None:
        with self._lock:
            self._responder = responder

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Recorded]:
        """The first ``count`` requests, once they have arrived (fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests[:count])
            time.sleep(0.01)
        raise AssertionError(f"expected {count} request(s), got {len(self.requests)}")

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._released.set()  # let hanging handlers return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def _reply(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
            responder = self._responder
        return responder(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Recorded(
                    method=self.command,
                    path=self.path,
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
                reply = server._reply(request)
                if reply.hang:
                    server._released.wait(timeout=60)
                    return
                payload = (
                    reply.body.encode()
                    if isinstance(reply.body, str)
                    else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


ISSUES = r"/repos/[^/]+/[^/]+/issues"


@dataclass
class Issue:
    title: str
    body: str
    labels: list[str]
    state: str = "open"
    comments: list[str] = field(default_factory=list)


class GitHubIssues:
    """A responder that behaves like GitHub's issues API for one repository."""

    def __init__(self, base_url: str = "https://github.example") -> None:
        self.issues: dict[int, Issue] = {}
        self.created = 0
        self._base = base_url
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Reply:
        body = request.json() if request.body else {}
        with self._lock:
            if request.method == "POST" and re.fullmatch(ISSUES, request.path):
                self.created += 1
                number = self.created
                self.issues[number] = Issue(body["title"], body["body"], body.get("labels", []))
                return Reply(201, {"number": number, "html_url": f"{self._base}/{number}"})
            found = re.fullmatch(ISSUES + r"/(\d+)(/comments)?", request.path)
            issue = self.issues.get(int(found.group(1))) if found else None
            if found is None or issue is None:
                return Reply(404, {"message": "Not Found"})
            if request.method == "POST" and found.group(2):
                issue.comments.append(body["body"])
                return Reply(201, {"id": len(issue.comments)})
            if request.method == "PATCH" and not found.group(2):
                issue.state = body.get("state", issue.state)
                return Reply(200, {"number": int(found.group(1)), "state": issue.state})
            return Reply(405, {"message": "Method Not Allowed"})


@contextmanager
def github_server() -> Iterator[tuple[RecordingServer, GitHubIssues]]:
    issues = GitHubIssues()
    with RecordingServer(issues) as server:
        yield server, issues
