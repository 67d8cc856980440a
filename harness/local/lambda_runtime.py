"""Run Lambda functions in-process inside moto, without Docker.

moto executes Lambda code only in Docker, which this product must not need. We replace the
one Docker-bound method, ``LambdaFunction._invoke_lambda``, with a runner that unpacks the
function's real zip (the same asset CDK deploys), imports its handler module and calls it.
Handlers share this process's ``os.environ``: the local engine gives every function the same
environment, so nothing races. Functions registered with ``use_workers`` (the CPU-bound load
generator) run in worker processes instead (``workers.py``), so their CPU is not this
process's.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from moto.awslambda.models import LambdaFunction

from harness.local.workers import Call, WorkerPool

_EXTRACT_ROOT = Path(tempfile.gettempdir()) / "harness-lambda"
_BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
_modules: dict[str, ModuleType] = {}
_modules_lock = threading.Lock()
_installed = False
# Functions run in a process of their own, with exactly their configured environment (as in
# Lambda): slower (~1 s per invocation), but a missing variable is missing.
_isolated: set[str] = set()
_workers: WorkerPool | None = None
_worker_functions: set[str] = set()
_workers_lock = threading.Lock()
ENVIRONMENT_PREFIXES = ("HARNESS_", "POWERTOOLS_")
_busy = 0  # invocations whose handler is still running (even past its timeout)
_busy_changed = threading.Condition()
_running: dict[str, int] = {}  # per function, for reserved concurrency
_started: dict[str, int] = {}  # invocations claimed so far, per function
THROTTLED = "Lambda.TooManyRequestsException"


def wait_idle(timeout: float) -> bool:
    """Wait until no handler runs (here or in a worker); False if some still ran at ``timeout``."""
    with _busy_changed:
        return _busy_changed.wait_for(lambda: _busy == 0, timeout)


def _claim(function_name: str, reserved: object) -> bool:
    """Count one more running invocation of the function, unless it is at its reserved
    concurrency (then: throttled, as in AWS)."""
    global _busy
    with _busy_changed:
        running = _running.get(function_name, 0)
        if reserved is not None and running >= int(str(reserved)):
            return False
        _running[function_name] = running + 1
        _started[function_name] = _started.get(function_name, 0) + 1
        _busy += 1
        _busy_changed.notify_all()
        return True


def started(function_name: str) -> int:
    """How many invocations of the function have started in this process."""
    with _busy_changed:
        return _started.get(function_name, 0)


def wait_for_start(function_name: str, after: int, timeout: float) -> int:
    """Wait (at most ``timeout``) until more than ``after`` invocations of the function have
    started; returns how many have."""
    with _busy_changed:
        _busy_changed.wait_for(lambda: _started.get(function_name, 0) > after, timeout)
        return _started.get(function_name, 0)


def _release(function_name: str) -> None:
    global _busy
    with _busy_changed:
        _running[function_name] -= 1
        _busy -= 1
        _busy_changed.notify_all()


@dataclass
class LocalLambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self._started)
        return max(0, int(left * 1000))


def install() -> None:
    """Patch moto once per process."""
    global _installed
    if not _installed:
        LambdaFunction._invoke_lambda = _invoke_in_process  # type: ignore[method-assign]
        _installed = True


def isolate(function_name: str) -> None:
    """Run this function in its own process with only its own environment."""
    _isolated.add(function_name)


def use_workers(function_names: set[str], size: int) -> None:
    """Run these functions in ``size`` worker processes (started now, in the background of
    this process: they import while the run starts)."""
    global _workers
    with _workers_lock:
        _worker_functions.update(function_names)
        if _workers is None and size > 0:
            _workers = WorkerPool(size)


def stop_workers() -> None:
    global _workers
    with _workers_lock:
        if _workers is not None:
            _workers.close()
            _workers = None
        _worker_functions.clear()


def _extract(code: bytes) -> Path:
    """The asset's files, unpacked once per content: into a staging folder, then renamed into
    place (atomic for other processes); the staging folder never outlives the call."""
    digest = hashlib.sha256(code).hexdigest()[:16]
    target = _EXTRACT_ROOT / digest
    if not target.exists():
        _EXTRACT_ROOT.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=_EXTRACT_ROOT, prefix=".staging-"))
        try:
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                archive.extractall(staging)
            with contextlib.suppress(OSError):  # another process extracted it first
                staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _handler_source(function: LambdaFunction) -> tuple[Path, str, str, str]:
    """Unpack the function's zip once: (handler file, module, attribute, digest)."""
    code: bytes = function.code_bytes
    digest = hashlib.sha256(code).hexdigest()[:16]
    handler_path: str = function.handler or "handler.lambda_handler"
    module_name, _, attribute = handler_path.rpartition(".")
    source = _extract(code) / (module_name.replace(".", "/") + ".py")
    return source, module_name, attribute, digest


def _load_handler(function: LambdaFunction) -> Any:
    with _modules_lock:
        source, module_name, attribute, digest = _handler_source(function)
        key = f"{function.function_name}:{digest}:{module_name}"
        module = _modules.get(key)
        if module is None:
            unique = f"_harness_lambda_{digest}_{module_name.replace('.', '_')}"
            spec = importlib.util.spec_from_file_location(unique, source)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load handler module {module_name} from {source}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[unique] = module  # as an import would: pydantic resolves names here
            spec.loader.exec_module(module)
            _modules[key] = module
    return getattr(module, attribute)


