"""Isolated reference-target stacks on the shared moto server, for integration tests."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.aws.target_infra import Boto3TargetInfra
from harness.config import (
    CacheConfig,
    HarnessConfig,
    ReferenceTargetConfig,
    SlaConfig,
    TargetConfig,
)
from harness.local.moto_server import MotoServer
from harness.local.reference_target import ReferenceTarget, provision_target_resources
from harness.local.sqlite_history import SqliteHistory
from harness.scenarios import ScenarioJob, catalogue
from harness.scenarios.runner import run_scenario
from harness.target.api import HttpTargetApi
from harness.target.http import HttpClient
from harness.wire import RunContext, RunFlags, ScenarioResult, ScenarioSpec
from tests.integration.running_target import resolved

# Generous, so a healthy target passes on a busy 2-core machine; a test about a limit
# tightens just that one (the reference target answers in well under a second).
SLA = SlaConfig(
    cold_start_max_seconds=20.0,
    session_creation_p95_max_seconds=10.0,
    recovery_max_seconds=20.0,
    error_response_max_seconds=10.0,
)
SCENARIO_TIMEOUT_SECONDS = 30
# Generous: a loopback request on a busy 2-core machine can take seconds; tests that are about
# hangs pass their own, shorter timeout.
REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass
class Stack:
    """One isolated target (its own table, cluster and service) and the ports to drive it."""

    run: RunContext
    api: HttpTargetApi
    infra: Boto3TargetInfra
    workdir: Path
    sla: SlaConfig = field(default_factory=lambda: SLA)
    target: ReferenceTarget | None = None

    def run_scenario(
        self, name: str, sla: SlaConfig | None = None, params: dict[str, Any] | None = None
    ) -> ScenarioResult:
        definition = catalogue()[name]
        spec = ScenarioSpec(
            name=name,
            group=definition.group,
            tags=list(definition.tags),
            timeout_seconds=SCENARIO_TIMEOUT_SECONDS,
            params=params or {},
        )
        job = ScenarioJob(definition, spec, self.run, sla or self.sla, self.api, self.infra)
        return run_scenario(job)

    def toml(self, path: Path) -> Path:
        """This stack as a ``--target FILE``: a user's own target, outside the CLI's process."""
        target = self.run.target
        keys = ("name", "endpoint", "aws_endpoint_url", "ecs_cluster", "ecs_service")
        lines = [f'{key} = "{getattr(target, key)}"' for key in (*keys, "sessions_table")]
        lines.append(f"request_timeout_seconds = {target.request_timeout_seconds}")
        path.write_text("[target]\n" + "\n".join(lines) + "\n")
        return path

    def wait_scaled_to_zero(self) -> None:
        deadline = time.monotonic() + 30
        while self.infra.running_task_ids():
            assert time.monotonic() < deadline, "the reference target never stopped its task"
            time.sleep(0.05)

    def warm(self) -> None:
        """Scale the edit service to 1 and wait for its task, as an earlier scenario would."""
        self.infra.set_desired_count(1)
        deadline = time.monotonic() + 30
        while not self.infra.running_task_ids():
            assert time.monotonic() < deadline, "the reference target never started its task"
            time.sleep(0.05)


StackFactory = Callable[..., Stack]


@contextmanager
def stack_factory(moto_server: MotoServer, tmp_path: Path) -> Iterator[StackFactory]:
    """Start as many isolated stacks as a test needs; all are stopped afterwards."""
    targets: list[ReferenceTarget] = []

    def start(
        faults: tuple[str, ...] = (),
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
        cold_start: float = 0.3,
        sla: SlaConfig = SLA,
        session_logs: bool = False,
        session_log_group: str = "",
    ) -> Stack:
        suffix = uuid.uuid4().hex[:8]
        if session_logs and not session_log_group:
            session_log_group = f"/sessions/{suffix}"
        config = TargetConfig(
            ecs_cluster=f"cluster-{suffix}",
            ecs_service=f"edit-{suffix}",
            sessions_table=f"sessions-{suffix}",
            request_timeout_seconds=request_timeout,
            session_log_group=session_log_group,
        )
        settings = ReferenceTargetConfig(
            cold_start_seconds=cold_start, recovery_seconds=0.3, faults=list(faults)
        )
        provision_target_resources(config, moto_server.endpoint)
        target = ReferenceTarget(config, settings, moto_server.endpoint, tmp_path / suffix, sla)
        targets.append(target.start())
        seen = resolved(config, target.endpoint, moto_server.endpoint)
        run = RunContext(
            run_id=f"t{suffix}",
            suite="full",
            started_at=datetime.now(UTC),
            target=seen,
            flags=RunFlags(),
        )
        api = HttpTargetApi(HttpClient(target.endpoint, timeout_seconds=request_timeout))
        return Stack(
            run=run,
            api=api,
            infra=Boto3TargetInfra(seen),
            workdir=tmp_path / suffix,
            sla=sla,
            target=target,
        )

    try:
        yield start
    finally:
        for target in targets:
            target.stop()


def isolated_config(faults: list[str] | None = None, cache: bool = False) -> HarnessConfig:
    """A config whose target names no other test uses (moto state is per process). Runs with
    it measure every time (no cached passes) unless a test of the cache asks for them."""
    suffix = uuid.uuid4().hex[:8]
    return HarnessConfig(
        cache=CacheConfig(enabled=cache),
        target=TargetConfig(
            name=f"ref-{suffix}",
            ecs_cluster=f"cluster-{suffix}",
            ecs_service=f"edit-{suffix}",
            sessions_table=f"sessions-{suffix}",
            request_timeout_seconds=REQUEST_TIMEOUT_SECONDS,
        ),
        reference_target=ReferenceTargetConfig(
            cold_start_seconds=0.2, recovery_seconds=0.2, faults=faults or []
        ),
    )


def break_history_writes(state_dir: Path) -> None:
    """Make storing a run fail (as a full disk would) while the rest of the state file -- its
    leases, the history reads of planning -- keeps working."""
    history = SqliteHistory.in_state_dir(state_dir)
    with sqlite3.connect(history.path) as db:
        db.execute(
            "CREATE TRIGGER no_new_runs BEFORE INSERT ON runs "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
