"""Where the project's deployable parts live, and how a Lambda asset is laid out.

The only module that knows the paths of `functions/` and `statemachines/`: the local engine
and the CDK app both ask it, so both deploy the same code and the same state machine.
"""

from __future__ import annotations

import importlib.metadata
import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = PROJECT_ROOT / "functions"
STATEMACHINES_DIR = PROJECT_ROOT / "statemachines"
SUITE_ASL = STATEMACHINES_DIR / "suite.asl.json"
PACKAGE_DIR = Path(__file__).resolve().parent
HANDLER = "handler.lambda_handler"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function of the suite."""

    name: str  # folder under functions/, e.g. "run_scenario"
    placeholder: str  # ASL placeholder for its ARN, e.g. "RunScenarioFunctionArn"
    description: str
    timeout_seconds: int
    memory_mb: int = 256
    # Installed distributions copied into the asset: what the Powertools layer lacks.
    bundled: tuple[str, ...] = ()

    @property
    def source_dir(self) -> Path:
        return FUNCTIONS_DIR / self.name


# slack-sdk: pure Python, no dependencies; send_alerts posts to Slack with it.
BUNDLED = ("slack-sdk",)

SUITE_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("plan_run", "PlanRunFunctionArn", "Validate input and plan a run", 30),
    FunctionSpec("setup_group", "SetupGroupFunctionArn", "Prepare a scenario group", 60),
    FunctionSpec("run_scenario", "RunScenarioFunctionArn", "Run one scenario", 900, 512),
    FunctionSpec("teardown_group", "TeardownGroupFunctionArn", "Restore after a group", 120),
    FunctionSpec("aggregate_run", "AggregateRunFunctionArn", "Summarise and store a run", 60),
    FunctionSpec("detect_regressions", "DetectRegressionsFunctionArn", "Compare with baseline", 60),
    FunctionSpec("send_alerts", "SendAlertsFunctionArn", "Route alerts", 60, bundled=BUNDLED),
    FunctionSpec("cleanup_run", "CleanupRunFunctionArn", "Delete what the run created", 300),
)


def suite_placeholders() -> set[str]:
    """Every ``${Name}`` placeholder used in the suite ASL."""
    return set(PLACEHOLDER.findall(SUITE_ASL.read_text()))


def render_asl(substitutions: dict[str, str]) -> str:
    """The suite ASL with placeholders replaced; every placeholder must be given."""
    text = SUITE_ASL.read_text()
    missing = suite_placeholders() - set(substitutions)
    if missing:
        raise KeyError(f"no substitution for placeholder(s): {sorted(missing)}")
    return PLACEHOLDER.sub(lambda match: substitutions[match.group(1)], text)


def stage_function(function: FunctionSpec, destination: Path) -> Path:
    """Lay out a function's asset: its handler folder plus the ``harness`` package.

    Third-party dependencies (pydantic, Powertools) come from the Powertools layer in AWS
    and from the virtualenv locally, so the asset stays small; the few the layer lacks are
    listed in ``bundled`` and copied from the virtualenv (pure-Python ones only).
    """
    destination.mkdir(parents=True, exist_ok=True)
    for item in function.source_dir.iterdir():
        if item.name == "__pycache__":
            continue
        if item.is_file():
            shutil.copy2(item, destination / item.name)
    shutil.copytree(
        PACKAGE_DIR,
        destination / "harness",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "local"),
        dirs_exist_ok=True,
    )
    for distribution in function.bundled:
        _bundle(distribution, destination)
    return destination


def _bundle(distribution: str, destination: Path) -> None:
    """Copy an installed distribution: its packages and its metadata (with the licence)."""
    try:
        found = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError as err:
        raise RuntimeError(
            f"{distribution} is not installed, but a Lambda asset bundles it: "
            "pip install -r requirements.txt"
        ) from err
    for file in found.files or []:
        if file.parts[0] == ".." or "__pycache__" in file.parts:
            continue  # console scripts, byte code
        target = destination / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(str(found.locate_file(file))), target)


def function_zip(function: FunctionSpec) -> bytes:
    """The function's asset (as ``stage_function`` lays it out) as zip bytes."""
    buffer = io.BytesIO()
    with (
        tempfile.TemporaryDirectory() as staging,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        root = stage_function(function, Path(staging))
        for item in sorted(root.rglob("*")):
            if item.is_file():
                archive.write(item, item.relative_to(root).as_posix())
    return buffer.getvalue()
