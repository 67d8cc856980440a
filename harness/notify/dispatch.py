"""The Alert step: plan a run's notices from its regressions and the open alerts, hand each to
its channel, and record what happened (deliveries and the new alert states) in one write.

A channel that is down never fails the run: its message is retried (``notify.delivery``),
then recorded as undelivered; later messages to the same channel in this run are not tried
again (they would only wait out the same outage) and are recorded as undelivered too. An
undelivered message leaves its alert state as it was, so the next run sends it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from harness.config import AlertRoutingConfig
from harness.errors import AlertDeliveryError
from harness.notify.channels import Sender, Sent
from harness.notify.delivery import Retrier
from harness.notify.lifecycle import Notice, after_delivery, finished, plan_alerts
from harness.notify.messages import headline
from harness.ports import AlertStateStore
from harness.wire import (
    AlertDelivery,
    AlertReport,
    Channel,
    DeliveryStatus,
    Regression,
    RunSummary,
)


def dispatch_alerts(
    summary: RunSummary,
    regressions: Sequence[Regression],
    *,
    alerts: AlertRoutingConfig,
    store: AlertStateStore,
    senders: Callable[[], Mapping[Channel, Sender]],
    retrier: Retrier,
    report_link: str,
) -> AlertReport:
    """``senders`` is called only when the run has something to send (it may read secrets)."""
    plan = plan_alerts(
        summary,
        regressions,
        store.open_alerts(summary.target),
        alerts.routes,
        alerts.escalate_after_runs,
    )
    states = dict(plan.states)
    deliveries: list[AlertDelivery] = []
    down: dict[Channel, str] = {}
    channels = senders() if plan.notices else {}
    for notice in plan.notices:
        delivery, sent = _deliver(notice, channels[notice.channel], retrier, report_link, down)
        deliveries.append(delivery)
        key = notice.state.key
        states[key] = after_delivery(
            states[key],
            notice,
            delivered=delivery.status is not DeliveryStatus.UNDELIVERED,
            issue=sent.issue if sent else None,
        )
    report = AlertReport(
        run_id=summary.run_id, deliveries=deliveries, muted=plan.muted, ongoing=plan.ongoing
    )
    store.record(
        report,
        save=[state for state in states.values() if not finished(state)],
        delete=[state.key for state in states.values() if finished(state)],
    )
    return report


def _deliver(
    notice: Notice,
    sender: Sender,
    retrier: Retrier,
    report_link: str,
    down: dict[Channel, str],
) -> tuple[AlertDelivery, Sent | None]:
    def record(status: DeliveryStatus, attempts: int = 0, detail: str = "") -> AlertDelivery:
        return AlertDelivery(
            key=notice.state.key,
            channel=notice.channel,
            kind=notice.kind,
            severity=notice.state.severity,
            recipient=sender.recipient,
            text=headline(notice),
            status=status,
            attempts=attempts,
            detail=detail,
        )

    if not sender.configured:
        return record(DeliveryStatus.WOULD_SEND), None
    if sender.unavailable:
        return record(DeliveryStatus.UNDELIVERED, detail=sender.unavailable), None
    if notice.channel in down:
        return record(DeliveryStatus.UNDELIVERED, detail=down[notice.channel]), None
    retrier.attempts = 0
    try:
        sent = sender.send(notice, report_link, retrier)
    except AlertDeliveryError as err:
        if err.retryable:
            down[notice.channel] = f"not tried: {notice.channel.value} was down earlier ({err})"
        return record(DeliveryStatus.UNDELIVERED, retrier.attempts, str(err)), None
    except Exception as err:  # noqa: BLE001 - one channel's bug must not lose the other alerts
        detail = f"{type(err).__name__}: {err}"
        return record(DeliveryStatus.UNDELIVERED, retrier.attempts, detail), None
    return record(DeliveryStatus.SENT, retrier.attempts, sent.detail), sent
