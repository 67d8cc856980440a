"""Worker processes for CPU-bound Lambda functions of a local run (the load generator).

In AWS every invocation gets its own CPU; in one local process they would all share one GIL
with the engine and the reference target, so a load test would measure the harness, not the
target. A few spawned workers (one per core) each run many invocations at once, in threads,
as a Lambda fleet would: the load's CPU spreads over the machine's cores.

The parent sends ``(call id, handler location, event, environment, timeout)`` down a pipe;
the worker imports the handler from the function's unpacked asset once, runs each call in a
thread with the environment it was given, and sends back ``(call id, outcome)``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import multiprocessing
import os
import sys
import threading
import traceback
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

Outcome = dict[str, Any]  # {"result": ...} or {"error": {"errorType", "errorMessage", ...}}


@dataclass(frozen=True)
class Call:
    source: str  # the handler module's file in the unpacked asset
    attribute: str  # the handler function's name
    event: Any
    environment: dict[str, str]
    function_name: str
    memory_mb: int
    timeout_seconds: float


class WorkerPool:
    """``size`` spawned processes; ``submit`` goes to the least busy one."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._pending: dict[int, Future[Outcome]] = {}
        self._workers: list[_Worker] = []
        for number in range(max(1, size)):
            parent, child = context.Pipe()
            process = context.Process(
                target=_serve, args=(child,), name=f"harness-lambda-worker-{number}", daemon=True
            )
            process.start()
            child.close()
            worker = _Worker(process, parent)
            worker.reader = threading.Thread(
                target=self._read, args=(worker,), name=f"worker-{number}-reader", daemon=True
            )
            worker.reader.start()
            self._workers.append(worker)

    def submit(self, call: Call) -> Future[Outcome]:
        future: Future[Outcome] = Future()
        with self._lock:
            call_id = next(self._ids)
            self._pending[call_id] = future
            worker = min(self._workers, key=lambda w: w.in_flight)
            worker.in_flight += 1
            worker.send_lock.acquire()
        try:
            worker.connection.send((call_id, call))
        finally:
            worker.send_lock.release()
        return future

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(OSError):  # already gone
                worker.connection.send(None)
            worker.process.join(2.0)
            if worker.process.is_alive():
                worker.process.kill()
            worker.connection.close()
        with self._lock:
            for future in self._pending.values():
                future.set_exception(RuntimeError("the local worker pool was closed"))
            self._pending.clear()

    def _read(self, worker: _Worker) -> None:
        while True:
            try:
                call_id, outcome = worker.connection.recv()
            except (EOFError, OSError):
                return
            with self._lock:
                future = self._pending.pop(call_id, None)
                worker.in_flight -= 1
            if future is not None:
                future.set_result(outcome)


@dataclass
class _Worker:
    process: Any
    connection: Connection
    in_flight: int = 0
    reader: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.send_lock = threading.Lock()


def _serve(connection: Connection) -> None:
    """A worker process: run each call in its own thread until told to stop."""
    send_lock = threading.Lock()
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        call_id, call = message
        threading.Thread(
            target=_answer, args=(connection, send_lock, call_id, call), daemon=True
        ).start()


def _answer(connection: Connection, send_lock: threading.Lock, call_id: int, call: Call) -> None:
    outcome = run_call(call)
    with send_lock:
        connection.send((call_id, outcome))


_handlers: dict[str, Any] = {}
_handlers_lock = threading.Lock()


def run_call(call: Call) -> Outcome:
    """Import (once) and run the handler with the call's environment and a Lambda context."""
    from harness.local.lambda_runtime import LocalLambdaContext

    os.environ.update(call.environment)  # every call of one engine carries the same values
    try:
        with _handlers_lock:
            handler = _handlers.get(call.source)
            if handler is None:
                handler = _handlers[call.source] = _load(call.source, call.attribute)
        context = LocalLambdaContext(
            function_name=call.function_name,
            memory_limit_in_mb=call.memory_mb,
            invoked_function_arn=f"local:{call.function_name}",
            timeout_seconds=call.timeout_seconds,
        )
        return {"result": handler(call.event, context)}
    except BaseException as err:  # noqa: BLE001 - every failure becomes a Lambda error
        return {
            "error": {
                "errorMessage": str(err),
                "errorType": type(err).__name__,
                "stackTrace": traceback.format_exception(err)[-5:],
            }
        }


def _load(source: str, attribute: str) -> Any:
    path = Path(source)
    name = f"_harness_worker_{abs(hash(source))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load handler module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return getattr(module, attribute)
