"""Pinned baselines, the known-issues ledger and saved judgements: the same behaviour from
SQLite and from DynamoDB (a real moto server, tables with the CDK app's key schema)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.aws.dynamodb_baselines import DynamoDbBaselines, DynamoDbKnownIssues
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.errors import HistoryError, RunExistsError
from harness.judge.judgement import Stores
from harness.judge.ledger import new_entry
from harness.local.moto_server import MotoServer
from harness.local.sqlite_baselines import SqliteBaselines, SqliteKnownIssues
from harness.local.sqlite_history import SqliteHistory
from harness.wire import PinnedBaseline, Regression, RegressionReport, Severity, Verdict
from tests.integration.conftest import create_baselines_table
from tests.integration.test_dynamodb_history import REGION, create_runs_table
from tests.unit.runs import cold

NOW = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "dynamodb"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    if request.param == "sqlite":
        yield Stores(
            SqliteHistory.in_state_dir(tmp_path),
            SqliteBaselines.in_state_dir(tmp_path),
            SqliteKnownIssues.in_state_dir(tmp_path),
        )
        return
    moto: MotoServer = request.getfixturevalue("moto_server")
    runs, baselines = f"runs-{uuid.uuid4().hex[:8]}", f"baselines-{uuid.uuid4().hex[:8]}"
    create_runs_table(moto.endpoint, runs)
    create_baselines_table(moto.endpoint, baselines)
    yield Stores(
        DynamoDbHistory(runs, region=REGION, endpoint_url=moto.endpoint),
        DynamoDbBaselines(baselines, region=REGION, endpoint_url=moto.endpoint),
        DynamoDbKnownIssues(baselines, region=REGION, endpoint_url=moto.endpoint),
    )


def pinned(target: str, scenario: str | None, metric: str, samples: list[float]) -> PinnedBaseline:
    return PinnedBaseline(
        key=f"{target}/{scenario or '-'}/{metric}",
        target=target,
        scenario=scenario,
        metric=metric,
        samples=samples,
        run_ids=[f"r{i}" for i in range(len(samples))],
        pinned_at=NOW,
        pinned_from="r9",
    )


def test_pins_are_found_by_series_listed_by_target_and_unpinned(stores: Stores) -> None:
    cold_start = pinned("web", "cold-start", "cold_start_seconds", [1.0, 1.1])
    rate = pinned("web", None, "success_rate", [1.0])
    elsewhere = pinned("other", "cold-start", "cold_start_seconds", [9.0])
    stores.baselines.pin([cold_start, rate, elsewhere])
    assert stores.baselines.pinned([cold_start.key, "web/x/y"]) == {cold_start.key: cold_start}
    assert stores.baselines.list_pinned("web") == sorted([cold_start, rate], key=lambda b: b.key)
    again = cold_start.model_copy(update={"samples": [2.0]})
    stores.baselines.pin([again])  # a new pin replaces the old one of the same series
    assert stores.baselines.pinned([cold_start.key])[cold_start.key].samples == [2.0]
    assert stores.baselines.unpin("web", "cold-start") == 1
    assert stores.baselines.list_pinned("web") == [rate]
    assert stores.baselines.unpin("web") == 1
    assert stores.baselines.list_pinned("other") == [elsewhere]
    assert stores.baselines.pinned([]) == {}


def test_the_ledger_adds_lists_and_removes_entries(stores: Stores) -> None:
    ack = new_entry("ack", "web/cold-start/*", "slow image", "al", "7d", NOW)
    quarantine = new_entry("quarantine", "web/x/*", "flaky", "bo", "1d", NOW + timedelta(hours=1))
    stores.known.add(ack)
    stores.known.add(quarantine)
    assert stores.known.entries() == [ack, quarantine]
    with pytest.raises(HistoryError):
        stores.known.add(ack)  # ids are unique: nothing is silently overwritten
    assert stores.known.remove(ack.id) is True
    assert stores.known.remove(ack.id) is False
    assert stores.known.entries() == [quarantine]


def test_a_judgement_is_saved_with_its_run(stores: Stores) -> None:
    run = cold(1, 1.0)
    stores.history.save_run(run)
    report = RegressionReport(
        run_id=run.run_id,
        regressions=[
            Regression(
                key="web/cold-start/status",
                metric="status",
                current=0,
                baseline=1,
                change_ratio=0,
                severity=Severity.HIGH,
                message="m",
                confirmed=True,
            )
        ],
        verdict=Verdict.FAILED,
        verdict_reason="r",
    )
    assert stores.history.get_regressions(run.run_id) is None
    stores.history.save_regressions(report)
    assert stores.history.get_regressions(run.run_id) == report
    with pytest.raises(RunExistsError):  # a stored run is never replaced
        stores.history.save_run(run)
    assert stores.history.get_regressions(run.run_id) == report
    assert stores.history.get_run(run.run_id) == run
