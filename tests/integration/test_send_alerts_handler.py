"""The send_alerts Lambda handler, called as Lambda calls it, with the config in the
environment: one EMF record per regression, the routed messages, the outcome kept per run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.config import HarnessConfig
from harness.local.sqlite_alert_state import SqliteAlertState
from harness.wire import RegressionReport, ResolvedTarget, RunContext, RunFlags
from harness.wiring import GITHUB_TOKEN_ENV
from tests.alerting import TARGET, regression, summary
from tests.integration.test_handlers import Context, handler, use_config
from tests.recording import GitHubIssues, RecordingServer


class TimedContext(Context):
    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def event(run_id: str, report: RegressionReport) -> dict[str, object]:
    run = summary(run_id)
    context = RunContext(
        run_id=run_id,
        suite=run.suite,
        started_at=run.started_at,
        target=ResolvedTarget(
            name=TARGET,
            endpoint="http://127.0.0.1:9",
            region="us-east-1",
            ecs_cluster="c",
            ecs_service="s",
            sessions_table="t",
            test_prefix="TEST_",
            request_timeout_seconds=1,
        ),
        flags=RunFlags(),
    )
    return {"run": context.to_wire(), "summary": run.to_wire(), "regressions": report.to_wire()}


def test_every_regression_is_a_metric_and_alerting_ones_are_routed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack_server: RecordingServer,
    github: tuple[RecordingServer, GitHubIssues],
) -> None:
    server, issues = github
    config = HarnessConfig.model_validate(
        {
            "local": {"state_dir": str(tmp_path)},
            "alerts": {
                "slack_webhook_url": f"{slack_server.url}/services/T/B/secret",
                "github_api_url": server.url,
                "github_repo": "acme/shop",
            },
        }
    )
    use_config(monkeypatch, config)
    monkeypatch.setenv(GITHUB_TOKEN_ENV, "local-token")
    report = RegressionReport(
        run_id="r1",
        regressions=[
            regression("high"),
            regression("low", metric="cost_per_run_usd"),
            regression("medium", metric="session_seconds", suppressed_by="ack-4"),
        ],
    )

    output = handler("send_alerts").lambda_handler(event("r1", report), TimedContext())

    records = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert [(r["Severity"], r["Regression"], r["series"]) for r in records] == [
        ("high", [1.0], "shop/cold-start/cold_start_seconds"),
        ("low", [1.0], "shop/cold-start/cost_per_run_usd"),
        ("medium", [1.0], "shop/cold-start/session_seconds"),
    ]
    assert records[2]["suppressedBy"] == "ack-4" and records[0]["Suite"] == "full"
    dimensions = records[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
    assert set(dimensions) == {"Suite", "Severity"}  # few time series: not one per key
    assert [(d["channel"], d["status"]) for d in output["deliveries"]] == [
        ("critical_topic", "would_send"),
        ("slack", "sent"),
        ("github", "sent"),
    ]
    assert output["muted"] == [
        {"key": "shop/cold-start/session_seconds", "reason": "suppressed by ack-4"}
    ]
    assert output["deliveries"][1]["recipient"] == f"Slack webhook at {slack_server.url[7:]}"
    assert "secret" not in json.dumps(output)  # the webhook's path is never shown
    assert slack_server.requests[0].path == "/services/T/B/secret"
    assert server.requests[0].headers["authorization"] == "Bearer local-token"
    assert issues.issues[1].title == "Regression: cold-start / cold_start_seconds on shop"
    link = (tmp_path / "reports" / "r1" / "report.html").absolute().as_uri()
    assert link in json.dumps(slack_server.requests[0].json())
    stored = SqliteAlertState.in_state_dir(tmp_path).alert_report("r1")
    assert stored is not None and stored.to_wire() == output
