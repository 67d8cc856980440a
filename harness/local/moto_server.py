"""A moto server on a free loopback port: the AWS APIs of a local run.

Everything the local engine changes in moto lives here and in `lambda_runtime.py`, so a
moto upgrade has two files to re-check (docs/local-engine.md says why each change exists).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from moto.core import config as moto_config
from moto.moto_api import state_manager
from moto.server import ThreadedMotoServer

from harness.local import lambda_runtime

_NEVER = {"progression": "manual", "times": 10**12}


@dataclass
class MotoServer:
    endpoint: str
    port: int
    _server: ThreadedMotoServer
    _previous_port: str | None = None

    def stop(self) -> None:
        self._server.stop()
        # Another server of this process (one shared by tests, a CLI command's engine) keeps
        # working: its interpreter calls back to $MOTO_PORT.
        if os.environ.get("MOTO_PORT") == str(self.port):
            if self._previous_port is None:
                os.environ.pop("MOTO_PORT", None)
            else:
                os.environ["MOTO_PORT"] = self._previous_port


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto_server(port: int | None = None) -> MotoServer:
    """Start moto (threaded, 127.0.0.1) with Step Functions execution and in-process Lambda.

    moto's backends and $MOTO_PORT are process-global: start one server per process and
    share it (``LocalEngine(moto=...)``).
    """
    port = port or free_port()
    previous = os.environ.get("MOTO_PORT")
    # The Step Functions interpreter calls Lambda back through localhost:$MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    # Run state machines for real instead of returning canned results.
    moto_config.default_user_config["stepfunctions"] = {"execute_state_machine": True}
    # moto advances a task's lastStatus one step per DescribeTasks (RUNNING -> ... -> STOPPED);
    # the reference target's tasks must stay RUNNING until someone calls StopTask.
    state_manager.set_transition(model_name="ecs::task", transition=_NEVER)
    # Lambda in moto needs Docker; run our handlers in-process instead.
    lambda_runtime.install()
    for noisy in ("werkzeug", "moto.stepfunctions.parser"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return MotoServer(
        endpoint=f"http://127.0.0.1:{port}", port=port, _server=server, _previous_port=previous
    )
