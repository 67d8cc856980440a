"""Schedules, alert topics, budget, dashboard and SLA alarms of the synthesized stack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from infra.observability import BELOW, sla_metrics
from infra.schedules import DAILY_INPUT, WEEKLY_INPUT
from tests.infra.conftest import Synth, flatten, logical_id, resources

pytestmark = pytest.mark.infra


def _schedule(synth: Synth, expression: str) -> dict[str, object]:
    found = synth.main.find_resources(
        "AWS::Scheduler::Schedule", {"Properties": {"ScheduleExpression": expression}}
    )
    assert len(found) == 1, expression
    return next(iter(found.values()))["Properties"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("job", "payload", "target_type"),
    [
        ("daily", DAILY_INPUT, "AWS::Lambda::Function"),
        ("weekly", WEEKLY_INPUT, "AWS::Lambda::Function"),
    ],
)
def test_schedule_cron_zone_input_dlq_and_retry(
    synth: Synth, job: str, payload: dict[str, object], target_type: str
) -> None:
    cfg = synth.config.schedules
    props = _schedule(synth, getattr(cfg, job))
    assert props["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert props["State"] == "ENABLED"
    target = props["Target"]
    assert isinstance(target, dict)
    assert json.loads(target["Input"]) == payload
    assert target["RetryPolicy"] == {
        "MaximumRetryAttempts": cfg.retry_attempts,
        "MaximumEventAgeInSeconds": cfg.max_event_age_seconds,
    }
    arn = target["Arn"]
    target_id = arn["Ref"] if "Ref" in arn else arn["Fn::GetAtt"][0]
    assert synth.main_json["Resources"][target_id]["Type"] == target_type
    queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    queue_props = synth.main_json["Resources"][queue]["Properties"]
    assert queue_props["SqsManagedSseEnabled"] is True
    synth.main.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_schedule_inputs_are_valid_maintenance_events() -> None:
    from harness.maintenance.model import MaintenanceEvent

    assert [MaintenanceEvent.model_validate(p).job for p in (DAILY_INPUT, WEEKLY_INPUT)] == [
        "daily",
        "weekly",
    ]


def _topic(synth: Synth, name: str) -> str:
    return logical_id(synth.main, "AWS::SNS::Topic", TopicName=name)


@pytest.mark.parametrize("which", ["standard", "critical"])
def test_topics_use_a_rotating_customer_key_and_refuse_plain_http(synth: Synth, which: str) -> None:
    topic = _topic(synth, getattr(synth.config.alerts, f"{which}_topic_name"))
    key = synth.main_json["Resources"][topic]["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    assert synth.main_json["Resources"][key]["Properties"]["EnableKeyRotation"] is True
    synth.main.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sns:Publish",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_no_secret_value_in_template(synth: Synth) -> None:
    text = json.dumps(synth.main_json)
    assert "AWS::SecretsManager::Secret" not in text
    assert "hooks.slack.com" not in text


def test_budget_amount_from_config(synth: Synth) -> None:
    synth.main.has_resource_properties(
        "AWS::Budgets::Budget",
        {
            "Budget": Match.object_like(
                {"BudgetLimit": {"Amount": 75, "Unit": "USD"}, "TimeUnit": "MONTHLY"}
            )
        },
    )


def _alarm_topic(synth: Synth, alarm: Any) -> str:
    props = alarm["Properties"]
    assert isinstance(props, dict)
    (action,) = props["AlarmActions"]
    return str(action["Ref"])


@pytest.mark.parametrize(
    "metric",
    [m.name for m in sla_metrics(__import__("tests.infra.conftest").infra.conftest.CONFIG)],
)
def test_sla_alarm_thresholds_equal_config(synth: Synth, metric: str) -> None:
    item = next(m for m in sla_metrics(synth.config) if m.name == metric)
    expected_topic = _topic(
        synth,
        synth.config.alerts.critical_topic_name
        if item.critical
        else synth.config.alerts.standard_topic_name,
    )
    deploy = synth.config.deploy
    for suite in deploy.alarm_suites:
        found = synth.main.find_resources(
            "AWS::CloudWatch::Alarm",
            {
                "Properties": Match.object_like(
                    {
                        "Namespace": deploy.metrics_namespace,
                        "MetricName": metric,
                        "Dimensions": Match.array_with(
                            [
                                {"Name": "Suite", "Value": suite},
                                {"Name": "service", "Value": "harness"},
                            ]
                        ),
                    }
                )
            },
        )
        assert len(found) == 1, (metric, suite)
        alarm = next(iter(found.values()))
        assert alarm["Properties"]["Threshold"] == pytest.approx(item.threshold)
        expected = "LessThanThreshold" if item.comparison == BELOW else "GreaterThanThreshold"
        assert alarm["Properties"]["ComparisonOperator"] == expected
        assert _alarm_topic(synth, alarm) == expected_topic


def test_sla_thresholds_are_the_config_values(synth: Synth) -> None:
    sla = synth.config.sla
    thresholds = {m.name: m.threshold for m in sla_metrics(synth.config)}
    assert thresholds == {
        "SuccessRate": pytest.approx(sla.success_rate_min * 100),
        "ColdStartSeconds": sla.cold_start_max_seconds,
        "SessionCreationSeconds": sla.session_creation_p95_max_seconds,
        "SuiteDurationSeconds": sla.suite_max_seconds,
        "CleanupSeconds": sla.cleanup_max_seconds,
        "CostPerRunUsd": sla.cost_per_run_max_usd,
        "CleanupEfficiency": pytest.approx(sla.cleanup_efficiency_min * 100),
        "TargetAvailability": pytest.approx(sla.availability_min * 100),
    }


def test_failed_executions_alarm_is_critical(synth: Synth) -> None:
    (machine,) = resources(synth.main, "AWS::StepFunctions::StateMachine")
    found = synth.main.find_resources(
        "AWS::CloudWatch::Alarm",
        {
            "Properties": Match.object_like(
                {
                    "Namespace": "AWS/States",
                    "MetricName": "ExecutionsFailed",
                    "Dimensions": [{"Name": "StateMachineArn", "Value": {"Ref": machine}}],
                    "Threshold": 0,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "Statistic": "Sum",
                }
            )
        },
    )
    assert len(found) == 1
    critical = _topic(synth, synth.config.alerts.critical_topic_name)
    assert _alarm_topic(synth, next(iter(found.values()))) == critical


def test_dashboard_shows_every_contract_metric(synth: Synth) -> None:
    (dashboard,) = resources(synth.main, "AWS::CloudWatch::Dashboard").values()
    body = flatten(dashboard["Properties"]["DashboardBody"])
    for metric in (*(m.name for m in sla_metrics(synth.config)), "ExecutionsFailed"):
        assert f'"{metric}"' in body, metric
