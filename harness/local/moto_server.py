"""A moto server on a free loopback port: the AWS APIs of a local run.

Everything the local engine changes in moto lives here and in `lambda_runtime.py`, so a
moto upgrade has two files to re-check (docs/local-engine.md says why each change exists):

- Step Functions executes state machines; Lambda runs our handlers in-process; ECS tasks
  stay RUNNING until someone stops them.
- **Start-up:** moto's ECS backend and its Step Functions parser (through AWS Batch) import
  moto's EC2 models, about a second of CPU for region and instance-type tables no local run
  uses. ``defer_ec2_models`` lets them import without it; EC2 loads on first real use.
- **Shut-down:** the server polls for shutdown every 50 ms instead of werkzeug's 0.5 s.
- **ECS events:** every change to an ECS service or task notifies ``on_ecs_change``
  listeners, so the reference target reacts at once instead of polling DescribeServices.
- **Service models:** moto reads each service's model from botocore's data files with a
  loader of its own, after this process's clients of that service have read the same file;
  it takes the clients' copy instead (``_share_service_models``).
- **Execution history:** ``GetExecutionHistory`` deep-copied the whole history and ran every
  event through moto's generic serializer, 10-40 ms of CPU per call growing with the run, and
  ignored paging; it now serves the page asked for, encoded directly
  (``_serve_history_pages``).
- **Per request:** moto listed its own package folder twice per request to find the
  service; the list is read once. The interpreter parsed every JSONPath each time it applied
  one; parsed paths are kept.
- **Lambda tasks:** the Step Functions interpreter builds a new boto3 client for every Lambda
  task it runs (20-30 ms of CPU each, serialised when a Map starts many at once), the first
  from boto3's default session (60 ms: models and endpoint rules loaded again); it reuses one
  per region instead, made from the session every local client shares.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import importlib.util
import json
import logging
import os
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core import config as moto_config
from moto.moto_api import state_manager

from harness.aws.clients import local_client, local_data_loader
from harness.local import lambda_runtime

_NEVER = {"progression": "manual", "times": 10**12}
SHUTDOWN_POLL_SECONDS = 0.05
ECS_CHANGES = ("create_service", "update_service", "delete_service", "run_task", "stop_task")
_listeners: list[tuple[Callable[[], None], str | None]] = []  # (callback, its service)
_listeners_lock = threading.Lock()
_serving: list[tuple[str, int]] = []  # (endpoint, port) of the moto servers running here


@dataclass
class MotoServer:
    endpoint: str
    port: int
    _server: Any
    _thread: threading.Thread
    _previous_port: str | None = None

    def stop(self) -> None:
        if (self.endpoint, self.port) in _serving:
            _serving.remove((self.endpoint, self.port))
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(2.0)
        # Another server of this process (one shared by tests, a CLI command's engine) keeps
        # working: its interpreter calls back to $MOTO_PORT. Hand it back to the one that had
        # it, or (if that one has stopped too) to one still running.
        if os.environ.get("MOTO_PORT") == str(self.port):
            running = [str(port) for _, port in _serving]
            previous = self._previous_port
            if previous is not None and (previous in running or not running):
                os.environ["MOTO_PORT"] = previous
            elif running:
                os.environ["MOTO_PORT"] = running[-1]
            else:
                os.environ.pop("MOTO_PORT", None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto_server(port: int | None = None) -> MotoServer:
    """Start moto (threaded, 127.0.0.1) with Step Functions execution and in-process Lambda.

    moto's backends and $MOTO_PORT are process-global: start one server per process and
    share it (``LocalEngine(moto=...)``).
    """
    defer_ec2_models()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

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
    _notify_ecs_changes()
    _reuse_lambda_clients()
    _reuse_parse_trees()
    _share_service_models()
    _serve_history_pages()
    _list_moto_modules_once()
    _keep_parsed_json_paths()
    for noisy in ("werkzeug", "moto.stepfunctions.parser"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", port, app, True, request_handler=MotoRequestHandler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
        name="moto-server",
        daemon=True,
    )
    thread.start()
    _serving.append((f"http://127.0.0.1:{port}", port))
    return MotoServer(
        endpoint=f"http://127.0.0.1:{port}",
        port=port,
        _server=server,
        _thread=thread,
        _previous_port=previous,
    )


def serves_in_process(endpoint_url: str | None) -> bool:
    """Whether ``endpoint_url`` is a moto server running in this process (its backends are
    then this process's objects)."""
    url = str(endpoint_url or "").rstrip("/")
    return any(url == endpoint for endpoint, _ in _serving)


def on_ecs_change(callback: Callable[[], None], service: str | None = None) -> Callable[[], None]:
    """Call ``callback`` (quickly: it runs in moto's request thread) after an ECS change in
    this process's moto: any task change, and changes to ``service`` (every service when
    None); returns the function that unsubscribes."""
    entry = (callback, service)
    with _listeners_lock:
        _listeners.append(entry)

    def unsubscribe() -> None:
        with _listeners_lock:
            if entry in _listeners:
                _listeners.remove(entry)

    return unsubscribe


def _reuse_lambda_clients() -> None:
    """The interpreter's Lambda client, one per region and server, from the session every
    local client shares, with moto's settings for it: moto built one per Lambda task with
    boto3's default session (the first cost 60 ms of model and endpoint-rule loading, on
    the way to the first scenario; each later one 20-30 ms)."""
    from botocore.config import Config
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    original = lambda_eval_utils.boto_client_for  # type: ignore[attr-defined]
    if getattr(original, "_harness_cached", False):
        return
    timeout = TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS
    clients: dict[tuple[str, str, str], Any] = {}
    lock = threading.Lock()

    def reused(region: str, service: str, state_credentials: Any = None) -> Any:
        if botocore_stubber.enabled:  # moto's decorators intercept: no server to call
            return original(region=region, service=service)
        port = moto_server_port()
        key = (region, service, port)
        with lock:
            if key not in clients:
                clients[key] = local_client(
                    service,
                    region=region,
                    endpoint_url=f"http://localhost:{port}",
                    config=Config(  # as moto's: a Lambda task is never retried by boto
                        parameter_validation=False,
                        retries={"max_attempts": 0, "total_max_attempts": 1},
                        connect_timeout=timeout,
                        read_timeout=timeout,
                    ),
                )
            return clients[key]

    reused._harness_cached = True  # type: ignore[attr-defined]
    lambda_eval_utils.boto_client_for = reused  # type: ignore[attr-defined]


def _share_service_models() -> None:
    """moto reads a service's model the first time it serves that service, with a new
    botocore loader: 10-30 ms of JSON per service that this process's clients have already
    read and keep (``local_data_loader``). moto takes their copy, read-only as the clients
    use it, unless moto or botocore adds extras to that model (then the two differ)."""
    import moto.core.utils as moto_utils
    from moto.core.loaders import create_loader

    original = moto_utils._load_service_model
    if getattr(original, "_harness_shared", False):
        return

    def load(service_name: str, model_name: str) -> dict[str, Any]:
        shared = local_data_loader()
        version = shared.determine_latest_version(service_name, model_name)
        for loader in (shared, create_loader()):
            if any(True for _ in loader._find_extras(service_name, model_name, version)):
                return original(service_name, model_name)
        # As botocore's session asks for it, so both hit the loader's one cache entry.
        model: dict[str, Any] = shared.load_service_model(
            service_name, type_name=model_name, api_version=None
        )
        return model

    load._harness_shared = True  # type: ignore[attr-defined]
    moto_utils._load_service_model = load


def _serve_history_pages() -> None:
    """``GetExecutionHistory`` as AWS pages it (``reverseOrder``, ``maxResults``,
    ``nextToken``; without ``maxResults`` the whole history, as moto always answered), the
    events encoded as they are stored (moto's serializer probed each of the event shape's
    sixty members on every event, after a deep copy of the whole history). The follower
    asks for the newest page at every poll; the whole history cost 10-40 ms of CPU a call.
    ``includeExecutionData`` is ignored, as by moto."""
    from moto.core.serialize import TimestampSerializer
    from moto.stepfunctions.exceptions import InvalidToken
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.get_execution_history
    if getattr(original, "_harness_pages", False):
        return

    def event_history(self: Any) -> Any:
        """The events are never changed once recorded: a copy of the list is a snapshot."""
        with self._mutex:
            return list(self._history_event_list)

    def encoded(value: object) -> object:
        if isinstance(value, datetime.datetime):
            return TimestampSerializer._timestamp_unixtimestamp(value)
        raise TypeError(f"{type(value).__name__} in a history event")

    def get_execution_history(self: Any) -> str:
        history = self.stepfunction_backend.get_execution_history(self._get_param("executionArn"))
        events = list(history["events"])
        newest_first = bool(self._get_param("reverseOrder"))
        if newest_first:
            events.reverse()
        token = self._get_param("nextToken")
        if token:  # the id of the last event of the previous page
            if not str(token).isdigit():
                raise InvalidToken(str(token))
            after = int(token)
            events = [e for e in events if (e["id"] < after if newest_first else e["id"] > after)]
        page: dict[str, Any] = {"events": events}
        limit = int(self._get_param("maxResults") or 0)
        if 0 < limit < len(events):
            page = {"events": events[:limit], "nextToken": str(events[limit - 1]["id"])}
        return json.dumps(page, default=encoded)

    get_execution_history._harness_pages = True  # type: ignore[attr-defined]
    get_execution_history.__wrapped__ = original  # type: ignore[attr-defined]
    StepFunctionResponse.get_execution_history = get_execution_history  # type: ignore[assignment]
    EventManager.get_event_history = event_history  # type: ignore[method-assign]


def _list_moto_modules_once() -> None:
    """moto's dispatcher lists its package folder (and stats each entry) twice for every
    request to tell a service name from a host; the folder does not change while we run."""
    import moto.backends

    original = moto.backends.list_of_moto_modules
    if getattr(original, "_harness_once", False):
        return
    modules = tuple(original())

    def listed() -> Any:
        return iter(modules)

    listed._harness_once = True  # type: ignore[attr-defined]
    moto.backends.list_of_moto_modules = listed


JSON_PATHS_KEPT = 1024


def _keep_parsed_json_paths() -> None:
    """The interpreter parsed a state's JSONPath (a new jsonpath-ng parser each time) every
    time it applied it; a parsed path is an immutable expression, so it is kept."""
    from moto.stepfunctions.parser.asl.utils import json_path

    parse = getattr(json_path, "parse")  # noqa: B009 - jsonpath-ng's, not exported
    if getattr(parse, "_harness_kept", False):
        return
    kept = functools.lru_cache(maxsize=JSON_PATHS_KEPT)(parse)
    kept._harness_kept = True  # type: ignore[attr-defined]
    setattr(json_path, "parse", kept)  # noqa: B010


PARSE_TREES_KEPT = 16  # definitions; a test session creates a state machine per engine


def _reuse_parse_trees() -> None:
    """moto parses a definition when its state machine is created (to validate it), then
    again for every execution: ANTLR takes 0.1-0.2 s of CPU over the suite's ASL each time.
    The parse tree of a definition is kept; every caller still gets evaluation components of
    its own, built from the tree by moto's preprocessor, so executions share nothing they
    change."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original = AmazonStateLanguageParser.parse
    if getattr(original, "_harness_cached", False):
        return
    trees: OrderedDict[str, Any] = OrderedDict()
    lock = threading.Lock()

    def parse(definition: str) -> tuple[Any, Any]:
        with lock:
            tree = trees.get(definition)
            if tree is not None:
                trees.move_to_end(definition)
        if tree is not None:
            return Preprocessor().visit(tree), tree
        program, tree = original(definition)
        with lock:
            trees[definition] = tree
            while len(trees) > PARSE_TREES_KEPT:
                trees.popitem(last=False)
        return program, tree

    parse._harness_cached = True  # type: ignore[attr-defined]
    AmazonStateLanguageParser.parse = staticmethod(parse)  # type: ignore[method-assign]


def _notify_ecs_changes() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    for name in ECS_CHANGES:
        original = getattr(EC2ContainerServiceBackend, name)
        if getattr(original, "_harness_notifies", False):
            continue
        setattr(EC2ContainerServiceBackend, name, _notifying(original))


def _changed_service(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The service a backend call changes (None: a task change, it may be anyone's)."""
    if name == "update_service":
        properties = args[1] if len(args) > 1 else kwargs.get("service_properties", {})
        service = properties.get("service")
    elif name in ("create_service", "delete_service"):
        service = args[2] if len(args) > 2 else kwargs.get("service_name")
    else:
        return None
    return str(service).rsplit("/", 1)[-1] if service else None


def _notifying(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        service = _changed_service(method.__name__, args, kwargs)  # before: moto pops keys
        result = method(*args, **kwargs)
        with _listeners_lock:
            listeners = list(_listeners)
        for callback, wanted in listeners:
            if service is None or wanted is None or wanted == service:
                callback()
        return result

    wrapper._harness_notifies = True  # type: ignore[attr-defined]
    return wrapper


class _LazyBackends:
    """Stands in for a moto ``BackendDict`` until someone really uses it."""

    def __init__(self, module: str, attribute: str) -> None:
        self._where = (module, attribute)

    @functools.cached_property
    def _real(self) -> Any:
        module, attribute = self._where
        return getattr(importlib.import_module(module), attribute)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(self._real)

    def __getitem__(self, key: str) -> Any:
        return self._real[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def defer_ec2_models() -> None:
    """Make ``moto.ec2`` and ``moto.batch`` importable without running their ``__init__``
    (which imports every EC2 model): their submodules import as usual, and the backends
    they export load on first use. Idempotent; a no-op once either is imported for real."""
    for package, module, attribute in (
        ("moto.ec2", "moto.ec2.models", "ec2_backends"),
        ("moto.batch", "moto.batch.models", "batch_backends"),
    ):
        if package in sys.modules:
            continue
        spec = importlib.util.find_spec(package)
        if spec is None:
            continue
        shell = importlib.util.module_from_spec(spec)  # its __path__, not its __init__
        setattr(shell, attribute, _LazyBackends(module, attribute))
        sys.modules[package] = shell
        parent, _, child = package.rpartition(".")
        setattr(sys.modules[parent], child, shell)
