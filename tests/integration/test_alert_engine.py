"""Alerts through the real local engine (the suite ASL on moto, the send_alerts handler in
process), with ``[alerts]`` pointing at recording stand-ins for Slack and GitHub. The SNS
topics are left unset: locally they show what they would send (publishing to a topic in moto
is covered at the alerting-core level, test_alert_sequence.py).

- regress → alert (through a flaky Slack) → recover → resolve (Slack down: kept, not lost) →
  the resolve delivered on the next run;
- a regression that lasts: alert → repeat → escalate → recover → resolve → silence, each run
  judged against the baseline and confirmed by the confirm pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.config import HarnessConfig, RegressionConfig
from harness.execution.history import ExecutionOutcome
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_alert_state import SqliteAlertState
from harness.report.text import render_alerts
from harness.wiring import GITHUB_TOKEN_ENV
from tests.integration.stacks import isolated_config
from tests.recording import GitHubIssues, RecordingServer, Reply


@pytest.fixture
def run_on_engine(moto_server: MotoServer, tmp_path: Path) -> Iterator[list[LocalEngine]]:
    engines: list[LocalEngine] = []
    yield engines
    for engine in reversed(engines):
        engine.stop()


def alerting(slack: RecordingServer, github: RecordingServer, **alerts: object) -> HarnessConfig:
    """A target of its own, [alerts] aimed at the recording servers (plus ``alerts``), and
    baselines from two healthy runs: enough to judge the success rate too
    (docs/regressions.md)."""
    base = isolated_config()
    settings = {
        "slack_webhook_url": f"{slack.url}/services/T/B/X",
        "github_api_url": github.url,
        "github_repo": "acme/shop",
        "backoff_base_seconds": 0.05,
        **alerts,
    }
    return base.model_copy(
        update={
            "regression": RegressionConfig(window=2, min_samples=2),
            "alerts": base.alerts.model_copy(update=settings),
        }
    )


def run_alb_routing(
    base: HarnessConfig,
    faults: list[str] | None,
    state: Path,
    moto: MotoServer,
    engines: list[LocalEngine],
    number: int,
) -> ExecutionOutcome:
    """One run of alb-routing on a fresh engine over the same state folder."""
    target = base.reference_target.model_copy(update={"faults": faults or []})
    engine = LocalEngine(base.model_copy(update={"reference_target": target}), state, moto=moto)
    engines.append(engine)
    engine.start()
    try:
        return engine.run({"scenarios": ["alb-routing"]}, name=f"alerts-{number}-{id(engine)}")
    finally:
        engine.stop()


def test_regress_alert_recover_resolve_on_the_local_engine(
    run_on_engine: list[LocalEngine],
    moto_server: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    slack_server: RecordingServer,
    github: tuple[RecordingServer, GitHubIssues],
) -> None:
    server, issues = github
    monkeypatch.setenv(GITHUB_TOKEN_ENV, "local-token")
    base = alerting(slack_server, server, max_attempts=3, timeout_seconds=5.0)

    def run(number: int, faults: list[str] | None = None) -> ExecutionOutcome:
        return run_alb_routing(base, faults, tmp_path, moto_server, run_on_engine, number)

    run(0)
    first = run(1)
    assert first.alerts is not None and first.alerts.deliveries == []

    slack_server.script(Reply(500, "internal_error"), Reply(429, "", {"Retry-After": "0"}))
    second = run(2, ["misroute"])
    assert second.status == "FAILED" and second.error == "SuiteFailed"  # not a harness failure
    assert second.alerts is not None
    shown = render_alerts(second.alerts)
    assert "sent        slack" in shown and "would send  critical_topic" in shown
    assert "UNDELIVERED" not in shown
    texts = [request.json()["text"] for request in slack_server.requests if request.body]
    assert any("alb-routing / status" in text for text in texts)
    blocks = slack_server.requests[-1].json()["blocks"]
    assert blocks[0]["type"] == "header" and "report.html" in str(blocks)
    assert len(issues.issues) == 2 and all(i.state == "open" for i in issues.issues.values())

    slack_server.answer_with(lambda _request: Reply(503, "down"))
    third = run(3)
    assert third.status == "SUCCEEDED"  # Slack down never fails the run
    assert third.alerts is not None and len(third.alerts.undelivered) == 2
    assert "kept; tried again next run" in render_alerts(third.alerts)
    assert all(issue.state == "closed" for issue in issues.issues.values())
    target = base.target.name
    pending = SqliteAlertState.in_state_dir(tmp_path).open_alerts(target)
    assert len(pending) == 2 and all(alert.resolving for alert in pending)

    slack_server.answer_with(lambda _request: Reply())
    before = len(slack_server.requests)
    fourth = run(4)
    assert fourth.alerts is not None and fourth.alerts.undelivered == []
    resolved = [request.json()["text"] for request in slack_server.requests[before:]]
    assert len(resolved) == 2 and all(text.startswith("RESOLVED") for text in resolved)
    assert SqliteAlertState.in_state_dir(tmp_path).open_alerts(target) == []


def test_a_lasting_regression_repeats_then_escalates_then_resolves_on_the_local_engine(
    run_on_engine: list[LocalEngine],
    moto_server: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    slack_server: RecordingServer,
    github: tuple[RecordingServer, GitHubIssues],
) -> None:
    server, issues = github
    monkeypatch.setenv(GITHUB_TOKEN_ENV, "local-token")
    base = alerting(slack_server, server, escalate_after_runs=2)

    def run(number: int, faults: list[str] | None = None) -> ExecutionOutcome:
        return run_alb_routing(base, faults, tmp_path, moto_server, run_on_engine, number)

    def slack() -> list[str]:
        return [request.json()["text"] for request in slack_server.requests]

    def sent(outcome: ExecutionOutcome) -> list[tuple[str, str, str]]:
        """(channel, kind, series) of each delivery of the run's Alert step."""
        assert outcome.alerts is not None
        return sorted((d.channel.value, d.kind.value, d.key) for d in outcome.alerts.deliveries)

    status, rate = f"{base.target.name}/alb-routing/status", f"{base.target.name}/-/success_rate"
    run(0)
    run(1)
    assert slack() == [] and issues.issues == {}

    regressed = run(2, ["misroute"])  # regress: confirmed, then alerted on every high channel
    assert regressed.status == "FAILED" and regressed.regressions is not None
    confirmed = {r.key: r.confirmed for r in regressed.regressions.regressions}
    assert confirmed == {status: True, rate: True}
    assert sent(regressed) == sorted(
        (channel, "open", key)
        for channel in ("critical_topic", "github", "slack")
        for key in (status, rate)
    )
    assert len(slack()) == 2 and any("alb-routing / status" in text for text in slack())
    assert len(issues.issues) == 2 and all(i.state == "open" for i in issues.issues.values())

    repeated = run(3, ["misroute"])  # K = 2 consecutive high runs: a comment, and escalate
    assert sent(repeated) == sorted(
        (channel, kind, key)
        for channel, kind in (("critical_topic", "escalate"), ("github", "repeat"))
        for key in (status, rate)
    )
    assert len(slack()) == 2  # Slack heard each once
    assert len(issues.issues) == 2
    assert all(len(issue.comments) == 1 for issue in issues.issues.values())

    recovered = run(4)  # recovered: one resolve per channel, the issues close
    assert recovered.status == "SUCCEEDED"
    assert sent(recovered) == sorted(
        (channel, "resolve", key)
        for channel in ("critical_topic", "github", "slack")
        for key in (status, rate)
    )
    assert sum(text.startswith("RESOLVED alb-routing / status") for text in slack()) == 1
    assert all(issue.state == "closed" for issue in issues.issues.values())
    assert SqliteAlertState.in_state_dir(tmp_path).open_alerts(base.target.name) == []

    quiet = run(5)  # and then silence
    assert sent(quiet) == []
