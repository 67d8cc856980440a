"""An SNS topic that alerts are published to (``harness.notify.channels.TopicPublisher``)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws.clients import client
from harness.errors import AlertDeliveryError


class SnsTopic:
    """Publishes once per call. botocore's standard retry mode already retries throttling,
    5xx answers and dropped connections (5 tries with jittered backoff), so a failure that
    reaches us is final for this run: it is raised as not retryable."""

    def __init__(self, topic_arn: str, *, endpoint_url: str | None = None) -> None:
        self._arn = topic_arn
        region = topic_arn.split(":")[3]
        self._sns: Any = client("sns", region=region, endpoint_url=endpoint_url)

    @property
    def name(self) -> str:
        return self._arn.rsplit(":", 1)[-1]

    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> str:
        try:
            answer = self._sns.publish(
                TopicArn=self._arn,
                Subject=subject,
                Message=message,
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in attributes.items()
                },
            )
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "Unknown")
            raise AlertDeliveryError(f"SNS {self.name}: {code}", retryable=False) from err
        except BotoCoreError as err:
            raise AlertDeliveryError(f"SNS {self.name}: {err}", retryable=False) from err
        return str(answer["MessageId"])
