"""Alerts against recording stand-ins for Slack and GitHub: what they receive, and what happens
when they answer 500, throttle with 429, or do not answer at all. A channel that is down never
raises out of the Alert step: its messages are recorded as undelivered and sent next run."""

from __future__ import annotations

from pathlib import Path

from harness.local.sqlite_alert_state import SqliteAlertState
from harness.notify.delivery import RetryPolicy
from harness.wire import AlertReport, Channel, DeliveryStatus
from tests.alerting import regression
from tests.integration.alerts_rig import LINK, Rig
from tests.recording import GitHubIssues, RecordingServer, Reply


def statuses(report: AlertReport) -> list[tuple[str, str, str]]:
    return [(d.channel.value, d.kind.value, d.status.value) for d in report.deliveries]


def test_without_endpoints_it_shows_what_it_would_send_and_to_whom(tmp_path: Path) -> None:
    report = Rig(SqliteAlertState.in_state_dir(tmp_path)).run("r1", [regression()])
    assert [(d.channel, d.status, d.recipient) for d in report.deliveries] == [
        (
            Channel.CRITICAL_TOPIC,
            DeliveryStatus.WOULD_SEND,
            "SNS critical topic (no topic ARN configured)",
        ),
        (Channel.SLACK, DeliveryStatus.WOULD_SEND, "Slack (no webhook URL configured)"),
        (Channel.GITHUB, DeliveryStatus.WOULD_SEND, "GitHub (no repo configured)"),
    ]
    assert report.deliveries[0].text.startswith("[HIGH] cold-start / cold_start_seconds on shop")


def test_slack_gets_block_kit_and_github_an_issue(
    tmp_path: Path, slack_server: RecordingServer, github: tuple[RecordingServer, GitHubIssues]
) -> None:
    server, issues = github
    rig = Rig(SqliteAlertState.in_state_dir(tmp_path), slack_server.url, server.url)
    report = rig.run("r1", [regression()])

    assert statuses(report)[1:] == [("slack", "open", "sent"), ("github", "open", "sent")]
    (posted,) = slack_server.requests
    payload = posted.json()
    assert posted.headers["content-type"].startswith("application/json")
    assert payload["text"].startswith("[HIGH] cold-start / cold_start_seconds")
    assert payload["blocks"][0]["type"] == "header"
    assert f"<{LINK}|Report of run r1>" in str(payload["blocks"])
    (created,) = server.requests
    assert created.path == "/repos/acme/shop/issues"
    assert created.headers["authorization"] == "Bearer t0ken"
    assert created.headers["x-github-api-version"] == "2022-11-28"
    assert issues.issues[1].labels == ["regression"]
    assert report.deliveries[2].detail == "https://github.example/1"


def test_slack_500_then_429_then_ok_is_delivered_honouring_retry_after(
    tmp_path: Path, slack_server: RecordingServer
) -> None:
    slack_server.script(Reply(500, "internal_error"), Reply(429, "", {"Retry-After": "2"}))
    rig = Rig(SqliteAlertState.in_state_dir(tmp_path), slack_server.url)
    report = rig.run("r1", [regression("medium")])
    (delivery,) = report.deliveries
    assert delivery.status is DeliveryStatus.SENT and delivery.attempts == 3
    assert len(slack_server.requests) == 3
    assert rig.slept[1] == 2.0  # what Retry-After asked for
    assert 0 <= rig.slept[0] <= 0.01  # jittered backoff below the first ceiling


def test_a_slack_that_does_not_answer_is_undelivered_then_sent_next_run(
    tmp_path: Path, slack_server: RecordingServer
) -> None:
    store = SqliteAlertState.in_state_dir(tmp_path)
    slack_server.script(*[Reply(hang=True)] * 2)
    rig = Rig(store, slack_server.url, policy=RetryPolicy(2, 0.01, 1.0, timeout_seconds=0.3))
    first = rig.run("r1", [regression("medium")])
    (lost,) = first.undelivered
    assert lost.attempts == 2 and "timed out" in lost.detail
    stored = store.alert_report("r1")
    assert stored is not None and stored.undelivered == [lost]  # for the report

    second = rig.run("r2", [regression("medium")])
    assert statuses(second) == [("slack", "open", "sent")]  # not lost: sent now
    assert slack_server.wait_for(3)[-1].json()["text"].startswith("[MEDIUM]")


