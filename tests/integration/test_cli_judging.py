"""`harness baseline`, `ack`, `quarantine` and `known` on a local state folder (and --aws on
the DynamoDB tables of a moto server): what a person types, what they read back."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from harness.cli import main
from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from tests.integration.conftest import create_baselines_table
from tests.integration.test_dynamodb_history import create_runs_table
from tests.unit.runs import cold

QUIET = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.00, 1.02, 0.98, 1.01, 0.99]


def harness(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A state folder holding twelve runs of target 'web', the configured target."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HARNESS__TARGET__NAME", "web")
    history = SqliteHistory.in_state_dir(tmp_path / "state")
    for i, value in enumerate(QUIET):
        history.save_run(cold(i, value))
    return str(tmp_path / "state")


def test_show_pin_and_unpin_baselines(state: str) -> None:
    code, text = harness("baseline", "show", "--state-dir", state)
    assert code == 0 and "baselines of target web for the series of run r011" in text
    row = next(line for line in text.splitlines() if "cold_start_seconds" in line)
    assert row.split()[1:4] == ["rolling", "12", "1.00"] and row.endswith("lower")

    code, text = harness(
        "baseline", "pin", "r011", "--scenario", "cold-start", "--state-dir", state
    )
    assert code == 0 and "pinned 1 series of target web as of run r011" in text
    code, text = harness("baseline", "show", "--scenario", "cold-start", "--state-dir", state)
    assert "pinned at r011" in text and "success_rate" not in text

    code, text = harness("baseline", "unpin", "--state-dir", state)
    assert code == 0 and "unpinned 1 series of target web" in text
    assert "pinned at" not in harness("baseline", "show", "--state-dir", state)[1]


def test_pinning_what_does_not_exist_is_a_usage_error(
    state: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert harness("baseline", "pin", "r999", "--state-dir", state)[0] == 2
    assert "no stored run 'r999'" in capsys.readouterr().err
    assert harness("baseline", "pin", "r011", "--scenario", "nope", "--state-dir", state)[0] == 2
    code, text = harness("baseline", "show", "--target-name", "nobody", "--state-dir", state)
    assert code == 0 and "no runs of target nobody yet" in text


def test_ack_quarantine_list_and_remove(state: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = harness("known", "--state-dir", state)
    assert code == 0 and text.startswith("no known issues in force")
    code, text = harness(
        "ack", "web/cold-start/*", "--reason", "slow image", "--owner", "al",
        "--expires", "7d", "--state-dir", state,
    )  # fmt: skip
    assert code == 0 and text.startswith("ack-") and "until" in text
    ack_id = text.split(":")[0]
    code, text = harness(
        "quarantine", "alb-routing", "--reason", "flaky", "--owner", "bo",
        "--expires", "2w", "--state-dir", state,
    )  # fmt: skip
    assert code == 0 and "quarantine web/alb-routing/*" in text
    code, text = harness("known", "--state-dir", state)
    assert ack_id in text and "web/alb-routing/*" in text and text.count("active") == 2
    assert harness("known", "--remove", ack_id, "--state-dir", state) == (0, f"removed {ack_id}\n")
    assert ack_id not in harness("known", "--state-dir", state)[1]
    capsys.readouterr()
    for argv, message in (
        (["ack", "cold-start", "--expires", "7d"], "<target>/<scenario>/<metric>"),
        (["ack", "a/b/c", "--expires", "2000-01-01"], "not in the future"),
        (["quarantine", "warm-start", "--expires", "1d"], "unknown scenario 'warm-start'"),
        (["known", "--remove", "ack-000000"], "no known-issues entry"),
    ):
        extra = ["--reason", "r", "--owner", "o"] if argv[0] != "known" else []
        assert harness(*argv, *extra, "--state-dir", state)[0] == 2, argv
        assert message in capsys.readouterr().err


def test_aws_flag_uses_the_deployed_tables(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs, baselines = f"runs-{uuid.uuid4().hex[:6]}", f"baselines-{uuid.uuid4().hex[:6]}"
    create_runs_table(moto_server.endpoint, runs)
    create_baselines_table(moto_server.endpoint, baselines)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "user-key")  # --aws signs as the user does
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    monkeypatch.setenv("HARNESS__HISTORY__RUNS_TABLE", runs)
    monkeypatch.setenv("HARNESS__STORAGE__BASELINES_TABLE", baselines)
    code, _ = harness(
        "ack", "reference/-/success_rate", "--reason", "r", "--owner", "o", "--expires", "1d",
        "--aws",
    )  # fmt: skip
    assert code == 0
    assert "reference/-/success_rate" in harness("known", "--aws")[1]
    assert harness("known")[1].startswith("no known issues")  # the local ledger is another one
