"""`harness run --aws` against a moto server standing in for AWS: a deployed suite state
machine (the local engine's deployment) started, followed, and judged by the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from harness.cli import main
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from tests.integration.stacks import isolated_config


def deployed(moto: MotoServer, state: Path, faults: list[str]) -> LocalEngine:
    engine = LocalEngine(isolated_config(faults), state, moto=moto)
    engine.start()
    return engine


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["run", "--aws", *args], out=out)
    return code, out.getvalue()


def test_passing_suite_exits_0_with_progress_and_table(aws: MotoServer, tmp_path: Path) -> None:
    engine = deployed(aws, tmp_path, [])
    try:
        code, out = run_cli("--state-machine-arn", engine.state_machine_arn, "--suite", "smoke")
    finally:
        engine.stop()
    assert code == 0, out
    assert "cold-start pass in" in out and "alb-routing pass in" in out
    assert "routing-at-zero pass in" in out
    assert "PASSED - 3 pass" in out
    assert "Execution: arn:aws:states:" in out
    assert "Report: " in out  # the deployed PublishReport step wrote it


def test_failing_suite_exits_1(
    aws: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = deployed(aws, tmp_path, ["misroute"])
    monkeypatch.setenv("HARNESS_STATE_MACHINE_ARN", engine.state_machine_arn)
    try:
        code, out = run_cli("--scenario", "alb-routing")
    finally:
        engine.stop()
    assert code == 1, out
    assert "alb-routing: unknown-session-404" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--suite", "smoke"],  # no ARN anywhere
        ["--state-machine-arn", "arn:aws:lambda:us-east-1:123456789012:function:x"],
        [
            "--state-machine-arn",
            "arn:aws:states:us-east-1:123456789012:stateMachine:s",
            "--fault",
            "misroute",
        ],
    ],
)
def test_bad_usage_exits_2_before_starting_anything(
    aws: MotoServer, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HARNESS_STATE_MACHINE_ARN", raising=False)
    code, _ = run_cli(*args)
    assert code == 2
