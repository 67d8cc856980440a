"""Each Lambda asset is self-contained: its handler imports with only the asset and the
third-party packages Lambda provides (Powertools layer: pydantic; runtime: boto3), and
never pulls in moto, the local engine or the CDK."""

from __future__ import annotations

import io
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from harness.layout import SUITE_FUNCTIONS, FunctionSpec, function_zip

PROBE = """
import sys
sys.path[:0] = ['.']
sys.path.append({site!r})
import handler, harness
assert harness.__file__.startswith({asset!r}), harness.__file__
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
        [sys.executable, "-S", "-c", PROBE.format(site=site, asset=str(tmp_path))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
