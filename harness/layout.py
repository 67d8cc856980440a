"""Where the project's deployable parts live, and how a Lambda asset is laid out.

The only module that knows the paths of `functions/` and `statemachines/`: the local engine
and the CDK app both ask it, so both deploy the same code and the same state machine.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from harness.config.deploy import FunctionOverride
from harness.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = PROJECT_ROOT / "functions"
STATEMACHINES_DIR = PROJECT_ROOT / "statemachines"
SUITE_ASL = STATEMACHINES_DIR / "suite.asl.json"
PACKAGE_DIR = Path(__file__).resolve().parent
HANDLER = "handler.lambda_handler"
REQUIREMENTS = PROJECT_ROOT / "requirements.txt"
# requirements.txt is not in a Lambda asset; staging copies it here, into the package, so the
# Plan Lambda can put the project's dependency pins into result-cache keys.
STAGED_PINS = PACKAGE_DIR / "dependency-pins.txt"
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
    # Caps how many run at once: a throttled invocation is retried by the state machine, and
    # a fan-out can never starve the account's other functions.
    reserved_concurrency: int | None = None
    # CPU-bound (a load generator): the local engine runs it in worker processes, like
    # Lambda runs each invocation on its own CPU, instead of in its own busy process.
    cpu_bound: bool = False

    @property
    def source_dir(self) -> Path:
        return FUNCTIONS_DIR / self.name

    def with_overrides(self, overrides: Mapping[str, FunctionOverride]) -> FunctionSpec:
        """This function as deployed: ``[deploy.functions.<name>]`` over the defaults here (the
        CDK app, the local engine and the planner must agree on its reserved concurrency)."""
        override = overrides.get(self.name)
        if override is None:
            return self
        return replace(
            self,
            timeout_seconds=override.timeout_seconds or self.timeout_seconds,
            memory_mb=override.memory_mb or self.memory_mb,
            reserved_concurrency=(
                self.reserved_concurrency
                if override.reserved_concurrency is None
                else override.reserved_concurrency
            ),
        )


# slack-sdk: pure Python, no dependencies; send_alerts posts to Slack with it.
BUNDLED = ("slack-sdk",)

SUITE_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("plan_run", "PlanRunFunctionArn", "Validate input and plan a run", 30),
    FunctionSpec("setup_group", "SetupGroupFunctionArn", "Prepare a scenario group", 360),
    FunctionSpec(
        "run_scenario",
        "RunScenarioFunctionArn",
        "Run one scenario",
        900,
        512,
        reserved_concurrency=10,
    ),
    FunctionSpec("aggregate_run", "AggregateRunFunctionArn", "Summarise and store a run", 60),
    FunctionSpec(
        "detect_regressions", "DetectRegressionsFunctionArn", "Judge against baselines", 60
    ),
    FunctionSpec("send_alerts", "SendAlertsFunctionArn", "Route alerts", 60, bundled=BUNDLED),
    FunctionSpec("cleanup_run", "CleanupRunFunctionArn", "Delete what the run created", 300),
    FunctionSpec(
        "publish_report",
        "PublishReportFunctionArn",
        "Write the run report and JUnit file",
        120,
        bundled=("Jinja2", "MarkupSafe"),
    ),
    FunctionSpec("plan_confirmation", "PlanConfirmationFunctionArn", "Plan the confirm pass", 30),
    FunctionSpec(
        "judge_confirmation", "JudgeConfirmationFunctionArn", "Judge the confirm pass", 60
    ),
    FunctionSpec("acquire_leases", "AcquireLeasesFunctionArn", "Lease the targets a run uses", 60),
    FunctionSpec(
        "release_leases", "ReleaseLeasesFunctionArn", "Restore and release the targets", 120
    ),
    FunctionSpec(
        "run_user_batch",
        "RunUserBatchFunctionArn",
        "Run one batch of a load scenario's users",
        900,
        1769,  # one full vCPU: a load generator must not be the bottleneck
        cpu_bound=True,
    ),
    FunctionSpec("judge_load", "JudgeLoadFunctionArn", "Judge a load scenario's batches", 60),
)


# Functions the state machine does not call (no ASL placeholder): EventBridge invokes them.
EVENT_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("recover_run", "", "Recover a run whose execution ended badly", 300),
)


def suite_timeout_seconds() -> int:
    """The suite state machine's ``TimeoutSeconds``: no execution runs longer."""
    return int(json.loads(SUITE_ASL.read_text())["TimeoutSeconds"])


# Not a state of the suite: the daily and weekly maintenance jobs (EventBridge Scheduler).
MAINTENANCE_FUNCTION = FunctionSpec(
    "run_maintenance", "", "Daily and weekly maintenance jobs", 900, 512
)
ALL_FUNCTIONS: tuple[FunctionSpec, ...] = (*SUITE_FUNCTIONS, MAINTENANCE_FUNCTION, *EVENT_FUNCTIONS)


def function_spec(
    name: str, overrides: Mapping[str, FunctionOverride] | None = None
) -> FunctionSpec:
    """The function ``name``, as deployed when given ``overrides`` (``[deploy.functions]``)."""
    for function in ALL_FUNCTIONS:
        if function.name == name:
            return function.with_overrides(overrides or {})
    raise KeyError(f"no function {name!r}")


def suite_placeholders() -> set[str]:
    """Every ``${Name}`` placeholder used in the suite ASL."""
    return set(PLACEHOLDER.findall(SUITE_ASL.read_text()))


