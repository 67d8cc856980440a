"""The local engine: the real suite state machine on moto, with no AWS account and no Docker.

It starts a moto server, deploys the same Lambda assets and the same ASL file that the CDK
app deploys (``harness.layout``), starts the bundled reference target unless the config
names a target, and runs executions while following their history.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.aws.clients import client
from harness.config import CONFIG_JSON_ENV, HarnessConfig, TargetMember
from harness.errors import ConfigError
from harness.execution.follow import catch_up, follow, start_execution
from harness.execution.heartbeat import HEARTBEAT_SECONDS, Heartbeat
from harness.execution.history import ExecutionOutcome, Progress
from harness.layout import SUITE_FUNCTIONS, render_asl
from harness.local import lambda_runtime
from harness.local.asset_cache import cached_function_zips
from harness.local.moto_server import MotoServer, start_moto_server
from harness.local.reference_target import ReferenceTarget
from harness.planning.pool import (
    pool_members,
    reference_planning,
    reference_pool,
    target_identity,
)
from harness.scenarios.base import current_wait
from harness.scenarios.runner import cancel_running

STATE_MACHINE_NAME = "harness-suite"
REFERENCE_LOG_GROUP = "/reference/edit-sessions"
LAMBDA_ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


class LocalEngine:
    """Use as a context manager; ``run`` may be called several times."""

    def __init__(
        self, config: HarnessConfig, state_dir: Path, moto: MotoServer | None = None
    ) -> None:
        self.state_dir = state_dir.resolve()
        self._config = config
        self._moto: MotoServer | None = moto
        self._owns_moto = moto is None
        # Unique names let several engines share one moto server (its state is per process).
        self._suffix = uuid.uuid4().hex[:8]
        self._targets: list[ReferenceTarget] = []
        self._workdir: Path | None = None
        self._saved_env: dict[str, str | None] = {}
        self._workers = False
        self.config = config  # the effective config, once started
        self.state_machine_arn = ""
        self.function_arns: dict[str, str] = {}  # by harness.layout function name
        self.heartbeat_seconds = HEARTBEAT_SECONDS

    @property
    def moto(self) -> MotoServer:
        if self._moto is None:
            raise RuntimeError("the local engine is not started")
        return self._moto

    @property
    def reference_target(self) -> ReferenceTarget | None:
        """The first bundled reference target (None when the config names a real target)."""
        return self._targets[0] if self._targets else None

    @property
    def reference_targets(self) -> list[ReferenceTarget]:
        """Every bundled reference target of the pool, in pool order."""
        return list(self._targets)

    @property
    def reference_workdir(self) -> Path | None:
        """The reference target's files (its EFS stand-in); removed when the engine stops."""
        return self._workdir

    def __enter__(self) -> LocalEngine:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self._moto is None:
            self._moto = start_moto_server()
        pool = self._start_reference_targets()
        self.config = self._config.model_copy(
            update={
                **pool,
                "local": self._config.local.model_copy(update={"state_dir": str(self.state_dir)}),
                "history": self._config.history.model_copy(update={"backend": "sqlite"}),
                "leases": self._config.leases.model_copy(update={"backend": "sqlite"}),
            }
        )
        self._set_env(
            {
                CONFIG_JSON_ENV: self.config.model_dump_json(),
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                "POWERTOOLS_SERVICE_NAME": "harness",
                # EMF lines would interleave with the CLI's progress; CloudWatch is AWS-only.
                "POWERTOOLS_METRICS_NAMESPACE": "Harness",
                "POWERTOOLS_METRICS_DISABLED": "true",
                # The interpreter calls Lambda back at localhost:$MOTO_PORT: this engine's moto,
                # even if another server started (and stopped) in this process since.
                "MOTO_PORT": str(self._moto.port),
            }
        )
        self.state_machine_arn = self._deploy()

    def _start_reference_targets(self) -> dict[str, Any]:
        """Start a bundled reference target per pool member without an endpoint (all or
        none); returns the config updates that point the run at them."""
        config = self._config
        members = pool_members(config)
        missing = [member.name for member in members if not member.endpoint]
        if not missing:
            return {}
        if len(missing) != len(members):
            raise ConfigError(
                f"targets {missing} have no endpoint: either every pool member names its "
                "endpoint, or none does (then each is a bundled reference target)"
            )
        if not config.targets:
            members = reference_pool(config.target, config.reference_target.pool_size or 1)
        # The bundled target logs each session like an edit container would.
        members = [
            member
            if member.session_log_group
            else member.model_copy(update={"session_log_group": REFERENCE_LOG_GROUP})
            for member in members
        ]
        self._workdir = Path(tempfile.mkdtemp(prefix="reference-target-"))
        moto = self.moto.endpoint
        shared: set[tuple[str, str | None]] = set()  # (cluster, log group) created already
        for member in members:
            place = (member.ecs_cluster, member.session_log_group)
            target = ReferenceTarget(
                member,
                config.reference_target,
                moto,
                self._workdir / member.name,
                sla=config.sla,
                provision_shared=place not in shared,
            )
            shared.add(place)
            self._targets.append(target)
            target.start()
        started = [
            member.model_copy(
                update={
                    "endpoint": target.endpoint,
                    "aws_endpoint_url": moto,
                    # What the bundled target runs is known exactly: passes can be reused.
                    "version": target.version,
                }
            )
            for member, target in zip(members, self._targets, strict=True)
        ]
        return {
            "target": started[0].model_copy(update={"name": target_identity(config.target)}),
            "targets": [TargetMember.model_validate(m.model_dump()) for m in started]
            if len(started) > 1
            else [],
            "reference_target": config.reference_target.model_copy(update={"pool_size": 0}),
            "planning": reference_planning(config),
        }

    def stop(self) -> None:
        if self._workers:
            lambda_runtime.stop_workers()
            self._workers = False
        if self._targets:  # at once: each waits up to 50 ms for its server to notice
            with ThreadPoolExecutor(max_workers=len(self._targets)) as stopping:
                list(stopping.map(ReferenceTarget.stop, self._targets))
        self._targets = []
        # The environment first: an own moto server, stopping after it, then hands $MOTO_PORT
        # back to the server that had it before (MotoServer.stop), not to itself.
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}
        if self._moto is not None and self._owns_moto:
            self._moto.stop()
            self._moto = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _set_env(self, values: dict[str, str]) -> None:
        """In-process handlers read the config from the environment, as they do in Lambda."""
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def _client(self, service: str) -> Any:
        return client(service, region=self.config.history.region, endpoint_url=self.moto.endpoint)

    def _deploy(self) -> str:
        iam, lambdas, sfn = (
            self._client("iam"),
            self._client("lambda"),
            self._client("stepfunctions"),
        )
        role = iam.create_role(
            RoleName=f"harness-local-{self._suffix}", AssumeRolePolicyDocument=LAMBDA_ROLE_POLICY
        )
        arns: dict[str, str] = {}
        cpu_bound: set[str] = set()
        functions = [f.with_overrides(self.config.deploy.functions) for f in SUITE_FUNCTIONS]
        zips = cached_function_zips(functions, self.config.deploy.extra_packages)
        for function, zipped in zip(functions, zips, strict=True):
            name = f"harness-{function.name.replace('_', '-')}-{self._suffix}"
            if function.cpu_bound:
                cpu_bound.add(name)
            created = lambdas.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role["Role"]["Arn"],
                Handler="handler.lambda_handler",
                Code={"ZipFile": zipped},
                Timeout=function.timeout_seconds,
                MemorySize=function.memory_mb,
                Environment={"Variables": {CONFIG_JSON_ENV: os.environ[CONFIG_JSON_ENV]}},
            )
            arns[function.placeholder] = created["FunctionArn"]
            self.function_arns[function.name] = created["FunctionArn"]
            if function.reserved_concurrency is not None:  # throttled as in AWS
                lambdas.put_function_concurrency(
                    FunctionName=created["FunctionArn"],
                    ReservedConcurrentExecutions=function.reserved_concurrency,
                )
        workers = self.config.local.worker_processes or 0
        if workers:
            lambda_runtime.use_workers(cpu_bound, workers)
            self._workers = True
        return str(
            sfn.create_state_machine(
                name=f"{STATE_MACHINE_NAME}-{self._suffix}",
                # Without the file's indentation: moto's ANTLR lexer spent half of its
                # parse (0.05 of 0.11 s, before the first scenario) on the whitespace.
                definition=json.dumps(json.loads(render_asl(arns)), separators=(",", ":")),
                roleArn=role["Role"]["Arn"],
                type="STANDARD",
            )["stateMachineArn"]
        )

    def start_run(self, execution_input: object, name: str) -> ExecutionOutcome:
        """Start an execution; ``follow`` it to its end (the outcome fills in as it goes)."""
        return start_execution(
            self._client("stepfunctions"), self.state_machine_arn, execution_input, name
        )

    def follow(
        self,
        outcome: ExecutionOutcome,
        on_progress: Callable[[Progress], None] = lambda progress: None,
    ) -> ExecutionOutcome:
        # The scenarios run in this process, so the heartbeat can say what each waits for.
        return follow(
            self._client("stepfunctions"),
            outcome,
            on_progress,
            timeout_seconds=self.config.sla.suite_max_seconds + 60,
            heartbeat=Heartbeat(every=self.heartbeat_seconds, current_wait=current_wait),
            pause=self._until_a_scenario_starts(),
        )

    def _until_a_scenario_starts(self) -> Callable[[float], None]:
        """A pause between history polls that ends when a RunScenario handler starts here: its
        "running" line shows at once, not up to a poll interval later (0.1-0.2 s at the
        start of a run). Its state was entered before the invocation, so the read finds it;
        only this function wakes the follower, as every wake-up costs a history read."""
        function = self.function_arns["run_scenario"].rsplit(":", 1)[-1]
        seen = lambda_runtime.started(function)

        def pause(seconds: float) -> None:
            nonlocal seen
            seen = lambda_runtime.wait_for_start(function, seen, seconds)

        return pause

    def catch_up(self, outcome: ExecutionOutcome) -> list[Progress]:
        """Apply the events not seen yet, once (after ``stop_run``, to keep every result)."""
        return catch_up(self._client("stepfunctions"), outcome)

    def stop_run(self, outcome: ExecutionOutcome, cause: str, drain_seconds: float) -> bool:
        """Stop an execution: no state starts after this, running scenarios are told to stop,
        and handlers still running get ``drain_seconds`` to return. False if some did not."""
        with contextlib.suppress(Exception):  # already ended: nothing to stop
            self._client("stepfunctions").stop_execution(
                executionArn=outcome.execution_arn, error="Interrupted", cause=cause
            )
        cancel_running()
        return lambda_runtime.wait_idle(drain_seconds)

    def run(
        self,
        execution_input: object,
        name: str,
        on_progress: Callable[[Progress], None] = lambda progress: None,
    ) -> ExecutionOutcome:
        return self.follow(self.start_run(execution_input, name), on_progress)