def _invoke_isolated(function: LambdaFunction, event: Any, timeout: float) -> dict[str, Any]:
    """Run the handler in a child process: the asset as working directory, the function's
    environment plus what the Lambda runtime sets (region, credentials, endpoint)."""
    root = _extract(function.code_bytes)
    region = function.region
    port = os.environ.get("MOTO_PORT", "5000")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(root),
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "local-harness",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size or 128),
        "HARNESS_LOCAL_FUNCTION_ARN": function.function_arn,
        "HARNESS_LOCAL_TIMEOUT": str(timeout),
        **(function.environment_vars or {}),
    }
    with tempfile.TemporaryDirectory(prefix="lambda-invoke-") as scratch:
        event_file, result_file = Path(scratch) / "event.json", Path(scratch) / "result.json"
        event_file.write_text(json.dumps(event if event is not None else {}))
        command = [sys.executable, str(_BOOTSTRAP), function.handler or "", str(event_file),
                   str(result_file)]  # fmt: skip
        try:
            done = subprocess.run(
                command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            message = f"Task timed out after {timeout:.2f} seconds"
            return {"error": {"errorMessage": message, "errorType": "Sandbox.Timedout"}}
        if not result_file.exists():
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            return {"error": {"errorMessage": tail, "errorType": "Runtime.ExitError"}}
        outcome: dict[str, Any] = json.loads(result_file.read_text())
        return outcome


def _invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    """Replacement for moto's Docker runner; returns (payload, errored, logs) like it.

    Reserved concurrency is honoured as in AWS: an invocation beyond it is throttled, which
    the state machine sees as ``Lambda.TooManyRequestsException`` (and retries).
    """
    self.logs_backend.ensure_log_group(self.logs_group_name)
    if not _claim(self.function_name, self.reserved_concurrency):
        error = {"errorMessage": "Rate Exceeded (reserved concurrency)", "errorType": THROTTLED}
        return json.dumps(error), True, ""
    return _invoke_claimed(self, event)


def _invoke_claimed(self: LambdaFunction, event: Any) -> tuple[str, bool, str]:
    """One claimed invocation: released when its handler has returned (even after its
    timeout was reported)."""
    if self.function_name in _isolated:
        try:
            isolated = _invoke_isolated(self, event, float(self.timeout or 3))
        finally:
            _release(self.function_name)
        if "error" in isolated:
            error = isolated["error"]
            self.save_logs(f"{error['errorType']}: {error['errorMessage']}")
            return json.dumps(error), True, ""
        return json.dumps(isolated.get("result")), False, ""
    timeout = float(self.timeout or 3)
    pool = _workers
    if pool is not None and self.function_name in _worker_functions:
        return _invoke_in_worker(self, pool, event, timeout)
    context = LocalLambdaContext(
        function_name=self.function_name,
        memory_limit_in_mb=int(self.memory_size or 128),
        invoked_function_arn=self.function_arn,
        timeout_seconds=timeout,
    )
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            handler = _load_handler(self)
            outcome["result"] = handler(event if event is not None else {}, context)
        except BaseException as err:  # noqa: BLE001 - every failure becomes a Lambda error
            outcome["error"] = {
                "errorMessage": str(err),
                "errorType": type(err).__name__,
                "stackTrace": traceback.format_exception(err)[-5:],
            }
        finally:
            _release(self.function_name)

    worker = threading.Thread(target=call, name=f"lambda-{self.function_name}", daemon=True)
    try:
        worker.start()
    except BaseException:
        _release(self.function_name)  # it never ran
        raise
    worker.join(timeout)
    if worker.is_alive():
        # Like Lambda: the caller sees a timeout. The thread cannot be killed; it is a daemon.
        error = {
            "errorMessage": f"Task timed out after {timeout:.2f} seconds",
            "errorType": "Sandbox.Timedout",
        }
        self.save_logs(error["errorMessage"])
        return json.dumps(error), True, ""
    return _answer(self, outcome)


def _invoke_in_worker(
    function: LambdaFunction, pool: WorkerPool, event: Any, timeout: float
) -> tuple[str, bool, str]:
    try:
        with _modules_lock:
            source, _, attribute, _ = _handler_source(function)
        call = Call(
            source=str(source),
            attribute=attribute,
            event=event if event is not None else {},
            environment={k: v for k, v in os.environ.items() if k.startswith(ENVIRONMENT_PREFIXES)},
            function_name=function.function_name,
            memory_mb=int(function.memory_size or 128),
            timeout_seconds=timeout,
        )
        future = pool.submit(call)
    except BaseException:
        _release(function.function_name)  # it never ran
        raise
    # Released when the worker answers (or the pool closes), even after the timeout below.
    future.add_done_callback(lambda _: _release(function.function_name))
    try:
        outcome = future.result(timeout)
    except TimeoutError:
        error = {
            "errorMessage": f"Task timed out after {timeout:.2f} seconds",
            "errorType": "Sandbox.Timedout",
        }
        function.save_logs(error["errorMessage"])
        return json.dumps(error), True, ""
    return _answer(function, outcome)


def _answer(function: LambdaFunction, outcome: dict[str, Any]) -> tuple[str, bool, str]:
    if "error" in outcome:
        error = outcome["error"]
        function.save_logs(f"{error['errorType']}: {error['errorMessage']}")
        return json.dumps(error), True, ""
    return json.dumps(outcome.get("result")), False, ""
