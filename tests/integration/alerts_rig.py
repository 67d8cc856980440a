"""One Alert step at the alerting-core level: literal regressions in, the real dispatcher,
senders and store, and the recording servers (Slack, GitHub) and moto (SNS) on the far side."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from harness.aws.clients import client
from harness.aws.sns_topic import SnsTopic
from harness.config import AlertRoutingConfig
from harness.local.moto_server import MotoServer
from harness.notify.channels import Sender, TopicSender
from harness.notify.delivery import Retrier, RetryPolicy
from harness.notify.dispatch import dispatch_alerts
from harness.notify.github import GitHubSender
from harness.notify.slack import SlackSender
from harness.ports import AlertStateStore
from harness.wire import AlertReport, Channel, Regression
from tests.alerting import summary

LINK = "file:///state/reports/run/report.html"
FAST = RetryPolicy(max_attempts=3, base_seconds=0.01, max_delay_seconds=5.0, timeout_seconds=2.0)


@dataclass
class Topic:
    """An SNS topic in moto with an SQS queue subscribed: what the topic's subscribers get."""

    moto: MotoServer
    arn: str = ""
    queue: str = ""

    def __post_init__(self) -> None:
        sns, sqs = self._client("sns"), self._client("sqs")
        self.arn = sns.create_topic(Name=f"critical-{uuid.uuid4().hex[:6]}")["TopicArn"]
        self.queue = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:6]}")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])
        sns.subscribe(
            TopicArn=self.arn, Protocol="sqs", Endpoint=attributes["Attributes"]["QueueArn"]
        )

    def _client(self, service: str) -> Any:
        return client(service, region="us-east-1", endpoint_url=self.moto.endpoint)

    def subjects(self) -> list[str]:
        """Every message waiting in the subscribed queue (drained)."""
        found: list[str] = []
        sqs = self._client("sqs")
        while True:
            batch = sqs.receive_message(
                QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"])["Subject"])
                sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])

    def sender(self) -> TopicSender:
        return TopicSender(
            Channel.CRITICAL_TOPIC, SnsTopic(self.arn, endpoint_url=self.moto.endpoint)
        )


@dataclass
class Rig:
    store: AlertStateStore
    slack_url: str = ""
    github_url: str = ""
    topic: Topic | None = None
    config: AlertRoutingConfig = field(default_factory=AlertRoutingConfig)
    policy: RetryPolicy = FAST
    slept: list[float] = field(default_factory=list)

    def senders(self) -> dict[Channel, Sender]:
        return {
            Channel.CRITICAL_TOPIC: self.topic.sender()
            if self.topic
            else TopicSender(Channel.CRITICAL_TOPIC, None),
            Channel.STANDARD_TOPIC: TopicSender(Channel.STANDARD_TOPIC, None),
            Channel.SLACK: SlackSender(self.slack_url),
            Channel.GITHUB: GitHubSender(
                self.github_url, "acme/shop" if self.github_url else "", "t0ken", ["regression"]
            ),
        }

    def run(
        self,
        run_id: str,
        regressions: list[Regression],
        statuses: dict[str, str] | None = None,
    ) -> AlertReport:
        def sleep(seconds: float) -> None:
            self.slept.append(seconds)
            time.sleep(min(seconds, 0.05))  # a real pause, but Retry-After tests stay quick

        return dispatch_alerts(
            summary(run_id, statuses),
            regressions,
            alerts=self.config,
            store=self.store,
            senders=self.senders,
            retrier=Retrier(self.policy, deadline=time.monotonic() + 60, sleep=sleep),
            report_link=LINK,
        )
