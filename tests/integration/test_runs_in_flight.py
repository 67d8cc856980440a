"""Runs in flight behave the same in SQLite and in DynamoDB (moto)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_runs_in_flight import DynamoDbRunsInFlight
from harness.local.moto_server import MotoServer
from harness.local.sqlite_runs_in_flight import SqliteRunsInFlight
from harness.ports import RunsInFlight
from harness.wire import RunContext, ScenarioResult, Status
from tests.fakes import RUN
from tests.integration.conftest import create_keyed_table


def run(run_id: str) -> RunContext:
    return RUN.model_copy(update={"run_id": run_id})


def result(name: str, status: Status) -> ScenarioResult:
    return ScenarioResult(scenario=name, group="g", status=status)


@pytest.fixture(params=["sqlite", "dynamodb"])
def in_flight(
    request: pytest.FixtureRequest, tmp_path: Path, moto_server: MotoServer
) -> Iterator[RunsInFlight]:
    if request.param == "sqlite":
        yield SqliteRunsInFlight.in_state_dir(tmp_path)
        return
    table = f"run-state-{uuid.uuid4().hex[:8]}"
    create_keyed_table(moto_server.endpoint, table, keys.RUN_STATE_KEY)
    yield DynamoDbRunsInFlight(table, region="us-east-1", endpoint_url=moto_server.endpoint)
    client("dynamodb", region="us-east-1", endpoint_url=moto_server.endpoint).delete_table(
        TableName=table
    )


def test_a_run_in_flight_round_trip(in_flight: RunsInFlight) -> None:
    in_flight.begin(run("r1"), owner="123@host", ephemeral_target=True)
    in_flight.remember_desired_count(run("r1"), 1)
    in_flight.remember_desired_count(run("r1"), 0)  # a later group's count: the first one wins
    in_flight.add_result("r1", result("cold-start", Status.FAIL))
    in_flight.add_result("r1", result("cold-start", Status.PASS))  # a retried add: the last wins
    in_flight.add_result("r1", result("alb-routing", Status.PASS))
    in_flight.add_result("unknown", result("alb-routing", Status.PASS))  # ignored
    entry = in_flight.get("r1")
    assert entry is not None
    assert (entry.run_id, entry.run, entry.desired_count) == ("r1", run("r1"), 1)
    assert (entry.owner, entry.ephemeral_target) == ("123@host", True)
    assert {r.scenario: r.status for r in entry.results} == {
        "cold-start": Status.PASS,
        "alb-routing": Status.PASS,
    }
    assert [e.run_id for e in in_flight.in_flight()] == ["r1"]
    in_flight.finish("r1")
    in_flight.finish("r1")  # idempotent
    assert in_flight.get("r1") is None and in_flight.in_flight() == []


def test_setup_alone_records_the_run_and_its_count(in_flight: RunsInFlight) -> None:
    """In AWS nothing calls begin(): the first SetupGroup's record is the entry."""
    in_flight.remember_desired_count(run("r2"), 3)
    entry = in_flight.get("r2")
    assert entry is not None and entry.run == run("r2") and entry.desired_count == 3
    assert entry.owner is None and entry.results == []
