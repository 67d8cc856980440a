"""The deploy path, proven without an account: the synthesized template is deployed onto a
moto server (tables, buckets, topics, every function with its real asset, handler and
environment, the state machine with its substitutions resolved), and `harness run --aws`
runs the smoke suite through it against the reference target: green, with the results a
local run gets. Each function runs in its own process with only the environment the
template gives it, so a wiring mistake in infra/ (a wrong handler path, a missing variable,
a placeholder left in the definition) fails here."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.aws.clients import client
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.aws.dynamodb_journal import DynamoDbJournal
from harness.cli import main
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.wire import EntryKind, RunSummary, ScenarioResult
from tests.infra.conftest import Synth
from tests.infra.moto_deploy import Deployment, deploy_stack
from tests.integration.stacks import isolated_config, stack_factory

pytestmark = pytest.mark.infra
REGION = "us-east-1"


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """The CLI talks to 'AWS' (the moto server) with a user's credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "user-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    monkeypatch.delenv("HARNESS_CONFIG_JSON", raising=False)
    client.cache_clear()
    yield moto_server
    client.cache_clear()


def shape(results: list[ScenarioResult]) -> dict[str, tuple[str, list[str]]]:
    """What must match between the two runs: each scenario's status and its checks."""
    return {
        r.scenario: (r.status.value, [f"{c.name}:{c.passed}" for c in r.checks]) for r in results
    }


def runs_table(deployment: Deployment) -> str:
    (logical,) = [
        name
        for name, props in deployment.resources("AWS::DynamoDB::Table").items()
        if props["TableName"] == "it-runs"  # [history] runs_table of the synthesized config
    ]
    return deployment.refs[logical]


def test_the_synthesized_stack_runs_the_smoke_suite_like_a_local_run(
    synth: Synth, aws: MotoServer, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    with stack_factory(aws, tmp_path) as start:
        # Deployed as for the reference target (the deployed harness tests the target its
        # config names, and makes the run id itself).
        target = start().run.target.model_dump(exclude={"request_timeout_seconds"})
        deployment = deploy_stack(
            synth.outdir, synth.config.deploy.stack_name, aws.endpoint, suffix, target=target
        )
        arn = deployment.outputs["StateMachineArn"]
        out = io.StringIO()
        code = main(["run", "--aws", "--state-machine-arn", arn, "--suite", "smoke"], out=out)
    assert code == 0, out.getvalue()
    assert "PASSED - 3 pass" in out.getvalue()
    found = re.search(r"^Run (\S+) ", out.getvalue(), re.MULTILINE)
    assert found is not None, out.getvalue()
    run_id = found[1]
    # The run went where the template says: its runs table, its journal.
    history = DynamoDbHistory(runs_table(deployment), region=REGION)
    stored = history.get_run(run_id)
    assert stored is not None and stored.verdict.value == "passed"
    assert stored.estimated_cost_usd > 0 and stored.sla
    since = datetime.now(UTC) - timedelta(hours=1)
    cleanups = DynamoDbJournal(history).entries(EntryKind.CLEANUP, since)
    assert [entry.key for entry in cleanups] == [run_id]
    # The same suite on the local engine gives the same results.
    with LocalEngine(isolated_config(), tmp_path / "local", moto=aws) as engine:
        outcome = engine.run({"suite": "smoke"}, name=f"local-{suffix}")
    local: RunSummary | None = outcome.summary
    assert local is not None
    assert shape(stored.results) == shape(local.results)
