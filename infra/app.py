"""Builds the CDK app from the project config (used by ../app.py and the infra tests)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from harness.config import HarnessConfig
from harness.layout import PROJECT_ROOT
from infra.pipeline import ExamplePipelineStack
from infra.stack import HarnessStack

CDK_JSON = PROJECT_ROOT / "cdk.json"


def cdk_context() -> dict[str, Any]:
    """The context of cdk.json (feature flags), so tests synthesize what `cdk` would."""
    context: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]
    return context


def truthy(value: object) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def build_app(
    config: HarnessConfig,
    *,
    context: dict[str, Any] | None = None,
    outdir: str | Path | None = None,
    nag: bool = True,
) -> cdk.App:
    """The app: the harness stack, plus the example pipeline when ``example_pipeline`` is on."""
    app = cdk.App(
        context={**cdk_context(), **(context or {})},
        outdir=str(outdir) if outdir else None,
    )
    deploy = config.deploy
    env = cdk.Environment(
        account=deploy.account or os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=deploy.region or os.environ.get("CDK_DEFAULT_REGION"),
    )
    HarnessStack(
        app,
        deploy.stack_name,
        config=config,
        env=env,
        description="harness: AWS-native integration-test harness (suite, schedules, alerts)",
    )
    if truthy(app.node.try_get_context("example_pipeline")):
        ExamplePipelineStack(
            app,
            f"{deploy.stack_name}-ExamplePipeline",
            config=config,
            env=env,
            description="harness: example pipeline that runs the suite as a stage",
        )
    if nag:
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app
