"""Recovery against a real reference target and the local stores: a run that ended badly is
put back, cleaned up and recorded as aborted; every step is reported, none is skipped
because another failed, and running it twice changes nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.aws.dynamodb_leases import DynamoDbLeases
from harness.aws.dynamodb_runs_in_flight import DynamoDbRunsInFlight
from harness.config import HarnessConfig, TargetConfig
from harness.errors import StoreError
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_leases import SqliteLeases
from harness.local.sqlite_runs_in_flight import SqliteRunsInFlight
from harness.ports import LeaseStore, RunInFlight
from harness.recovery import RecoveryReport, recover_run
from harness.target.leases import lease_key
from harness.wire import (
    Holder,
    LeaseClaim,
    LeaseMode,
    RunContext,
    ScenarioResult,
    Status,
    TargetResource,
    Verdict,
)
from tests.integration.conftest import create_keyed_table
from tests.integration.stacks import Stack, StackFactory
from tests.integration.test_dynamodb_history import create_runs_table
from tests.integration.test_handlers import Context, handler


def session(stack: Stack, n: int) -> str:
    answer = stack.api.create_session(f"{stack.run.client_prefix}x_{n}", "u")
    assert answer.status == 201
    return str(answer.json()["sessionId"])


def recover(
    stack: Stack,
    history: SqliteHistory,
    in_flight: SqliteRunsInFlight,
    run: RunContext,
    reason: str,
    entry: RunInFlight | None = None,
    results: list[ScenarioResult] | None = None,
    leases: LeaseStore | None = None,
) -> RecoveryReport:
    """The recovery of ``run`` on the stack's target, with the local stores."""
    return recover_run(
        run,
        reason=reason,
        entry=entry,
        results=results or [],
        ports=lambda _member: (stack.api, stack.infra),
        leases=leases or SqliteLeases.in_state_dir(stack.workdir),
        history=history,
        in_flight=in_flight,
        configured_prefix="TEST_",
        now=datetime.now(UTC),
    )


def stores(tmp_path: Path) -> tuple[SqliteHistory, SqliteRunsInFlight]:
    return SqliteHistory.in_state_dir(tmp_path), SqliteRunsInFlight.in_state_dir(tmp_path)


def claim_edit_service(stack: Stack, found: int) -> None:
    """What AcquireLeases does: the run holds its target's edit service, which it found at
    ``found`` (before anything warmed it)."""
    service = LeaseClaim(
        key=lease_key(stack.run.target, TargetResource.EDIT_SERVICE),
        target=stack.run.target.name,
        resource=TargetResource.EDIT_SERVICE,
        mode=LeaseMode.EXCLUSIVE,
        record_desired_count=True,
    )
    leases = SqliteLeases.in_state_dir(stack.workdir)
    assert (
        leases.acquire([service], stack.run.run_id, datetime.now(UTC), 600, lambda _c: found)
        is None
    )


class BrokenLeases(SqliteLeases):
    """A lease store that cannot be reached."""

    def holders(self, key: str) -> dict[str, Holder]:
        raise StoreError("leases table unreachable")


