"""A regression's whole life over five runs, at the alerting-core level (literal regressions,
the real dispatcher, both alert-state stores, Slack and GitHub stand-ins, SNS on moto):
regress → alert → repeat → escalate → recover → resolve, then silence."""

from __future__ import annotations

from harness.config import AlertRoutingConfig
from harness.local.moto_server import MotoServer
from harness.ports import AlertStateStore
from harness.wire import DeliveryStatus
from tests.alerting import regression
from tests.integration.alerts_rig import Rig, Topic
from tests.recording import GitHubIssues, RecordingServer


def test_regress_alert_repeat_escalate_recover_resolve(
    alert_store: AlertStateStore,
    moto_server: MotoServer,
    slack_server: RecordingServer,
    github: tuple[RecordingServer, GitHubIssues],
) -> None:
    server, issues = github
    topic = Topic(moto_server)
    rig = Rig(
        alert_store,
        slack_server.url,
        server.url,
        topic,
        config=AlertRoutingConfig(escalate_after_runs=3),
    )

    def slack() -> list[str]:
        return [request.json()["text"] for request in slack_server.requests]

    first = rig.run("r1", [regression()])  # regress → alert on every high channel
    assert all(d.status is DeliveryStatus.SENT for d in first.deliveries)
    assert [s[:6] for s in topic.subjects()] == ["[HIGH]"]
    assert len(slack()) == 1 and list(issues.issues) == [1]

    second = rig.run("r2", [regression()])  # repeat: one comment, nothing else
    assert [(d.channel.value, d.kind.value) for d in second.deliveries] == [("github", "repeat")]
    assert second.ongoing == ["shop/cold-start/cold_start_seconds"]
    assert topic.subjects() == [] and len(slack()) == 1

    third = rig.run("r3", [regression()])  # K = 3 consecutive high runs: escalate
    assert [(d.channel.value, d.kind.value) for d in third.deliveries] == [
        ("github", "repeat"),
        ("critical_topic", "escalate"),
    ]
    assert [s.split(" ")[0] for s in topic.subjects()] == ["ESCALATED"]
    assert len(issues.issues[1].comments) == 2

    fourth = rig.run("r4", [])  # recovered: one resolve per channel, the issue closes
    assert sorted((d.channel.value, d.kind.value) for d in fourth.deliveries) == [
        ("critical_topic", "resolve"),
        ("github", "resolve"),
        ("slack", "resolve"),
    ]
    assert slack()[-1].startswith("RESOLVED cold-start / cold_start_seconds on shop")
    assert [s.split(" ")[0] for s in topic.subjects()] == ["RESOLVED"]
    assert issues.issues[1].state == "closed"
    assert alert_store.open_alerts("shop") == []

    fifth = rig.run("r5", [])  # and then nothing more
    assert fifth.deliveries == [] and len(slack()) == 2 and topic.subjects() == []
    assert len(issues.issues) == 1
    report = alert_store.alert_report("r3")
    assert report is not None and report == third
