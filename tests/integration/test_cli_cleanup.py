"""`harness cleanup`: the deployed daily cleanup job, run by hand against a target."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from harness.cli import main
from tests.integration.stacks import Stack, StackFactory


def target_file(stack: Stack, tmp_path: Path) -> Path:
    target = stack.run.target
    lines = [
        f'{key} = "{getattr(target, key)}"'
        for key in ("endpoint", "aws_endpoint_url", "ecs_cluster", "ecs_service", "sessions_table")
    ]
    path = tmp_path / "target.toml"
    path.write_text("[target]\n" + "\n".join(lines) + "\n")
    return path


def test_deletes_expired_test_sessions_only(stack: StackFactory, tmp_path: Path) -> None:
    target = stack()
    ours = [
        target.api.create_session(f"TEST_deadrun_x_{n}", "u").json()["sessionId"] for n in range(3)
    ]
    customer = target.api.create_session("customer-9", "u").json()["sessionId"]
    file = str(target_file(target, tmp_path))

    out = io.StringIO()
    assert main(["cleanup", "--target", file], out=out) == 0
    assert out.getvalue().startswith("cleanup: 0 test session(s)")  # all younger than 24 h

    out = io.StringIO()
    assert main(["cleanup", "--target", file, "--older-than-hours", "0"], out=out) == 0
    assert "cleanup: 3 test session(s)" in out.getvalue()
    assert "3 deleted through the API" in out.getvalue()
    assert all(target.infra.get_session_item(sid) is None for sid in ours)
    assert target.infra.get_session_item(customer) is not None


@pytest.mark.parametrize(
    "args", [["cleanup"], ["cleanup", "--target", "http://127.0.0.1:9", "--older-than-hours", "-1"]]
)
def test_bad_usage_exits_2(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no harness.toml here: the default target has no endpoint
    monkeypatch.delenv("HARNESS_CONFIG_JSON", raising=False)
    monkeypatch.delenv("HARNESS_CONFIG_FILE", raising=False)
    assert main(args, out=io.StringIO()) == 2
