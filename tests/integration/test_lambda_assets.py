"""Each Lambda asset is self-contained: its handler imports with only the asset and the
third-party packages Lambda provides (Powertools layer: pydantic; runtime: boto3), and
never pulls in moto, the local engine or the CDK. Anything else (slack-sdk for send_alerts,
Jinja2 for publish_report) must come from the asset itself: the probe refuses every other
installed package.
Scenario plugins named in ``[deploy] extra_packages`` travel inside it."""

from __future__ import annotations

import io
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from harness import layout
from harness.errors import ConfigError
from harness.layout import (
    ALL_FUNCTIONS,
    SUITE_FUNCTIONS,
    FunctionSpec,
    function_spec,
    function_zip,
    stage_function,
)
from harness.local.asset_cache import cached_function_zips
from tests.plugin_example import DISTRIBUTION, SCENARIO

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


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=lambda f: f.name)
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


PLUGIN_PROBE = """
import sys
sys.path[:0] = ['.']
sys.path.append({site!r})
from harness.scenarios import catalogue
print(catalogue().source({scenario!r}))
"""


def test_extra_packages_carry_a_scenario_plugin_into_the_asset(
    plugin_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(plugin_site))  # installed here, as where `cdk synth` runs
    function = function_spec("run_scenario")
    with zipfile.ZipFile(io.BytesIO(function_zip(function, [DISTRIBUTION]))) as archive:
        archive.extractall(tmp_path)
    site = sysconfig.get_paths()["purelib"]
    probe = PLUGIN_PROBE.format(site=site, scenario=SCENARIO)

    done = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"plugin {DISTRIBUTION} 0.1.0")


def test_extra_packages_must_be_installed(tmp_path: Path) -> None:
    named = r"'no-such-plugin-xyz' is not installed here, .* \(deploy.extra_packages names it\)"
    with pytest.raises(ConfigError, match=named):
        stage_function(SUITE_FUNCTIONS[0], tmp_path, ["no-such-plugin-xyz"])


RENDER = """
import sys
sys.path[:0] = ['.']
sys.path.append({site!r})
from datetime import UTC, datetime
from pathlib import Path
from harness.report.html import ReportInput, render_html
from harness.report.location import s3_location
from harness.wire import RunSummary
summary = RunSummary.model_validate_json({summary!r})
page = render_html(ReportInput(summary=summary, verdict=summary.verdict, verdict_reason='ok',
    regressions=None, trends=[], location=s3_location(summary.run_id, 'b', 'us-east-1'),
    generated_at=datetime.now(UTC)))
import jinja2, markupsafe
assert jinja2.__file__.startswith({asset!r}) and markupsafe.__file__.startswith({asset!r})
assert 'uPlot' in page and summary.run_id in page
"""


def test_the_report_renders_from_the_publish_report_asset_alone(tmp_path: Path) -> None:
    from tests.report_history import history

    function = function_spec("publish_report")
    with zipfile.ZipFile(io.BytesIO(function_zip(function))) as archive:
        archive.extractall(tmp_path)
    assert not list(tmp_path.rglob("*.so")), "compiled extensions are built for another Python"
    site = sysconfig.get_paths()["purelib"]
    probe = RENDER.format(
        site=site, asset=str(tmp_path), summary=history(runs=1)[0].model_dump_json()
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_a_package_only_zip_is_deflated_and_the_same_bytes_every_time(tmp_path: Path) -> None:
    function = function_spec("plan_run")
    first = function_zip(function)
    layout._package_zip.cache_clear()  # built again from the files, not reused
    assert function_zip(function) == first  # same files, same bytes: one extraction reused
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        entries = archive.infolist()
        names = [entry.filename for entry in entries]
        assert {"handler.py", "harness/__init__.py"} <= set(names)
        assert len(names) == len(set(names))
        assert {entry.compress_type for entry in entries} == {zipfile.ZIP_DEFLATED}
        archive.extractall(tmp_path)
    source = function.source_dir / "handler.py"
    assert (tmp_path / "handler.py").read_bytes() == source.read_bytes()
    assert len(first) < sum(entry.file_size for entry in entries) / 2


def test_a_cached_zip_holds_what_the_asset_holds_and_is_reused() -> None:
    spec = next(s for s in SUITE_FUNCTIONS if s.bundled)  # the costly kind: it copies a dist

    def contents(blob: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    (first,) = cached_function_zips([spec])
    assert contents(first) == contents(function_zip(spec))
    assert cached_function_zips([spec]) == [first]  # the same bytes: read back, not rebuilt


KEY_PROBE = """
import sys
sys.path[:0] = ['.']
sys.path.append({site!r})
from harness.layout import dependency_pins
from harness.planning.code_digest import code_digest
print(code_digest('harness.scenarios.cold_start'))
print(dependency_pins().decode().splitlines()[1])
"""


def test_the_plan_asset_computes_the_same_cache_key_inputs(tmp_path: Path) -> None:
    """The code digest and the pins come from the asset alone, and equal the checkout's."""
    from harness.layout import REQUIREMENTS
    from harness.planning.code_digest import code_digest

    plan = function_spec("plan_run")
    with zipfile.ZipFile(io.BytesIO(function_zip(plan))) as archive:
        archive.extractall(tmp_path)
    assert (tmp_path / "harness" / "dependency-pins.txt").read_bytes() == REQUIREMENTS.read_bytes()
    site = sysconfig.get_paths()["purelib"]
    done = subprocess.run(
        [sys.executable, "-S", "-c", KEY_PROBE.format(site=site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    digest, pin = done.stdout.split("\n")[:2]
    assert digest == code_digest("harness.scenarios.cold_start")
    assert pin == REQUIREMENTS.read_text().splitlines()[1]
