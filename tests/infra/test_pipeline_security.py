"""The pipeline stage, cdk-nag, and IAM hygiene across both stacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.layout import PROJECT_ROOT
from tests.infra.conftest import Synth, flatten

pytestmark = pytest.mark.infra


def test_pipeline_stage_runs_the_suite_with_the_commit(synth: Synth) -> None:
    (pipeline,) = synth.pipeline.find_resources("AWS::CodePipeline::Pipeline").values()
    stages = {stage["Name"]: stage for stage in pipeline["Properties"]["Stages"]}
    (action,) = stages["IntegrationTests"]["Actions"]
    assert action["ActionTypeId"]["Provider"] == "StepFunctions"
    config = action["Configuration"]
    assert config["InputType"] == "Literal"
    assert json.loads(config["Input"]) == {
        "suite": "smoke",
        "flags": {"trigger": "pipeline", "commit": "#{SourceVariables.VersionId}"},
    }
    assert flatten(config["StateMachineArn"]).endswith(":stateMachine:HarnessTest-suite")


def test_cdk_nag_reports_no_unacknowledged_findings(synth: Synth) -> None:
    violations = [
        (violation["ruleName"], [c["constructPath"] for c in violation["violatingConstructs"]])
        for plugin in synth.report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
    ]
    assert violations == []


def test_cdk_nag_is_wired_and_rejects_a_finding(tmp_path: Path) -> None:
    """The same plugin set-up as infra.app fails synthesis on an unacknowledged finding."""
    import aws_cdk as cdk
    from aws_cdk import aws_sqs as sqs
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(tmp_path))
    sqs.Queue(cdk.Stack(app, "Bad"), "PlainQueue")  # no DLQ, no TLS policy
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert {"AwsSolutions-SQS3", "AwsSolutions-SQS4"} <= rules


def _statements(template: Any) -> list[dict[str, Any]]:
    found = []
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument"):
            found.extend(props.get(key, {}).get("Statement", []))
    return found


def test_no_iam_statement_allows_every_action(synth: Synth) -> None:
    for template in (synth.main_json, synth.pipeline.to_json()):
        for statement in _statements(template):
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            assert "*" not in actions, statement


def test_resource_wildcards_only_where_the_api_needs_them(synth: Synth) -> None:
    """Resource "*" only for X-Ray, log delivery, ecs:ListTasks (cluster condition), and key
    policies (where "*" means the key itself)."""
    allowed = {"xray:", "logs:", "ecs:ListTasks", "kms:"}
    for statement in _statements(synth.main_json):
        if statement.get("Effect") != "Allow" or statement.get("Resource") != "*":
            continue
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        for action in actions:
            assert any(action.startswith(prefix) for prefix in allowed), statement


def test_app_py_synthesizes_like_cdk_synth(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CDK_OUTDIR": str(tmp_path),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "HARNESS_CONFIG_FILE": str(tmp_path / "absent.toml"),
    }
    env.pop("HARNESS_CONFIG_JSON", None)
    (tmp_path / "absent.toml").write_text("")
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "Harness.template.json").is_file()
