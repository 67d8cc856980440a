"""The maintenance jobs' AWS environment against a moto server: the suite it starts on the
deployed state machine (once per period), the expiry it checks, what it records."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.aws.clients import client
from harness.aws.maintenance import AwsMaintenance
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.maintenance import TaskStatus, run_job
from harness.wire import EntryKind
from harness.wiring import connect
from tests.integration.stacks import isolated_config
from tests.integration.test_dynamodb_history import REGION, create_runs_table

SKIP = frozenset({"sweep-expired-test-data"})


@pytest.fixture
def deployed(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalEngine]:
    """The suite deployed (the local engine's deployment), and 'AWS' = the moto server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "user-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    client.cache_clear()
    engine = LocalEngine(isolated_config(), tmp_path, moto=moto_server)
    engine.start()
    yield engine
    engine.stop()
    client.cache_clear()


def wait_until_done(sfn: object, arn: str) -> str:
    deadline = time.monotonic() + 120
    while True:
        status = str(sfn.describe_execution(executionArn=arn)["status"])  # type: ignore[attr-defined]
        if status != "RUNNING" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_daily_job_in_aws(deployed: LocalEngine, moto_server: MotoServer) -> None:
    suffix = uuid.uuid4().hex[:8]
    table, bucket = f"runs-{suffix}", f"results-{suffix}"
    create_runs_table(moto_server.endpoint, table)
    dynamodb = client("dynamodb", region=REGION, endpoint_url=moto_server.endpoint)
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
    )
    s3 = client("s3", region=REGION, endpoint_url=moto_server.endpoint)
    s3.create_bucket(Bucket=bucket)
    config = deployed.config.model_copy(
        update={
            "history": deployed.config.history.model_copy(
                update={"backend": "dynamodb", "runs_table": table, "region": REGION}
            ),
            "storage": deployed.config.storage.model_copy(update={"bucket": bucket}),
        }
    )
    env = AwsMaintenance(config, deployed.state_machine_arn, connect)
    first = run_job("daily", env, skip=SKIP)
    tasks = {task.name: task for task in first.tasks}
    assert tasks["smoke-run"].status is TaskStatus.OK, tasks["smoke-run"].detail
    arn = tasks["smoke-run"].data["executionArn"]
    sfn = client("stepfunctions", region=REGION, endpoint_url=moto_server.endpoint)
    assert wait_until_done(sfn, arn) == "SUCCEEDED"
    # No lifecycle on the bucket: the expiry check names what is missing.
    assert tasks["expire-own-data"].status is TaskStatus.FAILED
    assert "no lifecycle expiry for reports/" in tasks["expire-own-data"].detail
    assert tasks["budget-check"].status is TaskStatus.OK
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {"ID": p, "Status": "Enabled", "Filter": {"Prefix": p}, "Expiration": {"Days": 7}}
                for p in ("cache/", "reports/", "junit/")
            ]
        },
    )
    again = run_job("daily", env, skip=SKIP)
    retried = {task.name: task for task in again.tasks}
    assert retried["smoke-run"].status is TaskStatus.SKIPPED  # one smoke run per day
    assert retried["expire-own-data"].status is TaskStatus.OK
    assert len(sfn.list_executions(stateMachineArn=deployed.state_machine_arn)["executions"]) == 1
    recorded = env.journal.entries(EntryKind.JOB, again.started_at)
    assert [entry.key for entry in recorded] == [again.key]
