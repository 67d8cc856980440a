"""Slack through an incoming webhook (``slack_sdk.WebhookClient``), laid out in Block Kit.

slack-sdk is pure Python with no dependencies; the send_alerts Lambda asset bundles it
(``harness.layout``), since the Powertools layer does not carry it. Its own retry handlers
are switched off: every channel retries the same way, through ``notify.delivery``.
"""

from __future__ import annotations

import logging
from typing import cast
from urllib.parse import urlsplit

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.webhook import WebhookClient

from harness.errors import AlertDeliveryError
from harness.notify import messages
from harness.notify.channels import Sent
from harness.notify.delivery import Retrier, http_failure
from harness.notify.lifecycle import Notice
from harness.wire import Channel, NoticeKind

# slack-sdk logs connection failures at ERROR on its own logger; the dispatcher reports them.
_SDK_LOGGER = logging.getLogger("harness.notify.slack_sdk")
_SDK_LOGGER.addHandler(logging.NullHandler())
_SDK_LOGGER.propagate = False

TITLES = {
    NoticeKind.OPEN: ":rotating_light: {severity} regression: {series}",
    NoticeKind.REPEAT: ":repeat: Still regressed: {series}",
    NoticeKind.ESCALATE: ":sos: Escalated ({severity}): {series}",
    NoticeKind.RESOLVE: ":white_check_mark: Resolved: {series}",
}
HEADER_LIMIT = 150


class SlackSender:
    channel = Channel.SLACK

    def __init__(self, webhook_url: str, *, unavailable: str | None = None) -> None:
        self._url = webhook_url
        self._unavailable = unavailable

    @property
    def recipient(self) -> str:
        if not self._url:
            return "Slack (no webhook URL configured)"
        return f"Slack webhook at {urlsplit(self._url).netloc}"  # the path is the secret

    @property
    def configured(self) -> bool:
        return bool(self._url) or self._unavailable is not None

    @property
    def unavailable(self) -> str | None:
        return self._unavailable

    def send(self, notice: Notice, report_link: str, retrier: Retrier) -> Sent:
        blocks = slack_blocks(notice, report_link)
        text = messages.headline(notice)

        def attempt(timeout: float) -> None:
            # urllib takes a float timeout; slack-sdk only annotates it as int.
            client = WebhookClient(
                self._url, timeout=cast(int, timeout), retry_handlers=[], logger=_SDK_LOGGER
            )
            try:
                response = client.send(text=text, blocks=blocks, unfurl_links=False)
            except OSError as err:  # refused, reset, timed out (URLError is an OSError)
                reason = getattr(err, "reason", err)
                raise AlertDeliveryError(f"Slack: {reason}", retryable=True) from err
            if response.status_code != 200:
                headers = {key: str(value) for key, value in dict(response.headers).items()}
                raise http_failure("Slack", response.status_code, headers, response.body or "")

        retrier.call(attempt)
        return Sent()


def slack_blocks(notice: Notice, report_link: str) -> list[Block]:
    """Block Kit: title, what happened, the numbers side by side, evidence, report link."""
    state, found = notice.state, messages.facts(notice)
    title = TITLES[notice.kind].format(severity=state.severity.value.upper(), series=found.series)
    if len(title) > HEADER_LIMIT:
        title = title[: HEADER_LIMIT - 1] + "…"
    if notice.kind is NoticeKind.RESOLVE:
        summary = (
            f"No longer regressed in run `{notice.run_id}` "
            f"(regressed since `{state.opened_run}`; last seen: {_escape(state.message)})"
        )
    else:
        summary = _escape(state.message)
        if notice.kind is not NoticeKind.OPEN:
            summary += f"\n{state.runs} consecutive run(s) so far."
    change = f" ({found.change})" if found.change else ""
    fields = [
        ("Scenario", state.scenario or "(whole run)"),
        ("Metric", state.metric),
        ("Current", f"{found.current}{change}"),
        ("Baseline", found.baseline),
        ("Severity", state.severity.value),
        ("Target", state.target),
    ]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=title, emoji=True)),
        SectionBlock(text=MarkdownTextObject(text=summary[:3000])),
        SectionBlock(fields=[MarkdownTextObject(text=f"*{n}*\n{_escape(v)}") for n, v in fields]),
    ]
    if state.evidence:
        evidence = f"Evidence: {_escape(state.evidence)}"[:2000]
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=evidence)]))
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text=f"<{report_link}|Report of run {notice.run_id}> · series `{state.key}`"
            )
        )
    )
    return blocks


def _escape(text: str) -> str:
    """Slack mrkdwn reserves &, < and > (links, mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
