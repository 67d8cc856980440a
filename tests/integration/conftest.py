from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_alert_state import DynamoDbAlertState
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_alert_state import SqliteAlertState
from harness.ports import AlertStateStore
from tests.integration.running_target import start_target
from tests.integration.stacks import StackFactory, stack_factory


@pytest.fixture
def stack(moto_server: MotoServer, tmp_path: Path) -> Iterator[StackFactory]:
    with stack_factory(moto_server, tmp_path) as start:
        yield start


def create_keyed_table(endpoint: str, name: str, key: str) -> None:
    """A table keyed by one string attribute, as infra/storage.py declares the run-state
    (``table_keys.RUN_STATE_KEY``) and leases (``table_keys.LEASE_KEY``) tables."""
    client("dynamodb", region="us-east-1", endpoint_url=endpoint).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
    )


def create_baselines_table(endpoint: str, name: str) -> None:
    """The baselines table exactly as infra/storage.py declares it."""
    client("dynamodb", region="us-east-1", endpoint_url=endpoint).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": keys.BASELINE_SERIES, "AttributeType": "S"},
            {"AttributeName": keys.BASELINE_NAME, "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": keys.BASELINE_SERIES, "KeyType": "HASH"},
            {"AttributeName": keys.BASELINE_NAME, "KeyType": "RANGE"},
        ],
    )


def create_alert_state_table(endpoint: str, name: str) -> None:
    """The alert-state table exactly as infra/storage.py declares it."""
    client("dynamodb", region="us-east-1", endpoint_url=endpoint).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": keys.ALERT_KEY, "AttributeType": "S"},
            {"AttributeName": keys.ALERT_TARGET, "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": keys.ALERT_KEY, "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": keys.ALERT_OPEN_INDEX,
                "KeySchema": [
                    {"AttributeName": keys.ALERT_TARGET, "KeyType": "HASH"},
                    {"AttributeName": keys.ALERT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture(params=["sqlite", "dynamodb"])
def alert_store(
    request: pytest.FixtureRequest, moto_server: MotoServer, tmp_path: Path
) -> Iterator[AlertStateStore]:
    if request.param == "sqlite":
        yield SqliteAlertState.in_state_dir(tmp_path)
        return
    name = f"alerts-{uuid.uuid4().hex[:8]}"
    create_alert_state_table(moto_server.endpoint, name)
    yield DynamoDbAlertState(name, region="us-east-1", endpoint_url=moto_server.endpoint)


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """The moto server as "AWS": clients made without an endpoint reach it, signing with the
    user's credentials from the normal chain (as `--aws` commands do)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "user-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    client.cache_clear()
    yield moto_server
    client.cache_clear()


# start_target is defined with its helpers in running_target.py; imported here to be found.
__all__ = [
    "alert_store",
    "aws",
    "stack",
    "start_target",
]


@pytest.fixture
def engine_factory(moto_server: MotoServer, tmp_path: Path) -> Iterator[list[LocalEngine]]:
    engines: list[LocalEngine] = []
    yield engines
    for engine in reversed(engines):  # LIFO: each restores the environment it found
        engine.stop()
