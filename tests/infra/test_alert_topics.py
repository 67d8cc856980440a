"""Alert topics accept what publishes to them (every alarm action, the budget, send_alerts),
subscriptions come from config, and send_alerts may call exactly what it calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import layout
from harness.config import HarnessConfig
from tests.infra.conftest import Synth, flatten, logical_id, resources
from tests.infra.test_suite import _function_id, _policy_statements

pytestmark = pytest.mark.infra


def _topic_policies(synth: Synth) -> dict[str, list[dict[str, Any]]]:
    """Topic logical id → the statements of its resource policy."""
    found: dict[str, list[dict[str, Any]]] = {}
    for policy in resources(synth.main, "AWS::SNS::TopicPolicy").values():
        for topic in policy["Properties"]["Topics"]:
            found.setdefault(topic["Ref"], []).extend(
                policy["Properties"]["PolicyDocument"]["Statement"]
            )
    return found


def _allows_service(statements: list[dict[str, Any]], service: str, topic: str) -> dict[str, Any]:
    """The Allow statement that lets ``service`` publish to ``topic``; fails if none."""
    for statement in statements:
        if (
            statement["Effect"] == "Allow"
            and statement.get("Principal") == {"Service": service}
            and statement["Action"] == "sns:Publish"
            and statement["Resource"] == {"Ref": topic}
        ):
            return statement
    raise AssertionError(f"topic {topic} does not let {service} publish: {statements}")


def test_every_alarm_action_targets_a_topic_that_lets_cloudwatch_publish(synth: Synth) -> None:
    policies = _topic_policies(synth)
    alarms = resources(synth.main, "AWS::CloudWatch::Alarm")
    # 8 SLA metrics x 2 suites + failed executions + 3 of maintenance (failed tasks of each
    # job, the month to date) + 7 job alarms (maintenance and recovery errors, 4 queue depths,
    # no CleanupSeconds for a day)
    assert len(alarms) == 27
    checked = 0
    for alarm in alarms.values():
        props = alarm["Properties"]
        for action in [*props["AlarmActions"], *props.get("OKActions", [])]:
            topic = action["Ref"]
            assert synth.main_json["Resources"][topic]["Type"] == "AWS::SNS::Topic"
            statement = _allows_service(policies[topic], "cloudwatch.amazonaws.com", topic)
            condition = statement["Condition"]
            assert condition["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
            assert flatten(condition["ArnLike"]["aws:SourceArn"]) == (
                "arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*"
            )
            checked += 1
    assert checked == 2 * len(alarms)  # ALARM and OK of each


def test_the_budget_notifies_a_topic_that_lets_budgets_publish(synth: Synth) -> None:
    policies = _topic_policies(synth)
    (budget,) = resources(synth.main, "AWS::Budgets::Budget").values()
    for notification in budget["Properties"]["NotificationsWithSubscribers"]:
        (subscriber,) = notification["Subscribers"]
        topic = subscriber["Address"]["Ref"]
        statement = _allows_service(policies[topic], "budgets.amazonaws.com", topic)
        assert flatten(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == (
            "arn:<AWS::Partition>:budgets::<AWS::AccountId>:*"
        )
        assert "aws:SourceAccount" in statement["Condition"]["StringEquals"]


def test_the_topic_key_lets_the_publishing_services_encrypt(synth: Synth) -> None:
    (key,) = resources(synth.main, "AWS::KMS::Key").values()
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    (services,) = [s for s in statements if s.get("Sid") == "AllowAwsServicesToPublishEncrypted"]
    assert sorted(services["Principal"]["Service"]) == [
        "budgets.amazonaws.com",
        "cloudwatch.amazonaws.com",
    ]
    assert services["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_subscriptions_come_from_config(synth: Synth) -> None:
    alerts = synth.config.alerts
    topics = {
        logical_id(synth.main, "AWS::SNS::Topic", TopicName=name): which
        for name, which in (
            (alerts.critical_topic_name, "critical"),
            (alerts.standard_topic_name, "standard"),
        )
    }
    found = sorted(
        (
            topics[s["Properties"]["TopicArn"]["Ref"]],
            s["Properties"]["Protocol"],
            s["Properties"]["Endpoint"],
        )
        for s in resources(synth.main, "AWS::SNS::Subscription").values()
    )
    assert found == [
        ("critical", "email", "oncall@example.com"),
        ("critical", "https", "https://pager.example.com/hook"),
        ("standard", "email", "team@example.com"),
    ]


def _send_alerts_actions(synth: Synth) -> dict[str, list[str]]:
    spec = next(s for s in layout.SUITE_FUNCTIONS if s.name == "send_alerts")
    granted: dict[str, list[str]] = {}
    for statement in _policy_statements(synth, spec):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        targets = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        for action in actions:
            if not action.startswith(("xray:", "logs:")):
                granted.setdefault(action, []).extend(flatten(t) for t in targets)
    return granted


def test_send_alerts_may_call_exactly_what_it_calls(synth: Synth) -> None:
    granted = _send_alerts_actions(synth)
    table = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-alerts")
    key = next(iter(resources(synth.main, "AWS::KMS::Key")))
    critical = logical_id(synth.main, "AWS::SNS::Topic", TopicName="harness-alerts-critical")
    standard = logical_id(synth.main, "AWS::SNS::Topic", TopicName="harness-alerts")
    secret = "arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:{}-??????"
    assert granted == {
        "dynamodb:Query": [f"<{table}.Arn>/index/openByTarget"],
        "dynamodb:PutItem": [f"<{table}.Arn>"],
        "dynamodb:DeleteItem": [f"<{table}.Arn>"],
        "sns:Publish": sorted([f"<{critical}>", f"<{standard}>"]),
        "kms:GenerateDataKey": [f"<{key}.Arn>"],
        "kms:Decrypt": [f"<{key}.Arn>"],
        "secretsmanager:GetSecretValue": [secret.format("it/github"), secret.format("it/slack")],
    }


def test_send_alerts_gets_secret_names_and_topics_never_secret_values(synth: Synth) -> None:
    spec = next(s for s in layout.SUITE_FUNCTIONS if s.name == "send_alerts")
    props = synth.main_json["Resources"][_function_id(synth, spec)]["Properties"]
    config = json.loads(flatten(props["Environment"]["Variables"]["HARNESS_CONFIG_JSON"]))
    alerts = config["alerts"]
    assert alerts["secrets"] == "secretsmanager"
    assert alerts["critical_topic_arn"] and alerts["standard_topic_arn"]
    assert "subscriptions" not in alerts and "critical_topic_name" not in alerts  # deploy-only
    assert alerts["routes"] == {"medium": ["slack", "standard_topic"]}
    assert HarnessConfig.model_validate(config).alerts.escalate_after_runs == 2


def test_a_webhook_url_in_config_is_refused_at_synth() -> None:
    from infra.suite import handler_config

    config = HarnessConfig.model_validate({"alerts": {"slack_webhook_url": "https://hooks.x/y"}})
    with pytest.raises(
        ValueError, match="slack_webhook_url is set: in AWS the webhook URL is a secret"
    ):
        handler_config(config, None, None)  # type: ignore[arg-type]
