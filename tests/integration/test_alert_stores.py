"""The alert adapters against the real moto server: both alert-state stores behave the same,
SNS publishes reach a subscriber, secrets are read through Powertools Parameters."""

from __future__ import annotations

import json
import uuid

import pytest

from harness.aws.clients import client
from harness.aws.secrets import read_secret
from harness.aws.sns_topic import SnsTopic
from harness.errors import AlertDeliveryError
from harness.local.moto_server import MotoServer
from harness.notify.lifecycle import AlertState
from harness.ports import AlertStateStore
from harness.wire import (
    AlertDelivery,
    AlertReport,
    Channel,
    DeliveryStatus,
    MutedRegression,
    NoticeKind,
    Severity,
)

REGION = "us-east-1"


def state(key: str, target: str = "shop", **extra: object) -> AlertState:
    return AlertState.model_validate(
        {
            "key": key,
            "target": target,
            "scenario": "cold-start",
            "metric": key.rsplit("/", 1)[-1],
            "severity": "high",
            "message": "worse",
            "current": 2.0,
            "baseline": 1.0,
            "change_ratio": 2.0,
            "opened_run": "r1",
            "last_run": "r1",
            "notified": ["slack"],
            **extra,
        }
    )


def report(run_id: str) -> AlertReport:
    return AlertReport(
        run_id=run_id,
        deliveries=[
            AlertDelivery(
                key="shop/cold-start/a",
                channel=Channel.SLACK,
                kind=NoticeKind.OPEN,
                severity=Severity.HIGH,
                recipient="Slack webhook at 127.0.0.1:1",
                text="[HIGH] a regressed",
                status=DeliveryStatus.UNDELIVERED,
                attempts=4,
                detail="Slack: HTTP 500",
            )
        ],
        muted=[MutedRegression(key="shop/cold-start/b", reason="suppressed by ack-1")],
    )


def test_open_alerts_per_target_and_deliveries_per_run(alert_store: AlertStateStore) -> None:
    first, second = state("shop/cold-start/a"), state("shop/cold-start/b", issue=3)
    alert_store.record(report("r1"), save=[first, second, state("blog/x/a", "blog")], delete=[])
    assert alert_store.open_alerts("shop") == [first, second]
    assert [s.key for s in alert_store.open_alerts("blog")] == ["blog/x/a"]
    assert alert_store.alert_report("r1") == report("r1")
    assert alert_store.alert_report("r0") is None

    changed = second.model_copy(update={"runs": 2, "last_run": "r2"})
    alert_store.record(report("r2"), save=[changed], delete=["shop/cold-start/a"])
    assert alert_store.open_alerts("shop") == [changed]
    assert alert_store.alert_report("r1") == report("r1")  # each run keeps its own record
    assert alert_store.alert_report("r2") is not None


def test_many_states_in_one_record(alert_store: AlertStateStore) -> None:
    states = [state(f"shop/s/m{n:03}") for n in range(120)]  # more than one transaction
    alert_store.record(report("r1"), save=states, delete=[])
    assert len(alert_store.open_alerts("shop")) == 120


def test_sns_publish_reaches_a_subscriber(moto_server: MotoServer) -> None:
    sns = client("sns", region=REGION, endpoint_url=moto_server.endpoint)
    sqs = client("sqs", region=REGION, endpoint_url=moto_server.endpoint)
    arn = sns.create_topic(Name=f"critical-{uuid.uuid4().hex[:6]}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    topic = SnsTopic(arn, endpoint_url=moto_server.endpoint)

    message_id = topic.publish("[HIGH] a regressed", "body", {"severity": "high"})

    (received,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    envelope = json.loads(received["Body"])
    assert envelope["MessageId"] == message_id
    assert envelope["Subject"] == "[HIGH] a regressed" and envelope["Message"] == "body"
    assert envelope["MessageAttributes"]["severity"]["Value"] == "high"
    assert topic.name == arn.rsplit(":", 1)[1]


def test_publishing_to_a_missing_topic_is_a_delivery_error(moto_server: MotoServer) -> None:
    topic = SnsTopic(
        "arn:aws:sns:us-east-1:123456789012:no-such-topic", endpoint_url=moto_server.endpoint
    )
    with pytest.raises(AlertDeliveryError, match="SNS no-such-topic: NotFound") as caught:
        topic.publish("s", "m", {})
    assert caught.value.retryable is False  # botocore already retried what can pass


def test_secrets_are_read_by_name(moto_server: MotoServer) -> None:
    secrets = client("secretsmanager", region=REGION, endpoint_url=moto_server.endpoint)
    name = f"harness/slack-{uuid.uuid4().hex[:6]}"
    secrets.create_secret(Name=name, SecretString="https://hooks.example/T/B/X\n")
    assert (
        read_secret(name, region=REGION, endpoint_url=moto_server.endpoint)
        == "https://hooks.example/T/B/X"
    )
    with pytest.raises(AlertDeliveryError, match="could not read secret 'harness/missing'"):
        read_secret("harness/missing", region=REGION, endpoint_url=moto_server.endpoint)


def test_deployed_handlers_take_channel_secrets_from_secrets_manager(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``secrets = "secretsmanager"`` (what the CDK app sets): the Slack webhook comes from
    its secret, and a missing token secret makes GitHub unavailable, naming the secret."""
    from harness.aws import secrets as secrets_module
    from harness.config import HarnessConfig
    from harness.wiring import alert_senders

    slack_name = f"it/slack-{uuid.uuid4().hex[:6]}"
    client("secretsmanager", region=REGION, endpoint_url=moto_server.endpoint).create_secret(
        Name=slack_name, SecretString=f"{moto_server.endpoint}/hooks/T/B/X"
    )
    # In Lambda the real endpoint and the role's credentials; here moto's, by environment.
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local-harness")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    secrets_module._provider.cache_clear()
    client.cache_clear()
    try:
        config = HarnessConfig.model_validate(
            {
                "alerts": {
                    "secrets": "secretsmanager",
                    "slack_webhook_secret_name": slack_name,
                    "github_repo": "acme/shop",
                    "github_token_secret_name": "it/no-such-token",
                }
            }
        )
        senders = alert_senders(config)
    finally:
        secrets_module._provider.cache_clear()
        client.cache_clear()
    slack, github = senders[Channel.SLACK], senders[Channel.GITHUB]
    host = moto_server.endpoint.removeprefix("http://")
    assert slack.unavailable is None and slack.recipient == f"Slack webhook at {host}"
    assert github.configured and github.unavailable is not None
    assert "could not read secret 'it/no-such-token'" in github.unavailable
