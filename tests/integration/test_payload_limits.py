"""Step Functions caps every state at 256 KB (moto's interpreter enforces it too). A run of
hundreds of scenarios with thousands of changed files completes and is recorded: the change
list stops at Plan, results travel by reference, and the summary in the state is abridged."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.aws.clients import client
from harness.config import GroupConfig, HarnessConfig, ScenarioOverride, SelectionConfig
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.scenarios import ScenarioContext, ScenarioDefinition, catalogue
from harness.wire import Status
from tests.integration.stacks import isolated_config

SCENARIOS = 250
GROUPS = 3
CHANGED_FILES = 3000
STATE_LIMIT = 256 * 1024


def synthetic(ctx: ScenarioContext) -> None:
    """A quick scenario whose result is the size of a real one (checks, metrics, details)."""
    for number in range(6):
        ctx.check(f"synthetic-check-{number}", True, f"answered 200 after {number} tries " * 3)
    ctx.metric("synthetic_seconds", 0.01, sla=1.0)
    ctx.metric("synthetic_bytes", 512)


@pytest.fixture
def bulk_catalogue() -> Iterator[list[str]]:
    """Hundreds of scenarios in the process's catalogue (the in-process Lambdas share it;
    registered the way the catalogue keeps plugins, and taken out again afterwards)."""
    names = [f"bulk-{number:03d}" for number in range(SCENARIOS)]
    known = catalogue()
    for index, name in enumerate(names):
        known._definitions[name] = ScenarioDefinition(
            name=name,
            summary="synthetic",
            group=f"bulk{index % GROUPS}",
            tags=("full",),
            timeout_seconds=60,
            metrics={"synthetic_seconds": "seconds", "synthetic_bytes": "count"},
            checks=tuple(f"synthetic-check-{n}" for n in range(6)),
            run=synthetic,
        )
        known._sources[name] = "tests/integration/test_payload_limits.py"
    yield names
    for name in names:
        del known._definitions[name], known._sources[name]


def largest_state(engine: LocalEngine, run_id: str) -> int:
    """The largest input or output of any state of the run, in bytes."""
    sfn = client("stepfunctions", region="us-east-1", endpoint_url=engine.moto.endpoint)
    arn = engine.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{run_id}"
    largest = 0
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        for event in page["events"]:
            for details in event.values():
                if isinstance(details, dict):
                    for key in ("input", "output"):
                        if isinstance(details.get(key), str):
                            largest = max(largest, len(details[key].encode()))
    return largest


def bulk_config() -> HarnessConfig:
    base = isolated_config(cache=True)
    builtin = {
        name: ScenarioOverride(enabled=False)
        for name in catalogue()
        if not name.startswith("bulk-")
    }
    groups = {f"bulk{n}": GroupConfig(parallel=True, max_concurrency=10) for n in range(GROUPS)}
    selection = SelectionConfig(map={"bulk/**": [f"bulk-{n:03d}" for n in range(SCENARIOS)]})
    return base.model_copy(update={"scenarios": builtin, "groups": groups, "selection": selection})


def test_hundreds_of_scenarios_and_thousands_of_changed_files_complete_and_are_recorded(
    bulk_catalogue: list[str], moto_server: MotoServer, tmp_path: Path
) -> None:
    changed = [
        f"bulk/src/modules/edit-session/component_{n:05d}/index.tsx" for n in range(CHANGED_FILES)
    ]
    request: dict[str, Any] = {
        "suite": "full",
        "runId": f"bulk-{uuid.uuid4().hex[:6]}",
        "flags": {"changedFiles": changed, "maxGroupConcurrency": GROUPS},
    }
    assert len(json.dumps(request)) > 150_000  # what used to end in States.DataLimitExceeded
    engine = LocalEngine(bulk_config(), tmp_path, moto=moto_server)
    with engine:
        outcome = engine.run(request, name=request["runId"])
        assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause)
        peak = largest_state(engine, request["runId"])
        again = {**request, "runId": f"{request['runId']}-2"}
        cached = engine.run(again, name=again["runId"])
    assert peak < STATE_LIMIT * 0.9, f"a state of {peak} bytes is too close to the limit"
    assert outcome.summary is not None and outcome.summary.abridged
    stored = SqliteHistory.in_state_dir(tmp_path).get_run(request["runId"])
    assert stored is not None and not stored.abridged
    assert len(stored.results) == SCENARIOS
    assert all(r.status is Status.PASS and r.metrics for r in stored.results)
    assert stored.results[0].selection is not None
    assert stored.results[0].selection.startswith(
        "changed: bulk/src/modules/edit-session/component_00000"
    )

    # The unchanged re-run is answered by the cache, and recorded just as fully.
    assert cached.status == "SUCCEEDED", (cached.error, cached.cause)
    again_stored = SqliteHistory.in_state_dir(tmp_path).get_run(again["runId"])
    assert again_stored is not None
    assert again_stored.counts[Status.CACHED] == SCENARIOS
    assert {r.cached_from for r in again_stored.results} == {request["runId"]}