def test_a_dead_run_is_put_back_cleaned_up_and_recorded(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    history, in_flight = stores(tmp_path)
    claim_edit_service(target, found=0)  # the run found the service at 0, then warmed it
    in_flight.begin(target.run)
    in_flight.add_result(target.run.run_id, ScenarioResult(scenario="a", group="g", status="pass"))
    ours = [session(target, n) for n in range(3)]  # the run's sessions; the service is at 1
    customer = target.api.create_session("customer-1", "u").json()["sessionId"]
    seen_live = ScenarioResult(scenario="b", group="g", status=Status.FAIL)

    report = recover(
        target,
        history,
        in_flight,
        target.run,
        reason="TIMED_OUT",
        entry=in_flight.get(target.run.run_id),
        results=[seen_live],
    )

    assert [(r.target, r.desired_count) for r in report.restored] == [(target.run.target.name, 0)]
    assert target.infra.desired_count() == 0
    assert report.leases_released == 1  # the next run does not wait for them to expire
    assert (
        SqliteLeases.in_state_dir(target.workdir).holders(
            lease_key(target.run.target, TargetResource.EDIT_SERVICE)
        )
        == {}
    )
    assert report.cleanup is not None and report.cleanup.sessions_found == 3
    assert all(target.infra.get_session_item(sid) is None for sid in ours)
    assert target.infra.get_session_item(customer) is not None
    stored = history.get_run(target.run.run_id)
    assert stored is not None and stored.verdict is Verdict.ABORTED
    assert stored.aborted_reason == "TIMED_OUT"
    assert {r.scenario: r.status for r in stored.results} == {"a": Status.PASS, "b": Status.FAIL}
    assert in_flight.get(target.run.run_id) is None
    assert report.left("--target t.toml") == []

    again = recover(target, history, in_flight, target.run, reason="TIMED_OUT")
    assert (again.recorded, again.restored, again.leases_released) == (False, (), 0)
    assert again.cleanup is not None and again.cleanup.sessions_found == 0


def test_without_its_leases_the_count_setup_recorded_puts_the_service_back(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    history, in_flight = stores(tmp_path)
    in_flight.remember_desired_count(target.run, 0)  # what SetupGroup saw
    target.infra.set_desired_count(1)
    report = recover(
        target,
        history,
        in_flight,
        target.run,
        reason="its process died",
        entry=in_flight.get(target.run.run_id),
        leases=BrokenLeases.in_state_dir(target.workdir),
    )
    assert [(r.target, r.desired_count) for r in report.restored] == [(target.run.target.name, 0)]
    assert target.infra.desired_count() == 0
    assert report.restore_problems == (
        "leases: StoreError: leases table unreachable; the run's leases expire on their own",
    )
    assert report.recorded and report.cleanup is not None  # the other steps still ran


def test_a_run_that_has_its_verdict_is_not_recorded_again(
    stack: StackFactory, tmp_path: Path
) -> None:
    from harness.judge.summary import summarize

    target = stack()
    history, in_flight = stores(tmp_path)
    history.save_run(summarize(target.run, [], finished_at=datetime.now(UTC)))
    report = recover(target, history, in_flight, target.run, reason="interrupted by SIGINT")
    assert report.recorded is False
    stored = history.get_run(target.run.run_id)
    assert stored is not None and stored.verdict is Verdict.PASSED


def test_what_could_not_be_done_is_reported_with_how_to_remove_it(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    history, in_flight = stores(tmp_path)
    ours = session(target, 1)
    crafted = target.run.model_copy(
        update={"target": target.run.target.model_copy(update={"test_prefix": "OTHER_"})}
    )
    report = recover(target, history, in_flight, crafted, reason="its process died")
    assert report.cleanup is None and "refusing to clean up" in (report.cleanup_problem or "")
    assert report.recorded  # the other steps still ran
    (left,) = report.left("--target t.toml")
    assert f"harness cleanup --target t.toml --run-id {target.run.run_id}" in left
    assert target.infra.get_session_item(ours) is not None  # nothing was deleted unsafely


@pytest.fixture
def aws_env(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """The deployed functions' view: AWS endpoints are the moto server, credentials a user's."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fn-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fn-secret")
    client.cache_clear()
    yield moto_server
    client.cache_clear()


def test_the_recovery_function_recovers_an_aborted_execution(
    stack: StackFactory, aws_env: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = stack()
    suffix = uuid.uuid4().hex[:8]
    runs_table, state_table = f"runs-{suffix}", f"run-state-{suffix}"
    create_runs_table(aws_env.endpoint, runs_table)
    create_keyed_table(aws_env.endpoint, state_table, keys.RUN_STATE_KEY)
    target_config = TargetConfig.model_validate(target.run.target.model_dump())
    engine = LocalEngine(HarnessConfig(target=target_config), tmp_path, moto=aws_env)
    engine.start()
    try:  # an execution that got past planning, then was stopped (ABORTED)
        outcome = engine.start_run({"scenarios": ["alb-routing"], "runId": "gone-1"}, "gone-1")
        deadline = time.monotonic() + 60
        while outcome.plan is None:
            assert time.monotonic() < deadline, "the execution never got past Plan"
            engine.catch_up(outcome)
            time.sleep(0.1)
        engine.stop_run(outcome, "operator abort", drain_seconds=30)
    finally:
        engine.stop()
    run = outcome.plan.run
    in_flight = DynamoDbRunsInFlight(state_table, region="us-east-1", endpoint_url=aws_env.endpoint)
    leases_table, bucket = f"leases-{suffix}", f"results-{suffix}"
    client("s3", region="us-east-1", endpoint_url=aws_env.endpoint).create_bucket(Bucket=bucket)
    create_keyed_table(aws_env.endpoint, leases_table, keys.LEASE_KEY)
    leases = DynamoDbLeases(leases_table, region="us-east-1", endpoint_url=aws_env.endpoint)
    service = LeaseClaim(
        key=lease_key(run.target, TargetResource.EDIT_SERVICE),
        target=run.target.name,
        resource=TargetResource.EDIT_SERVICE,
        mode=LeaseMode.EXCLUSIVE,
        record_desired_count=True,
    )
    # What AcquireLeases recorded in AWS: the service was at 0 when the run claimed it.
    assert leases.acquire([service], run.run_id, datetime.now(UTC), 600, lambda _c: 0) is None
    left = [session(replace_run(target, run), n) for n in range(2)]  # a killed Lambda's leftovers
    target.infra.set_desired_count(1)

    deployed = HarnessConfig.model_validate(
        {
            "target": target_config.model_dump(),
            "history": {"backend": "dynamodb", "runs_table": runs_table},
            "storage": {"run_state_table": state_table, "bucket": bucket},
            "leases": {"backend": "dynamodb", "table": leases_table},
            "run": {"deployed": True},
        }
    )
    monkeypatch.setenv("HARNESS_CONFIG_JSON", deployed.model_dump_json())
    event = {
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "detail": {
            "executionArn": outcome.execution_arn,
            "stateMachineArn": engine.state_machine_arn,
            "status": "ABORTED",
        },
    }
    answer = handler("recover_run").lambda_handler(event, Context())

    assert answer["recovered"] is True and answer["runId"] == "gone-1", answer
    assert answer["left"] == []
    assert all(target.infra.get_session_item(sid) is None for sid in left)
    assert target.infra.desired_count() == 0
    history = DynamoDbHistory(runs_table, region="us-east-1", endpoint_url=aws_env.endpoint)
    stored = history.get_run("gone-1")
    assert stored is not None and stored.verdict is Verdict.ABORTED
    assert (stored.aborted_reason or "").startswith("ABORTED")
    assert in_flight.get("gone-1") is None
    assert leases.holders(service.key) == {}  # released, as ReleaseLeases would have


def replace_run(stack: Stack, run: RunContext) -> Stack:
    return Stack(run=run, api=stack.api, infra=stack.infra, workdir=stack.workdir)


def test_setup_stores_the_pre_run_count_durably_before_any_scenario(
    stack: StackFactory, aws_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = stack()
    target.warm()  # the service is at 1 before the run
    table = f"run-state-{uuid.uuid4().hex[:8]}"
    create_keyed_table(aws_env.endpoint, table, keys.RUN_STATE_KEY)
    config = HarnessConfig.model_validate(
        {"history": {"backend": "dynamodb"}, "storage": {"run_state_table": table}}
    )
    monkeypatch.setenv("HARNESS_CONFIG_JSON", config.model_dump_json())
    group = {
        "name": "lifecycle",
        "parallel": False,
        "maxConcurrency": 1,
        "scenarios": [
            {"name": "cold-start", "group": "lifecycle", "tags": [], "timeoutSeconds": 60}
        ],
    }
    event = {"group": group, "run": target.run.to_wire(), "target": target.run.target.to_wire()}
    assert handler("setup_group").lambda_handler(event, Context())["desiredCountBefore"] == 1
    target.infra.set_desired_count(0)  # a scenario scales it; the next group's setup sees 0
    handler("setup_group").lambda_handler(event, Context())
    entry = DynamoDbRunsInFlight(table, region="us-east-1", endpoint_url=aws_env.endpoint).get(
        target.run.run_id
    )
    assert entry is not None and entry.desired_count == 1 and entry.run == target.run
