#!/usr/bin/env python3
"""CDK entry point: `cdk synth` / `cdk deploy` (see docs/deploy.md).

The config is the project's harness.toml (or `-c config=path/to.toml`, or
$HARNESS_CONFIG_FILE) with HARNESS__SECTION__KEY overrides, as for the CLI. The cloud
assembly goes to $CDK_OUTDIR (the CDK CLI sets it), else to cdk.out/ as `cdk synth` does.
"""

from __future__ import annotations

import os

import aws_cdk as cdk

from harness.config import load_config
from infra.app import build_app

config_path = cdk.App().node.try_get_context("config")
app = build_app(load_config(config_path), outdir=os.environ.get("CDK_OUTDIR") or "cdk.out")
app.synth()
