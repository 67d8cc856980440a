"""The reference target's HTTP transport: a threaded server that hands each request to the
``TargetApp`` (server.py) and writes its ``Reply``; one request per connection."""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from harness.local.reference_target.server import (
    MAX_BODY_BYTES,
    Reply,
    TargetApp,
    error_reply,
)

_log = logging.getLogger(__name__)


class ReferenceHTTPServer(ThreadingHTTPServer):
    """Threaded, daemon handler threads, a deep accept queue for bursts of clients."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], app: TargetApp, latency: float = 0.0) -> None:
        super().__init__(address, RequestHandler)
        self.app = app
        self.latency = latency  # seconds added to every answer (a network round trip)


class RequestHandler(BaseHTTPRequestHandler):
    """Reads the body, calls the app, writes the reply; one request per connection."""

    protocol_version = "HTTP/1.1"
    server_version = "reference-target/1"
    timeout = 30  # a client that connects and says nothing must not hold a thread forever

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:  # answered like GET, without the body
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: no stderr per request
        _log.debug("%s %s", self.address_string(), format % args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own errors (bad request line, ...) as JSON too."""
        self.close_connection = True
        phrase = HTTPStatus(code).phrase
        self._send(error_reply(code, phrase.lower().replace(" ", "_"), message or phrase))

    def _dispatch(self) -> None:
        reply = self._read_body_or_error()
        server = cast(ReferenceHTTPServer, self.server)
        if server.latency:
            time.sleep(server.latency)
        if isinstance(reply, bytes):
            app = server.app
            try:
                method = "GET" if self.command == "HEAD" else self.command
                reply = app.handle(method, self.path, reply)
            except Exception:  # noqa: BLE001 - a bug must answer JSON 500, not drop the socket
                _log.exception("reference target failed on %s %s", self.command, self.path)
                reply = error_reply(500, "internal_error", "the reference target failed")
        self._send(reply)

    def _read_body_or_error(self) -> bytes | Reply:
        if self.headers.get("Transfer-Encoding"):
            return error_reply(411, "length_required", "send a Content-Length, not chunks")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return error_reply(400, "bad_request", "invalid Content-Length")
        if length < 0:
            return error_reply(400, "bad_request", "invalid Content-Length")
        if length > MAX_BODY_BYTES:
            return error_reply(413, "payload_too_large", f"bodies are limited to {MAX_BODY_BYTES}")
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Reply) -> None:
        self.close_connection = True
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            if reply.status != 204:
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if reply.body and reply.status != 204 and self.command != "HEAD":
                self.wfile.write(reply.body)
        except OSError:
            _log.debug("client went away before the reply to %s", getattr(self, "path", "?"))
