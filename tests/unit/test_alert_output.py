"""What a person sees of the Alert step (through the execution history, in the CLI), and the
``[alerts]`` config that decides it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.config import load_config
from harness.errors import ConfigError
from harness.execution.history import ExecutionOutcome, apply_event
from harness.report.text import render_alerts
from harness.wire import (
    AlertDelivery,
    AlertReport,
    Channel,
    DeliveryStatus,
    MutedRegression,
    NoticeKind,
    Severity,
)


def delivery(channel: Channel, status: DeliveryStatus, **extra: object) -> AlertDelivery:
    return AlertDelivery.model_validate(
        {
            "key": "shop/cold-start/cold_start_seconds",
            "channel": channel,
            "kind": NoticeKind.OPEN,
            "severity": Severity.HIGH,
            "recipient": f"{channel.value} recipient",
            "text": "[HIGH] cold-start / cold_start_seconds on shop regressed - slower",
            "status": status,
            **extra,
        }
    )


REPORT = AlertReport(
    run_id="r2",
    deliveries=[
        delivery(Channel.CRITICAL_TOPIC, DeliveryStatus.WOULD_SEND),
        delivery(Channel.SLACK, DeliveryStatus.UNDELIVERED, attempts=4, detail="Slack: HTTP 500"),
        delivery(Channel.GITHUB, DeliveryStatus.SENT, attempts=1, detail="https://gh/acme/1"),
    ],
    muted=[MutedRegression(key="shop/-/success_rate", reason="suppressed by ack-2")],
    ongoing=["shop/alb-routing/status"],
)


def test_the_alert_step_output_reaches_the_outcome_with_a_progress_line() -> None:
    outcome = ExecutionOutcome(execution_arn="arn")
    event = {
        "type": "TaskStateExited",
        "stateExitedEventDetails": {
            "name": "Alert",
            "output": json.dumps({"verdict": "failed", "alerts": REPORT.to_wire()}),
        },
    }
    line = apply_event(outcome, event)
    assert outcome.alerts == REPORT
    assert line is not None and line.kind == "alerted"
    assert line.text == "alerts: 1 would send, 1 undelivered, 1 sent, 1 muted"


def test_an_alert_step_that_failed_is_a_warning_not_a_report() -> None:
    outcome = ExecutionOutcome(execution_arn="arn")
    caught = {"alertError": {"Error": "HistoryError", "Cause": "table missing"}}
    event = {
        "type": "TaskStateExited",
        "stateExitedEventDetails": {"name": "Alert", "output": json.dumps(caught)},
    }
    assert apply_event(outcome, event) is None
    assert outcome.alerts is None and outcome.alert_error == "HistoryError: table missing"


def test_rendered_alerts_say_what_went_where_and_what_did_not() -> None:
    text = render_alerts(REPORT)
    assert text.splitlines() == [
        "Alerts:",
        "  [HIGH] cold-start / cold_start_seconds on shop regressed - slower",
        "    would send  critical_topic critical_topic recipient",
        "    UNDELIVERED slack          slack recipient - after 4 attempt(s): Slack: HTTP 500 "
        "(kept; tried again next run)",
        "    sent        github         github recipient - https://gh/acme/1",
        "  ongoing: shop/alb-routing/status (alerted before, not sent again)",
        "  muted: shop/-/success_rate (suppressed by ack-2)",
    ]
    assert render_alerts(AlertReport(run_id="r1")) == "Alerts: none"


def test_alert_routing_from_file_and_environment(tmp_path: Path) -> None:
    file = tmp_path / "harness.toml"
    file.write_text(
        '[alerts]\nescalate_after_runs = 5\ngithub_repo = "acme/shop"\n'
        '[alerts.routes]\nmedium = ["slack", "github"]\n'
    )
    config = load_config(file, {"HARNESS__ALERTS__ROUTES__LOW": '["standard_topic"]'})
    routes = config.alerts.routes
    assert routes.channels(Severity.HIGH) == [Channel.CRITICAL_TOPIC, Channel.SLACK, Channel.GITHUB]
    assert routes.channels(Severity.MEDIUM) == [Channel.SLACK, Channel.GITHUB]
    assert routes.channels(Severity.LOW) == [Channel.STANDARD_TOPIC]
    assert config.alerts.escalate_after_runs == 5


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[alerts.routes]\nhigh = ["pager"]', "alerts.routes.high.0"),
        ("[alerts]\nescalate_after_runs = 0", "alerts.escalate_after_runs"),
        ('[alerts]\nslack_webhook_url = "hooks.slack.com/x"', "alerts.slack_webhook_url"),
        ('[alerts.subscriptions]\ncritical = ["http://pager"]', "alerts.subscriptions.critical"),
        ("[alerts]\nmax_attempts = 0", "alerts.max_attempts"),
    ],
)
def test_bad_alert_config_names_the_key(tmp_path: Path, toml: str, named: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(toml)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_config(file, {})
