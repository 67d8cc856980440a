"""The channels an alert can take, as the dispatcher sees them: one ``Sender`` per channel.

A sender with no endpoint configured is not an error: the dispatcher shows what it would
have sent and to whom (local runs). A sender that is configured but cannot work (its secret
could not be read) records every message as undelivered, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from harness.notify import messages
from harness.notify.delivery import Retrier
from harness.notify.lifecycle import Notice
from harness.wire import Channel


@dataclass(frozen=True)
class Sent:
    """What a delivered message left behind: the issue it opened, a link to show."""

    issue: int | None = None
    detail: str = ""


class Sender(Protocol):
    channel: Channel

    @property
    def recipient(self) -> str:
        """Who gets the messages, without secrets (a topic name, a repo, a host)."""
        ...

    @property
    def configured(self) -> bool:
        """False: no endpoint, so messages are only shown."""
        ...

    @property
    def unavailable(self) -> str | None:
        """Why a configured channel cannot send at all this run (e.g. its secret is missing)."""
        ...

    def send(self, notice: Notice, report_link: str, retrier: Retrier) -> Sent:
        """Deliver one notice, every HTTP/API call through ``retrier``."""
        ...


class TopicPublisher(Protocol):
    """An SNS topic (``harness.aws.sns_topic.SnsTopic``)."""

    @property
    def name(self) -> str: ...

    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> str:
        """Publish once; returns the message id, raises ``AlertDeliveryError``."""
        ...


class TopicSender:
    """The standard or the critical SNS topic (e-mail, pager and HTTPS subscribers)."""

    def __init__(self, channel: Channel, topic: TopicPublisher | None) -> None:
        self.channel = channel
        self._topic = topic

    @property
    def recipient(self) -> str:
        if self._topic is None:
            return f"SNS {self.channel.value.replace('_', ' ')} (no topic ARN configured)"
        return f"SNS topic {self._topic.name}"

    @property
    def configured(self) -> bool:
        return self._topic is not None

    @property
    def unavailable(self) -> str | None:
        return None

    def send(self, notice: Notice, report_link: str, retrier: Retrier) -> Sent:
        topic = self._topic
        if topic is None:
            raise RuntimeError("an unconfigured topic cannot send")
        attributes = {
            "key": notice.state.key,
            "severity": notice.state.severity.value,
            "kind": notice.kind.value,
        }
        subject = messages.sns_subject(notice)
        body = messages.plain_body(notice, report_link)
        message_id = retrier.call(lambda _timeout: topic.publish(subject, body, attributes))
        return Sent(detail=f"message {message_id}")
