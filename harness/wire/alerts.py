"""What the Alert step returns: every message it sent, would have sent, or could not deliver,
and the regressions it kept quiet about (acknowledged, or not reproduced by the confirm pass).

The same records are kept per run in the alert-state store, so the CLI (through the execution
history) and the report show what reached people and what did not.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from harness.wire.base import WireModel
from harness.wire.results import Severity


class Channel(StrEnum):
    """Where an alert can go; ``[alerts.routes]`` maps each severity to some of these."""

    CRITICAL_TOPIC = "critical_topic"
    STANDARD_TOPIC = "standard_topic"
    SLACK = "slack"
    GITHUB = "github"


class NoticeKind(StrEnum):
    """Why a message goes out: a new alert on a channel, a repeat (a comment on the open GitHub
    issue), an escalation (K consecutive high regressions), or the series recovered."""

    OPEN = "open"
    REPEAT = "repeat"
    ESCALATE = "escalate"
    RESOLVE = "resolve"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    WOULD_SEND = "would_send"  # the channel has no endpoint configured: shown, not sent
    UNDELIVERED = "undelivered"  # retries exhausted or refused; kept, and tried again next run


class AlertDelivery(WireModel):
    """One message to one channel about one series."""

    key: str
    channel: Channel
    kind: NoticeKind
    severity: Severity
    recipient: str  # who gets it, without secrets (a topic name, a repo, a webhook's host)
    text: str  # the message in one line
    status: DeliveryStatus
    attempts: int = Field(default=0, ge=0)
    detail: str = ""  # why it was not delivered, or what was created (an issue URL)


class MutedRegression(WireModel):
    """A regression that is shown but does not alert."""

    key: str
    reason: str


class AlertReport(WireModel):
    run_id: str
    deliveries: list[AlertDelivery] = Field(default_factory=list)
    muted: list[MutedRegression] = Field(default_factory=list)
    # Series still regressed whose channels already carry the alert: nothing new was sent.
    ongoing: list[str] = Field(default_factory=list)

    @property
    def undelivered(self) -> list[AlertDelivery]:
        return [d for d in self.deliveries if d.status is DeliveryStatus.UNDELIVERED]
