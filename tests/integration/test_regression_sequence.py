"""Runs in sequence through the real local engine: healthy runs build the baseline, a slow
cold start is suspected, re-run, confirmed and shown; it stays reported while it lasts, and
goes away when the target recovers. Also: runs against another target are never compared."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import HarnessConfig, RegressionConfig
from harness.execution.history import ExecutionOutcome, Progress
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.report.text import render_summary
from harness.wire import RegressionReport, Severity, Verdict
from tests.integration.stacks import isolated_config

# Small windows keep the sequence short; the statistics are the same.
FAST = RegressionConfig(window=5, min_samples=3)
# A cold start long enough that this machine's load (which adds its own delay to every
# measurement) stays small beside it, and beside the fault's "much slower".
COLD_START_SECONDS = 0.5
COLD_START_SLA_SECONDS = 4.0


@pytest.fixture
def engines(moto_server: MotoServer) -> Iterator[list[LocalEngine]]:
    started: list[LocalEngine] = []
    yield started
    for engine in reversed(started):
        engine.stop()


def with_faults(config: HarnessConfig, faults: list[str]) -> HarnessConfig:
    """The same target (name, table, service), misbehaving in another way."""
    target = config.reference_target.model_copy(update={"faults": faults})
    return config.model_copy(update={"reference_target": target})


class Sequence:
    """Runs of cold-start, one after another, into one state folder."""

    def __init__(self, engines: list[LocalEngine], moto: MotoServer, state: Path) -> None:
        self.engines, self.moto, self.state = engines, moto, state
        self.engine: LocalEngine | None = None
        self.count = 0

    def target(self, config: HarnessConfig) -> LocalEngine:
        """From now on, run against this (the previous engine stops)."""
        if self.engine is not None:
            self.engine.stop()
        self.engine = LocalEngine(config, self.state, moto=self.moto)
        self.engines.append(self.engine)
        self.engine.start()
        return self.engine

    def run(self, **execution: object) -> tuple[ExecutionOutcome, str]:
        assert self.engine is not None
        self.count += 1
        run_id = f"seq-{self.count}"
        lines: list[Progress] = []
        request = {"scenarios": ["cold-start"], "runId": run_id, **execution}
        outcome = self.engine.run(request, run_id, lines.append)
        assert outcome.summary is not None, outcome.cause
        assert outcome.regressions is not None
        text = (
            "\n".join(p.text for p in lines)
            + "\n"
            + render_summary(outcome.summary, outcome.regressions, outcome.confirm_results)
        )
        return outcome, text


def cold_start_regressions(report: RegressionReport) -> list[str]:
    """Severities of the standing regressions of cold-start (its time, or its status)."""
    return [
        r.severity.value
        for r in report.regressions
        if r.scenario == "cold-start" and r.stands and r.confirmed
    ]


def test_healthy_then_slow_cold_start_is_confirmed_repeated_then_recovers(
    engines: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    config = isolated_config()
    reference = config.reference_target.model_copy(
        update={"cold_start_seconds": COLD_START_SECONDS}
    )
    # The fault starts the container past the cold-start SLA: a tight SLA keeps that short,
    # far above the healthy 0.5 s however busy the machine is.
    sla = config.sla.model_copy(update={"cold_start_max_seconds": COLD_START_SLA_SECONDS})
    healthy = config.model_copy(
        update={"regression": FAST, "reference_target": reference, "sla": sla}
    )
    slow = with_faults(healthy, ["slow_cold_start"])
    seq = Sequence(engines, moto_server, tmp_path)
    history = SqliteHistory.in_state_dir(tmp_path)

    seq.target(healthy)
    for _ in range(4):
        outcome, text = seq.run()
        assert outcome.status == "SUCCEEDED", outcome.cause
    assert outcome.regressions is not None and outcome.regressions.verdict is Verdict.PASSED
    # Pin the healthy state (as before a risky release): the slow runs that follow must not
    # become the baseline they are judged against, however noisy this machine is.
    pinned = io.StringIO()
    assert main(["baseline", "pin", "seq-4", "--state-dir", str(tmp_path)], pinned) == 0
    assert pinned.getvalue().startswith("pinned 4 series")

    seq.target(slow)
    outcome, text = seq.run()
    report = outcome.regressions
    assert report is not None and report.confirm_run_id == "seq-5-confirm"
    found = cold_start_regressions(report)
    assert found and set(found) <= {Severity.MEDIUM.value, Severity.HIGH.value}, text
    assert "confirm pass: re-running cold-start" in text
    assert "confirm: cold-start" in text  # the re-run's own progress lines
    assert "CONFIRMED" in text and "evidence:" in text
    assert "series pinned" in text
    assert f"Confirm pass: run {report.confirm_run_id}: cold-start" in text
    # Both results are recorded: the run's judgement, and the confirm pass as a run.
    assert history.get_regressions(report.run_id) == report
    again = history.get_run(report.confirm_run_id)
    assert again is not None and again.suite == "confirm"
    assert [r.scenario for r in again.results] == ["cold-start"]
    gates = Severity.HIGH.value in found  # a high regression (it failed) fails the run
    assert (report.verdict is Verdict.FAILED) == gates == (outcome.status == "FAILED")

    outcome, text = seq.run()  # still slow: still reported, never "none"
    assert outcome.regressions is not None and cold_start_regressions(outcome.regressions), text
    assert "Regressions: none" not in text

    seq.target(healthy)
    outcome, text = seq.run()
    assert outcome.status == "SUCCEEDED", outcome.cause
    report = outcome.regressions
    assert report is not None and not report.awaiting_confirmation
    assert [r for r in report.regressions if r.scenario == "cold-start" and r.stands] == [], text
    assert report.verdict is Verdict.PASSED
    unpinned = io.StringIO()
    argv = ["baseline", "unpin", "--target-name", healthy.target.name, "--state-dir", str(tmp_path)]
    assert main(argv, unpinned) == 0
    assert unpinned.getvalue().startswith("unpinned 4 series")  # rate, cost, 2 of cold-start


def test_runs_against_another_target_are_never_compared(
    engines: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    config = isolated_config().model_copy(update={"regression": FAST})
    seq = Sequence(engines, moto_server, tmp_path)
    engine = seq.target(config)
    for _ in range(3):
        seq.run()
    assert engine.reference_target is not None
    port = engine.reference_target.endpoint.rsplit(":", 1)[1]
    other = engine.run(
        {
            "scenarios": ["cold-start"],
            "runId": "other-1",
            "target": {"endpoint": f"http://localhost:{port}"},
        },
        "other-1",
    )
    assert other.summary is not None and other.summary.target == f"localhost:{port}"
    assert other.regressions is not None and other.regressions.baseline_run_id is None
    assert f"localhost:{port}/cold-start/cold_start_seconds" in other.regressions.not_judged
    same = engine.run({"scenarios": ["cold-start"], "runId": "same-1"}, "same-1")
    assert same.summary is not None and same.summary.target == config.target.name
    assert same.regressions is not None and same.regressions.baseline_run_id == "seq-3"
