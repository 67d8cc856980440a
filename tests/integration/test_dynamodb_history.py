"""DynamoDbHistory against the real moto server, on a table with the CDK app's key schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.errors import HistoryError, RunExistsError
from harness.local.moto_server import MotoServer
from harness.wire import Check, RunSummary, ScenarioResult, Status, Trigger, Verdict

REGION = "us-east-1"
T0 = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)


def create_runs_table(endpoint: str, name: str) -> None:
    """The runs table exactly as infra/storage.py declares it."""
    dynamodb = client("dynamodb", region=REGION, endpoint_url=endpoint)
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": keys.RUN_ID, "AttributeType": "S"},
            {"AttributeName": keys.SERIES, "AttributeType": "S"},
            {"AttributeName": keys.KIND, "AttributeType": "S"},
            {"AttributeName": keys.TARGET, "AttributeType": "S"},
            {"AttributeName": keys.STARTED_AT, "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": keys.RUN_ID, "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": partition, "KeyType": "HASH"},
                    {"AttributeName": keys.STARTED_AT, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, partition in keys.RUNS_INDEXES
        ],
    )


def summary(
    run_id: str, started: datetime, *, target: str = "web", suite: str = "smoke"
) -> RunSummary:
    return RunSummary(
        run_id=run_id,
        suite=suite,
        target=target,
        trigger=Trigger.SCHEDULE,
        commit="abc123",
        started_at=started,
        finished_at=started + timedelta(minutes=3),
        duration_seconds=180.0,
        verdict=Verdict.PASSED,
        success_rate=1.0,
        counts={Status.PASS: 2},
        results=[],
        metrics=[],
        estimated_cost_usd=0.12,
    )


@pytest.fixture()
def history(moto_server: MotoServer) -> Iterator[DynamoDbHistory]:
    table = f"runs-{uuid.uuid4().hex[:8]}"
    create_runs_table(moto_server.endpoint, table)
    yield DynamoDbHistory(table, region=REGION, endpoint_url=moto_server.endpoint)
    client("dynamodb", region=REGION, endpoint_url=moto_server.endpoint).delete_table(
        TableName=table
    )


def test_saved_run_reads_back_equal(history: DynamoDbHistory) -> None:
    run = summary("r1", T0)
    history.save_run(run)
    assert history.get_run("r1") == run
    assert history.get_run("missing") is None


def test_a_stored_run_is_never_replaced(history: DynamoDbHistory) -> None:
    history.save_run(summary("r1", T0))
    with pytest.raises(RunExistsError, match="r1 is already in the history"):
        history.save_run(summary("r1", T0 + timedelta(days=1)))
    stored = history.get_run("r1")
    assert stored is not None and stored.started_at == T0


def test_item_carries_keys_and_ttl(history: DynamoDbHistory, moto_server: MotoServer) -> None:
    history.save_run(summary("r1", T0))
    dynamodb = client("dynamodb", region=REGION, endpoint_url=moto_server.endpoint)
    item = dynamodb.get_item(TableName=history.table_name, Key={keys.RUN_ID: {"S": "r1"}})["Item"]
    assert item[keys.SERIES] == {"S": "web#smoke"}
    assert item[keys.STARTED_AT] == {"S": "2025-01-06T06:00:00.000000Z"}
    assert int(item[keys.EXPIRES_AT]["N"]) == int((T0 + timedelta(days=400)).timestamp())


def test_previous_run_is_newest_of_same_series_before_the_moment(
    history: DynamoDbHistory,
) -> None:
    history.save_run(summary("old", T0))
    history.save_run(summary("newer", T0 + timedelta(days=1)))
    history.save_run(summary("other-suite", T0 + timedelta(days=1, hours=1), suite="full"))
    history.save_run(summary("other-target", T0 + timedelta(days=1, hours=2), target="x"))
    history.save_run(summary("current", T0 + timedelta(days=2)))

    previous = history.previous_run("web", "smoke", T0 + timedelta(days=2))
    assert previous is not None and previous.run_id == "newer"
    assert history.previous_run("web", "smoke", T0) is None
    assert history.previous_run("nobody", "smoke", T0 + timedelta(days=9)) is None


def test_previous_run_compares_instants_across_time_zones(history: DynamoDbHistory) -> None:
    history.save_run(summary("utc", T0))
    cet = timezone(timedelta(hours=1))
    assert history.previous_run("web", "smoke", datetime(2025, 1, 6, 7, 0, 1, tzinfo=cet))
    assert history.previous_run("web", "smoke", datetime(2025, 1, 6, 7, 0, tzinfo=cet)) is None


def test_list_runs_newest_first_with_limit(history: DynamoDbHistory) -> None:
    for day in range(5):
        history.save_run(summary(f"r{day}", T0 + timedelta(days=day), suite="full"))
    assert [run.run_id for run in history.list_runs(3)] == ["r4", "r3", "r2"]
    assert len(history.list_runs()) == 5
    assert history.list_runs(0) == []


def test_recent_runs_of_one_target_across_suites(history: DynamoDbHistory) -> None:
    for day in range(4):
        history.save_run(
            summary(f"w{day}", T0 + timedelta(days=day), suite=["smoke", "full"][day % 2])
        )
    history.save_run(summary("x0", T0 + timedelta(days=5), target="x"))
    assert [run.run_id for run in history.recent_runs("web", 10)] == ["w3", "w2", "w1", "w0"]
    assert [run.run_id for run in history.recent_runs("web", 2)] == ["w3", "w2"]
    before = T0 + timedelta(days=2)
    assert [run.run_id for run in history.recent_runs("web", 10, before)] == ["w1", "w0"]
    assert history.recent_runs("nobody", 10) == []


def test_missing_table_is_a_history_error(moto_server: MotoServer) -> None:
    store = DynamoDbHistory("no-such-table", region=REGION, endpoint_url=moto_server.endpoint)
    with pytest.raises(HistoryError, match="ResourceNotFoundException"):
        store.get_run("r1")


def test_an_aborted_run_is_listed_but_never_a_baseline(history: DynamoDbHistory) -> None:
    history.save_run(summary("judged", T0))
    cut = summary("cut", T0 + timedelta(hours=1)).model_copy(
        update={"verdict": Verdict.ABORTED, "aborted_reason": "TIMED_OUT"}
    )
    history.save_run(cut)
    later = T0 + timedelta(days=1)
    previous = history.previous_run("web", "smoke", before=later)
    assert previous is not None and previous.run_id == "judged"
    assert [r.run_id for r in history.recent_runs("web", 10)] == ["judged"]
    assert [r.run_id for r in history.list_runs()] == ["cut", "judged"]
    assert history.get_run("cut") == cut


def test_a_run_too_large_for_one_item_as_json_is_stored_compressed(
    history: DynamoDbHistory,
) -> None:
    big = summary("big", T0)
    results = [
        ScenarioResult(
            scenario=f"bulk-{n:03d}",
            group="bulk",
            status=Status.PASS,
            checks=[
                Check(name=f"check-{k}", passed=True, detail="answered 200 " * 8) for k in range(6)
            ],
        )
        for n in range(500)
    ]
    big = big.model_copy(update={"results": results})
    assert len(big.model_dump_json(by_alias=True)) > 400_000
    history.save_run(big)
    assert history.get_run("big") == big
    assert [run.run_id for run in history.list_runs(5)][:1] == ["big"]
