"""Runs that end badly are recovered (an EventBridge rule on the template: moto cannot run
EventBridge targets), the daily cleanup's failures are visible, and every cdk-nag
acknowledgement matches a finding (none is stale, none covers more than its statement)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import layout
from infra.app import build_app
from infra.nag import RECORD_ONLY_CONTEXT, RECORDED
from tests.infra.conftest import CONFIG, Synth, logical_id

pytestmark = pytest.mark.infra


def _function_id(synth: Synth, name: str) -> str:
    (spec,) = [spec for spec in layout.ALL_FUNCTIONS if spec.name == name]
    return logical_id(synth.main, "AWS::Lambda::Function", Description=spec.description)


def test_an_execution_that_ends_badly_runs_the_recovery(synth: Synth) -> None:
    (rule,) = [
        r["Properties"]
        for r in synth.main.find_resources("AWS::Events::Rule").values()
        if r["Properties"].get("EventPattern", {}).get("source") == ["aws.states"]
    ]
    machine = logical_id(synth.main, "AWS::StepFunctions::StateMachine")
    assert rule["EventPattern"] == {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {
            "stateMachineArn": [{"Ref": machine}],
            "status": ["ABORTED", "TIMED_OUT", "FAILED"],
        },
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [_function_id(synth, "recover_run"), "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == CONFIG.schedules.retry_attempts
    queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert synth.main_json["Resources"][queue]["Type"] == "AWS::SQS::Queue"


def test_the_daily_cleanup_sends_failed_invocations_to_a_queue(synth: Synth) -> None:
    """The daily cleanup is the sweep task of the maintenance job a schedule invokes."""
    maintenance = _function_id(synth, "run_maintenance")
    (config,) = synth.main.find_resources(
        "AWS::Lambda::EventInvokeConfig", {"Properties": {"FunctionName": {"Ref": maintenance}}}
    ).values()
    destination = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    queue = destination["Fn::GetAtt"][0]
    assert synth.main_json["Resources"][queue]["Type"] == "AWS::SQS::Queue"


def _alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        str(p["Properties"].get("AlarmDescription")): p["Properties"]
        for p in synth.main.find_resources("AWS::CloudWatch::Alarm").values()
    }


def test_maintenance_and_recovery_failures_raise_alarms(synth: Synth) -> None:
    alarms = _alarms(synth)
    errors = {
        name: props
        for name, props in alarms.items()
        if props.get("MetricName") == "Errors" and props.get("Namespace") == "AWS/Lambda"
    }
    functions = {props["Dimensions"][0]["Value"]["Ref"] for props in errors.values()}
    assert functions == {
        _function_id(synth, "run_maintenance"),
        _function_id(synth, "recover_run"),
    }
    depth = [
        props
        for props in alarms.values()
        if props.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    # Every queue of the stack is a dead letter or on-failure queue (the schedules',
    # the maintenance function's, the recovery rule's): each has its depth alarm.
    queues = set(synth.main.find_resources("AWS::SQS::Queue"))
    watched = {d["Value"]["Fn::GetAtt"][0] for p in depth for d in p["Dimensions"]}
    assert watched == queues and len(depth) == len(queues) == 4
    (missing,) = [
        props
        for props in alarms.values()
        if props.get("MetricName") == "CleanupSeconds"
        and props.get("TreatMissingData") == "breaching"
    ]
    assert (missing["Statistic"], missing["Period"]) == ("SampleCount", 86400)
    assert {"Name": "Suite", "Value": "maintenance-daily"} in missing["Dimensions"]
    assert missing["ComparisonOperator"] == "LessThanThreshold" and missing["Threshold"] == 1
    for props in [*errors.values(), *depth, missing]:
        assert props["AlarmActions"] and props["OKActions"]


def _recorded_acknowledgements(outdir: Path) -> list[tuple[str, str]]:
    found = []
    for metadata in outdir.glob("*.metadata.json"):
        for path, entries in json.loads(metadata.read_text()).items():
            for entry in entries:
                if entry["type"] == RECORDED:
                    found.append((path.lstrip("/"), entry["data"]["rule"]))
    return found


def test_every_acknowledgement_matches_a_finding_on_its_construct(
    tmp_path: Path, synth: Synth
) -> None:
    """Synthesize again with acknowledgements only recorded: the findings then reported must
    be exactly the acknowledged ones, each at or below the construct it was put on."""
    app = build_app(
        CONFIG,
        context={"example_pipeline": "true", RECORD_ONLY_CONTEXT: "true"},
        outdir=tmp_path,
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    findings = {
        (construct["constructPath"], violation["ruleName"])
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    }
    acknowledged = _recorded_acknowledgements(tmp_path)

    def covers(ack: tuple[str, str], finding: tuple[str, str]) -> bool:
        path, rule = ack
        return rule == finding[1] and (finding[0] == path or finding[0].startswith(path + "/"))

    stale = [ack for ack in acknowledged if not any(covers(ack, f) for f in findings)]
    assert stale == [], "acknowledgements that match no finding"
    uncovered = [f for f in findings if not any(covers(ack, f) for ack in acknowledged)]
    assert uncovered == []
    functions = [path for path, rule in acknowledged if "IAM5" in rule and "/Suite/" in path]
    assert functions and all(path.endswith("/Role/DefaultPolicy") for path in functions)