def test_a_channel_that_is_down_is_not_waited_on_for_every_message(tmp_path: Path) -> None:
    with RecordingServer(lambda _request: Reply(503, "down")) as slack:
        rig = Rig(SqliteAlertState.in_state_dir(tmp_path), slack.url)
        report = rig.run("r1", [regression("medium", metric=m) for m in ("a", "b", "c")])
    assert [(d.status, d.attempts) for d in report.deliveries] == [
        (DeliveryStatus.UNDELIVERED, 3),
        (DeliveryStatus.UNDELIVERED, 0),
        (DeliveryStatus.UNDELIVERED, 0),
    ]
    assert "HTTP 503 down" in report.deliveries[0].detail
    assert report.deliveries[1].detail.startswith("not tried: slack was down earlier")
    assert len(slack.requests) == 3


def test_a_refused_connection_and_a_rejected_webhook(tmp_path: Path) -> None:
    with RecordingServer(lambda _request: Reply(404, "no_service")) as gone:
        rejected = Rig(SqliteAlertState.in_state_dir(tmp_path / "a"), gone.url).run(
            "r1", [regression("medium")]
        )
        closed_port = gone.url
    assert rejected.deliveries[0].attempts == 1  # a 404 is not retried
    assert "HTTP 404 no_service" in rejected.deliveries[0].detail
    refused = Rig(SqliteAlertState.in_state_dir(tmp_path / "b"), closed_port).run(
        "r1", [regression("medium")]
    )
    assert refused.deliveries[0].status is DeliveryStatus.UNDELIVERED
    assert refused.deliveries[0].attempts == 3 and "Slack:" in refused.deliveries[0].detail


def test_github_repeats_comment_and_recovery_closes_the_issue(
    tmp_path: Path, github: tuple[RecordingServer, GitHubIssues]
) -> None:
    server, issues = github
    rig = Rig(SqliteAlertState.in_state_dir(tmp_path), github_url=server.url)
    rig.run("r1", [regression()])
    rig.run("r2", [regression()])
    closed = rig.run("r3", [])
    assert list(issues.issues) == [1]
    assert issues.issues[1].state == "closed"
    assert "still regressed in run r2" in issues.issues[1].comments[0]
    assert issues.issues[1].comments[1].startswith("RESOLVED cold-start / cold_start_seconds")
    assert [d.detail for d in closed.deliveries if d.channel is Channel.GITHUB] == [
        "closed acme/shop#1"
    ]


def test_github_opens_a_new_issue_when_the_old_one_is_gone(
    tmp_path: Path, github: tuple[RecordingServer, GitHubIssues]
) -> None:
    server, issues = github
    rig = Rig(SqliteAlertState.in_state_dir(tmp_path), github_url=server.url)
    rig.run("r1", [regression()])
    del issues.issues[1]  # deleted by a person
    rig.run("r2", [regression()])
    resolved = rig.run("r3", [])
    assert list(issues.issues) == [2]
    assert [d.detail for d in resolved.deliveries if d.channel is Channel.GITHUB] == [
        "closed acme/shop#2"
    ]
    assert issues.issues[2].state == "closed"


def test_github_rate_limited_for_long_gives_up_without_waiting(tmp_path: Path) -> None:
    limited = Reply(403, {"message": "API rate limit exceeded"}, {"Retry-After": "3600"})
    with RecordingServer(lambda _request: limited) as server:
        rig = Rig(SqliteAlertState.in_state_dir(tmp_path), github_url=server.url)
        report = rig.run("r1", [regression()])
    (delivery,) = [d for d in report.deliveries if d.channel is Channel.GITHUB]
    assert delivery.status is DeliveryStatus.UNDELIVERED and delivery.attempts == 1
    assert "asks to wait 3600s" in delivery.detail and rig.slept == []