def suite_definition() -> dict[str, Any]:
    """The suite ASL as data (placeholders left in): what the cost estimate walks. Inside a
    Lambda asset it is found at the same relative place (``stage_function`` copies it)."""
    definition: dict[str, Any] = json.loads(SUITE_ASL.read_text())
    return definition


def render_asl(substitutions: dict[str, str]) -> str:
    """The suite ASL with placeholders replaced; every placeholder must be given."""
    text = SUITE_ASL.read_text()
    missing = suite_placeholders() - set(substitutions)
    if missing:
        raise KeyError(f"no substitution for placeholder(s): {sorted(missing)}")
    return PLACEHOLDER.sub(lambda match: substitutions[match.group(1)], text)


def stage_function(
    function: FunctionSpec, destination: Path, extra_packages: Sequence[str] = ()
) -> Path:
    """Lay out a function's asset: its handler folder, the ``harness`` package, and the
    installed distributions named in ``extra_packages`` (``[deploy] extra_packages``, e.g.
    scenario plugins, with their ``.dist-info`` so their entry points are found in Lambda).

    Third-party dependencies (pydantic, Powertools) come from the Powertools layer in AWS
    and from the virtualenv locally, so the asset stays small; the few the layer lacks are
    listed in ``bundled`` and copied from the virtualenv (pure-Python ones only). The
    suite ASL rides along (``statemachines/``, beside ``harness/`` as in the project) for
    the cost estimate.
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
    for name in function.bundled:
        stage_distribution(name, destination, "harness/layout.py bundles it")
    for name in extra_packages:
        stage_distribution(name, destination, "deploy.extra_packages names it")
    asl = destination / SUITE_ASL.relative_to(PROJECT_ROOT)
    asl.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SUITE_ASL, asl)
    if REQUIREMENTS.exists():
        shutil.copy2(REQUIREMENTS, destination / "harness" / STAGED_PINS.name)
    return destination


def dependency_pins() -> bytes | None:
    """The project's pinned dependencies: requirements.txt in a checkout, its staged copy in
    a Lambda asset; None when neither is there (then nothing may be cached)."""
    for source in (STAGED_PINS, REQUIREMENTS):
        if source.is_file():
            return source.read_bytes()
    return None


# Compiled extensions left out of assets: built for this machine's Python, not Lambda's
# (MarkupSafe's speed-ups; it falls back to pure Python).
COMPILED = {".so", ".pyd"}


def stage_distribution(name: str, destination: Path, why: str) -> None:
    """Copy an installed distribution into an asset: its files as its RECORD lists them, with
    its metadata (licence, entry points); ``why`` says who asked, for the error."""
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        raise ConfigError(
            f"'{name}' is not installed here, but a Lambda asset needs it ({why}): pip install "
            "it where the assets are built (cdk synth, harness run)"
        ) from None
    files = [path for path in dist.files or [] if ".." not in path.parts]  # not scripts
    if not any(path.suffix == ".py" and not path.name.startswith("__editable__") for path in files):
        raise ConfigError(
            f"'{name}' has no Python files to stage ({why}; an editable install?): "
            "install it normally (pip install PATH)"
        )
    for path in files:
        if "__pycache__" in path.parts or path.suffix == ".pyc" or path.suffix in COMPILED:
            continue
        target = destination / path
        if target.exists():
            raise ConfigError(f"'{name}' would overwrite {path} in the asset ({why})")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(str(dist.locate_file(path))), target)


def function_zip(function: FunctionSpec, extra_packages: Sequence[str] = ()) -> bytes:
    """The function's asset (as ``stage_function`` lays it out) as zip bytes.

    A function that bundles nothing beyond the ``harness`` package (most of them) is the
    package's archive, deflated once per process and shared, with the function's own files
    appended: a quarter of the bytes to send to (and hash in) the local Lambda, without
    deflating the package again for every function.
    """
    buffer = io.BytesIO()
    if function.bundled or extra_packages:
        with (
            tempfile.TemporaryDirectory() as staging,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            root = stage_function(function, Path(staging), extra_packages)
            for item in sorted(root.rglob("*")):
                if item.is_file():
                    archive.write(item, item.relative_to(root).as_posix())
        return buffer.getvalue()
    buffer.write(_package_zip())
    with zipfile.ZipFile(buffer, "a") as archive:
        for item in sorted(function.source_dir.iterdir()):
            if item.is_file():
                archive.writestr(_zip_entry(item.name), item.read_bytes())
    return buffer.getvalue()


def _zip_entry(name: str) -> zipfile.ZipInfo:
    """A deflated entry with a fixed date: the same files give the same archive bytes."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


@functools.lru_cache(maxsize=1)
def _package_zip() -> bytes:
    """The ``harness`` package as an asset holds it, deflated (once per process)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in _package_files():
            archive.writestr(_zip_entry(name), content)
    return buffer.getvalue()


@functools.lru_cache(maxsize=1)
def _package_files() -> tuple[tuple[str, bytes], ...]:
    """The ``harness`` package as an asset holds it (no caches, no ``local/``), read once."""
    files = []
    for item in sorted(PACKAGE_DIR.rglob("*")):
        relative = item.relative_to(PACKAGE_DIR)
        if not item.is_file() or item.suffix == ".pyc" or relative.parts[0] == "local":
            continue
        if "__pycache__" in relative.parts:
            continue
        files.append((f"harness/{relative.as_posix()}", item.read_bytes()))
    pins = f"harness/{STAGED_PINS.name}"
    if REQUIREMENTS.exists() and all(name != pins for name, _ in files):
        files.append((pins, REQUIREMENTS.read_bytes()))  # as stage_function copies it
    return tuple(files)
