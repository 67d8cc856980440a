"""Each Lambda asset is self-contained: its handler imports with only the asset and the
third-party packages Lambda provides (Powertools layer: pydantic; runtime: boto3), and
never pulls in moto, the local engine or the CDK. Anything else (slack-sdk for send_alerts)
must come from the asset itself: the probe refuses every other installed package."""

from __future__ import annotations

import io
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from harness.layout import SUITE_FUNCTIONS, FunctionSpec, function_zip

# What Lambda provides besides the asset: the Python runtime's boto3 (and its dependencies),
# and the Powertools layer (Powertools, pydantic and its dependencies).
PROVIDED = {
    "boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six", "urllib3",
    "aws_lambda_powertools", "pydantic", "pydantic_core", "annotated_types",
    "typing_extensions", "typing_inspection",
}  # fmt: skip
# Modules a handler imports only when it needs them (they must import from the asset too).
LAZY = {"send_alerts": ("harness.notify.slack", "harness.aws.secrets", "harness.aws.sns_topic")}

PROBE = """
import importlib, importlib.machinery, sys
sys.path[:0] = ['.']
sys.path.append({site!r})

class OnlyWhatLambdaProvides:
    @staticmethod
    def find_spec(name, path=None, target=None):
        top = name.split('.')[0]
        if path is None and top not in {provided!r}:
            spec = importlib.machinery.PathFinder.find_spec(top, [{site!r}])
            local = importlib.machinery.PathFinder.find_spec(top, ['.'])
            if spec is not None and local is None:
                raise ImportError(f"{{name}} is neither in the asset nor provided by Lambda")
        return None

sys.meta_path.insert(0, OnlyWhatLambdaProvides)
import handler, harness
assert harness.__file__.startswith({asset!r}), harness.__file__
for lazy in {lazy!r}:
    importlib.import_module(lazy)
assert callable(handler.lambda_handler)
forbidden = sorted(m for m in sys.modules if m.split('.')[0] in {{'moto', 'aws_cdk', 'flask'}}
                   or m.startswith('harness.local'))
assert not forbidden, forbidden
"""


@pytest.mark.parametrize("function", SUITE_FUNCTIONS, ids=lambda f: f.name)
def test_handler_imports_from_its_asset_alone(function: FunctionSpec, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(function_zip(function))) as archive:
        archive.extractall(tmp_path)
    assert not (tmp_path / "harness" / "local").exists()
    site = sysconfig.get_paths()["purelib"]
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            PROBE.format(
                site=site,
                asset=str(tmp_path),
                provided=sorted(PROVIDED),
                lazy=LAZY.get(function.name, ()),
            ),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
