"""What an alert says on each channel: the facts a person needs, within each channel's limits."""

from __future__ import annotations

from harness.notify import messages
from harness.notify.lifecycle import AlertState, Notice
from harness.notify.slack import slack_blocks
from harness.wire import Channel, NoticeKind, Severity

STATE = AlertState(
    key="shop/cold-start/cold_start_seconds",
    target="shop",
    scenario="cold-start",
    metric="cold_start_seconds",
    unit="seconds",
    severity=Severity.HIGH,
    message="cold start p95 rose from 12 to 18 seconds <worse>",
    evidence="robust z = 6.2 against 20 runs",
    current=18.0,
    baseline=12.0,
    change_ratio=1.5,
    opened_run="run-1",
    last_run="run-3",
    runs=3,
    high_streak=3,
    issue=42,
)
LINK = "https://eu-west-1.console.aws.amazon.com/s3/object/b?prefix=reports%2Frun-3"


def notice(kind: NoticeKind) -> Notice:
    return Notice(kind, Channel.SLACK, STATE, "run-3")


def test_slack_blocks_carry_scenario_metric_numbers_severity_evidence_and_the_report() -> None:
    blocks = [block.to_dict() for block in slack_blocks(notice(NoticeKind.OPEN), LINK)]
    text = str(blocks)
    assert blocks[0]["type"] == "header"
    assert "HIGH regression: cold-start / cold_start_seconds" in blocks[0]["text"]["text"]
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in blocks[2]["fields"]}
    assert fields == {
        "*Scenario*": "cold-start",
        "*Metric*": "cold_start_seconds",
        "*Current*": "18 seconds (+50%)",
        "*Baseline*": "12 seconds",
        "*Severity*": "high",
        "*Target*": "shop",
    }
    assert "robust z = 6.2" in text
    assert f"<{LINK}|Report of run run-3>" in text
    assert "&lt;worse&gt;" in text and "<worse>" not in text  # mrkdwn escaped


def test_slack_resolve_and_escalate_say_so() -> None:
    resolved = str([b.to_dict() for b in slack_blocks(notice(NoticeKind.RESOLVE), LINK)])
    assert "Resolved: cold-start / cold_start_seconds" in resolved
    assert "No longer regressed in run `run-3`" in resolved
    escalated = str([b.to_dict() for b in slack_blocks(notice(NoticeKind.ESCALATE), LINK)])
    assert "Escalated (HIGH)" in escalated and "3 consecutive run(s)" in escalated


def test_one_line_headlines() -> None:
    assert messages.headline(notice(NoticeKind.OPEN)) == (
        "[HIGH] cold-start / cold_start_seconds on shop regressed - " + STATE.message
    )
    assert "still regressed in run run-3 (3 runs in a row)" in messages.headline(
        notice(NoticeKind.REPEAT)
    )
    assert messages.headline(notice(NoticeKind.RESOLVE)).startswith("RESOLVED ")
    for kind in NoticeKind:
        assert "\n" not in messages.headline(notice(kind))


def test_sns_subject_is_short_ascii_and_the_body_has_every_fact() -> None:
    long_state = STATE.model_copy(update={"message": "é" * 300})
    subject = messages.sns_subject(Notice(NoticeKind.OPEN, Channel.SLACK, long_state, "r"))
    assert len(subject) <= 100 and subject.isascii() and "\n" not in subject
    body = messages.plain_body(notice(NoticeKind.OPEN), LINK)
    for fact in ("shop/cold-start/cold_start_seconds", "18 seconds", "12 seconds", "+50%", LINK):
        assert fact in body


def test_github_issue_names_the_series_and_carries_its_key() -> None:
    assert messages.issue_title(notice(NoticeKind.OPEN)) == (
        "Regression: cold-start / cold_start_seconds on shop"
    )
    body = messages.issue_body(notice(NoticeKind.OPEN), LINK)
    assert "| Current | 18 seconds |" in body and "| Change | +50% |" in body
    assert "<!-- harness-alert-key: shop/cold-start/cold_start_seconds -->" in body
    assert f"]({LINK})" in messages.issue_comment(notice(NoticeKind.REPEAT), LINK)
