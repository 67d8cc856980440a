"""``ReferenceTarget``: the bundled stand-in for the Webordinary stack (test scaffolding).

It wires the pieces together — AWS resources in moto (``provision``), the edit container
(``controller``), workspaces on disk (``workspace``) and the HTTP router (``server``) — and
gives them one start/stop lifecycle. Real users point the harness at their own endpoint.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.aws.clients import client
from harness.config import ReferenceTargetConfig, SlaConfig, TargetConfig
from harness.local.reference_target.controller import EditServiceController
from harness.local.reference_target.http_server import ReferenceHTTPServer
from harness.local.reference_target.provision import provision_with
from harness.local.reference_target.server import TargetApp
from harness.local.reference_target.sessions import sessions_table
from harness.local.reference_target.workspace import Workspaces

SERVE_POLL_SECONDS = 0.05  # how quickly serve_forever notices shutdown()
SLOW_COLD_START_SLA_FACTOR = 1.5
"""``slow_cold_start``: the container starts only after 1.5 x the cold-start SLA, so the fault
breaks the SLA whatever the settings (a fixed delay would pass a generous SLA)."""
SOURCE_DIR = Path(__file__).resolve().parent


def reference_version(settings: ReferenceTargetConfig) -> str:
    """What this reference target "deploys": its code, the moto behind it and its settings
    (faults, delays). Any change gives a new version, so no cached pass outlives it."""
    digest = hashlib.sha256()
    for source in sorted(SOURCE_DIR.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    digest.update(f"moto {metadata.version('moto')}".encode())
    digest.update(settings.model_dump_json().encode())
    return f"reference-{digest.hexdigest()[:16]}"


class ReferenceTarget:
    """An HTTP server on 127.0.0.1 that honours the target contract, backed by moto.

    ``workdir`` holds the workspaces (``efs/``) and container storage (``containers/``);
    the caller owns it and removes it. ``sla`` is the run's: the ``slow_cold_start`` fault is
    defined against it. ``provision_shared=False``: another target already created the ECS
    cluster and log group this one shares. Use as ``with ReferenceTarget(...) as target:``.
    """

    def __init__(
        self,
        target: TargetConfig,
        settings: ReferenceTargetConfig,
        aws_endpoint_url: str,
        workdir: Path,
        sla: SlaConfig | None = None,
        provision_shared: bool = True,
    ) -> None:
        self.target = target
        self.settings = settings
        self.sla = sla or SlaConfig()
        self.aws_endpoint_url = aws_endpoint_url
        self.workdir = Path(workdir)
        self._provision_shared = provision_shared
        self.endpoint = ""
        self.version = reference_version(settings)
        self._stopping = threading.Event()
        self._controller: EditServiceController | None = None
        self._server: ReferenceHTTPServer | None = None
        self._app: TargetApp | None = None
        self._serve_thread: threading.Thread | None = None

    def start(self) -> ReferenceTarget:
        """Provision (idempotent), then start the controller and the HTTP server."""
        if self._server is not None:
            return self
        ecs = client("ecs", region=self.target.region, endpoint_url=self.aws_endpoint_url)
        dynamodb = client("dynamodb", region=self.target.region, endpoint_url=self.aws_endpoint_url)
        logs = client("logs", region=self.target.region, endpoint_url=self.aws_endpoint_url)
        provision_with(
            self.target, ecs=ecs, dynamodb=dynamodb, logs=logs, shared=self._provision_shared
        )
        workspaces = Workspaces(self.workdir, self.settings.faults)
        self._stopping.clear()
        self._controller = EditServiceController(
            self.target,
            self.settings,
            ecs,
            workspaces.wipe_container,
            slow_cold_start_seconds=self.sla.cold_start_max_seconds * SLOW_COLD_START_SLA_FACTOR,
        )
        sessions = sessions_table(
            self.target.sessions_table, self.target.region, self.aws_endpoint_url, dynamodb
        )
        app = self._app = TargetApp(
            self.target,
            self.settings.faults,
            sessions,
            ecs,
            workspaces,
            self._controller,
            self._stopping,
            self.version,
            self._session_logger(logs) if self.target.session_log_group else None,
        )
        try:
            self._controller.start()
            self._server = ReferenceHTTPServer(
                ("127.0.0.1", 0), app, latency=self.settings.latency_seconds
            )
        except BaseException:
            self.stop()
            raise
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SERVE_POLL_SECONDS},
            name="reference-target-http",
            daemon=True,
        )
        self._serve_thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def held_requests(self) -> int:
        """How many requests the ``hang_when_unhealthy`` fault holds right now."""
        return self._app.held_requests if self._app is not None else 0

    def _session_logger(self, logs: Any) -> Callable[[str, str], None]:
        """Each session logs to its own stream, named after its clientId, like an edit
        container's per-session log (the harness's cleanup deletes its own)."""
        group = self.target.session_log_group

        def log(client_id: str, line: str) -> None:
            stream = f"{client_id}/edit"
            # The client's earlier session may have made it: a container appends to it.
            with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": int(time.time() * 1000), "message": line}],
            )

        return log

    def stop(self) -> None:
        """Stop the controller and the server; hanging requests return at once. Idempotent.

        The edit task stays RUNNING in moto (the next start() on the same service stops it).
        """
        self._stopping.set()  # wakes requests held by the hang_when_unhealthy fault
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._server is not None:
            if self._serve_thread is not None:
                self._server.shutdown()
                self._serve_thread.join(1.0)
                self._serve_thread = None
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ReferenceTarget:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
