"""Synthesize the CDK app once per test session (it costs seconds), with cdk-nag on.

The config deliberately differs from the defaults wherever the template must follow it, so
the assertions prove the values come from config and not from constants in infra/.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

pytest.importorskip("aws_cdk", reason="needs the cdk extra (pip install -e '.[cdk]')")

from aws_cdk.assertions import Template

from harness.config import HarnessConfig

CONFIG = HarnessConfig.model_validate(
    {
        "target": {
            "endpoint": "https://shop.example.com",
            "ecs_cluster": "shop-edit",
            "ecs_service": "editor",
            "sessions_table": "shop-sessions",
            "session_log_group": "/shop/edit-sessions",
        },
        "sla": {
            "success_rate_min": 0.97,
            "cold_start_max_seconds": 45,
            "session_creation_p95_max_seconds": 4,
            "suite_max_seconds": 1500,
            "cleanup_max_seconds": 90,
            "cost_per_run_max_usd": 2.5,
            "monthly_budget_usd": 75,
        },
        "history": {"runs_table": "it-runs"},
        "deploy": {
            "stack_name": "HarnessTest",
            "log_retention_days": 14,
            "powertools_layer_version": 23,
            "functions": {"run_scenario": {"timeout_seconds": 890, "memory_mb": 1024}},
        },
        "storage": {"baselines_table": "it-baselines", "alert_state_table": "it-alerts"},
        "schedules": {
            "timezone": "Europe/Berlin",
            "daily": "cron(15 7 * * ? *)",
            "weekly": "cron(0 2 ? * MON *)",
            "retry_attempts": 3,
            "max_event_age_seconds": 7200,
        },
        "alerts": {
            "slack_webhook_secret_name": "it/slack",
            "github_token_secret_name": "it/github",
            "github_repo": "acme/shop",
            "routes": {"medium": ["slack", "standard_topic"]},
            "escalate_after_runs": 2,
            "subscriptions": {
                "critical": ["oncall@example.com", "https://pager.example.com/hook"],
                "standard": ["team@example.com"],
            },
        },
        "pipeline": {"suite": "smoke"},
        "leases": {"table": "it-leases"},
    }
)


@dataclass
class Synth:
    config: HarnessConfig
    outdir: Path
    main: Template
    pipeline: Template
    report: dict[str, Any]

    @property
    def main_json(self) -> dict[str, Any]:
        return dict(self.main.to_json())


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(CONFIG, context={"example_pipeline": "true"}, outdir=outdir)
    try:
        assembly = app.synth()
    except RuntimeError as err:  # cdk-nag findings raise ValidationFailed here
        report = outdir / "validation-report.json"
        details = report.read_text() if report.exists() else ""
        pytest.fail(f"synthesis failed: {err}\n{details[:20000]}")
    name = CONFIG.deploy.stack_name
    report_file = outdir / "validation-report.json"
    return Synth(
        config=CONFIG,
        outdir=outdir,
        main=Template.from_json(assembly.get_stack_by_name(name).template),
        pipeline=Template.from_json(assembly.get_stack_by_name(f"{name}-ExamplePipeline").template),
        report=json.loads(report_file.read_text()) if report_file.exists() else {},
    )


def resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def logical_id(template: Template, kind: str, **properties: Any) -> str:
    """The one resource of ``kind`` whose properties include ``properties``."""
    from aws_cdk.assertions import Match

    found = template.find_resources(kind, {"Properties": Match.object_like(properties)})
    assert len(found) == 1, f"expected one {kind} with {properties}, found {list(found)}"
    return str(next(iter(found)))


def flatten(value: Any) -> str:
    """A CloudFormation string (possibly Fn::Join) with tokens shown as <LogicalId>."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(flatten(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    return json.dumps(value)
