"""What keeps the benchmarks fair: the same added latency on every network path, and baseline
and candidate measured in alternating order within one run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from harness.local.moto_server import free_port

READY_SECONDS = 30.0


@contextmanager
def added_latency(clients: list[Any], seconds: float) -> Iterator[None]:
    """Every request of these boto3 clients waits ``seconds`` before it is sent, like a
    network round trip to AWS (the reference target's ``latency_seconds`` does the same for
    its HTTP answers)."""

    def wait(**_: Any) -> None:
        time.sleep(seconds)

    for aws in clients:
        aws.meta.events.register("before-send", wait)
    try:
        yield
    finally:
        for aws in clients:
            aws.meta.events.unregister("before-send", wait)


def alternated(
    baseline: Callable[[], float], candidate: Callable[[], float], rounds: int
) -> tuple[float, float]:
    """Medians of each, run in turn: baseline first in even rounds, candidate first in odd."""
    first: list[float] = []
    second: list[float] = []
    for number in range(rounds):
        if number % 2 == 0:
            first.append(baseline())
            second.append(candidate())
        else:
            second.append(candidate())
            first.append(baseline())
    return statistics.median(first), statistics.median(second)


@contextmanager
def moto_process() -> Iterator[str]:
    """A moto server in its own process (the AWS side of a benchmark, off the client's
    interpreter, as a real endpoint is); yields its endpoint."""
    import socket

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the moto server process did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
