"""Disaster recovery: export -> wipe -> import gives back identical history, journal and
verdicts, locally (SQLite) and in AWS (DynamoDB on a moto server); a bad archive writes
nothing."""

from __future__ import annotations

import io
import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_alert_state import DynamoDbAlertState
from harness.aws.dynamodb_baselines import DynamoDbBaselines, DynamoDbKnownIssues
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.aws.dynamodb_journal import DynamoDbJournal
from harness.cli import main
from harness.config import RegressionConfig
from harness.judge.judgement import Stores, judgement_of
from harness.local.moto_server import MotoServer
from harness.local.sqlite_alert_state import SqliteAlertState
from harness.local.sqlite_baselines import SqliteBaselines, SqliteKnownIssues
from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_journal import SqliteJournal
from harness.notify.lifecycle import AlertState
from harness.ports import AlertStateStore, HistoryStore, Journal
from harness.target.cleanup import cleanup_entry
from harness.wire import (
    AlertReport,
    CleanupReport,
    EntryKind,
    KnownIssue,
    PinnedBaseline,
    RegressionReport,
    RunSummary,
    Severity,
)
from tests.integration.conftest import create_alert_state_table, create_baselines_table
from tests.integration.test_dynamodb_history import REGION, create_runs_table
from tests.unit.test_sla import result, run

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def history_of_three() -> list[RunSummary]:
    slow = {"cold_start_seconds": 9.0}
    return [
        run(1, [result("cold-start", metrics={"cold_start_seconds": 1.0}), result("alb")]),
        run(2, [result("cold-start", metrics={"cold_start_seconds": 1.1}), result("alb")]),
        run(3, [result("cold-start", metrics=slow), result("alb", "fail")], commit="c3"),
    ]


ALERT = AlertState(
    key="t/cold-start/cold_start_seconds", target="t", scenario="cold-start",
    metric="cold_start_seconds", severity=Severity.HIGH, message="cold start 9s, was 1s",
    current=9.0, baseline=1.05, change_ratio=8.6, opened_run="r3", last_run="r3",
    updated_at=datetime(2026, 11, 1, 9, tzinfo=UTC),
)  # fmt: skip


PIN = PinnedBaseline(
    key="t/cold-start/cold_start_seconds", target="t", scenario="cold-start",
    metric="cold_start_seconds", samples=[1.0, 1.1], run_ids=["r1", "r2"],
    pinned_at=datetime(2026, 11, 1, 8, tzinfo=UTC), pinned_from="r2",
)  # fmt: skip
ACK = KnownIssue(
    id="ack-0a1b2c", kind="ack", pattern="t/alb/*", reason="known flaky routing",
    owner="ops", created_at=datetime(2026, 11, 1, 8, tzinfo=UTC),
    expires_at=datetime(2099, 1, 1, tzinfo=UTC),
)  # fmt: skip
NOW = datetime(2026, 11, 2, tzinfo=UTC)
ALL = "1 alert_report, 1 alert_state, 1 journal, 1 judgement, 1 known_issue, 1 pinned_baseline"
ALL += ", 3 run"


def fill(history: HistoryStore, journal: Journal, alerts: AlertStateStore, judge: Stores) -> None:
    for summary in history_of_three():
        history.save_run(summary)
    judge.baselines.pin([PIN])
    judge.known.add(ACK)
    latest = history_of_three()[-1]
    history.save_regressions(judgement_of(latest, judge, RegressionConfig(), NOW))
    report = CleanupReport(
        prefix="TEST_r3_", sessions_found=2, deleted_via_api=2, deleted_directly=0, seconds=0.4
    )
    journal.record(cleanup_entry("r3", "t", report, datetime(2026, 11, 1, 9, tzinfo=UTC)))
    alerts.record(AlertReport(run_id="r3", ongoing=[ALERT.key]), [ALERT], [])


def snapshot(
    history: HistoryStore, journal: Journal, alerts: AlertStateStore, judge: Stores
) -> tuple[Any, ...]:
    """What recovery must give back: runs, journal, alert state, the stored judgement, pins,
    ledger, and the verdict the history yields when judged again."""
    runs = history.runs_since(EPOCH)
    latest = runs[-1]
    verdict: RegressionReport = judgement_of(latest, judge, RegressionConfig(), NOW)
    return (
        history.get_regressions(latest.run_id),
        judge.baselines.list_pinned("t"),
        judge.known.entries(),
        [r.model_dump() for r in runs],
        [e.model_dump() for e in journal.entries(EntryKind.CLEANUP, EPOCH)],
        verdict.model_dump(),
        ([a.model_dump() for a in alerts.open_alerts("t")], alerts.alert_report("r3")),
    )


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def local(state: Path) -> tuple[SqliteHistory, SqliteJournal, SqliteAlertState, Stores]:
    history = SqliteHistory.in_state_dir(state)
    return (
        history,
        SqliteJournal.in_state_dir(state),
        SqliteAlertState.in_state_dir(state),
        Stores(history, SqliteBaselines.in_state_dir(state), SqliteKnownIssues.in_state_dir(state)),
    )


def test_local_export_wipe_import_gives_identical_history_and_verdicts(tmp_path: Path) -> None:
    state, archive = tmp_path / "state", tmp_path / "history.jsonl"
    fill(*local(state))
    before = snapshot(*local(state))
    assert before[5]["regressions"], "the literal history must yield a verdict to compare"
    code, out = cli("history", "export", str(archive), "--state-dir", str(state))
    assert code == 0 and f"exported {ALL}" in out
    shutil.rmtree(state)  # the disaster
    code, out = cli("history", "import", str(archive), "--state-dir", str(state))
    assert code == 0 and f"imported {ALL}" in out
    assert snapshot(*local(state)) == before
    code, _ = cli("history", "import", str(archive), "--state-dir", str(state))  # again
    assert code == 0 and snapshot(*local(state)) == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines[:-1], "incomplete"),
        (lambda lines: [lines[0].replace('"version": 1', '"version": 9'), *lines[1:]], "version 9"),
        (lambda lines: [*lines, json.dumps({"kind": "ledger", "data": {}})], "'ledger'"),
        (lambda lines: [*lines[:-1], '{"kind": "run", "data": {"runId": 1}}'], "invalid run"),
        (lambda lines: lines[1:], "not a harness-history archive"),
    ],
)
def test_a_bad_archive_is_refused_and_writes_nothing(
    tmp_path: Path, damage: object, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    state, archive = tmp_path / "state", tmp_path / "history.jsonl"
    fill(*local(state))
    assert cli("history", "export", str(archive), "--state-dir", str(state))[0] == 0
    lines = archive.read_text().splitlines()
    archive.write_text("\n".join(damage(lines)) + "\n")  # type: ignore[operator]
    fresh = tmp_path / "fresh"
    code, _ = cli("history", "import", str(archive), "--state-dir", str(fresh))
    assert code == 2
    assert message in capsys.readouterr().err
    history, journal, alerts, _ = local(fresh)
    assert history.runs_since(EPOCH) == [] and journal.entries(EntryKind.CLEANUP, EPOCH) == []
    assert alerts.open_alerts("t") == []


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    suffix = uuid.uuid4().hex[:8]
    table, alert_table, baselines = f"runs-{suffix}", f"alerts-{suffix}", f"baselines-{suffix}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "user-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    monkeypatch.setenv("HARNESS__HISTORY__RUNS_TABLE", table)
    monkeypatch.setenv("HARNESS__HISTORY__REGION", REGION)
    monkeypatch.setenv("HARNESS__STORAGE__ALERT_STATE_TABLE", alert_table)
    monkeypatch.setenv("HARNESS__STORAGE__BASELINES_TABLE", baselines)
    client.cache_clear()
    create_runs_table(moto_server.endpoint, table)
    create_alert_state_table(moto_server.endpoint, alert_table)
    create_baselines_table(moto_server.endpoint, baselines)
    yield table
    client.cache_clear()


def test_aws_export_wipe_import_gives_identical_history(
    aws: str, moto_server: MotoServer, tmp_path: Path
) -> None:
    history = DynamoDbHistory(aws, region=REGION)
    journal = DynamoDbJournal(history)
    alerts = DynamoDbAlertState(aws.replace("runs-", "alerts-"), region=REGION)
    table = aws.replace("runs-", "baselines-")
    judge = Stores(
        history, DynamoDbBaselines(table, region=REGION), DynamoDbKnownIssues(table, region=REGION)
    )
    fill(history, journal, alerts, judge)
    assert history.list_runs(10)[0].run_id == "r3"  # journal items stay out of run listings
    before = snapshot(history, journal, alerts, judge)
    archive = tmp_path / "aws.jsonl"
    code, out = cli("history", "export", str(archive), "--aws")
    assert code == 0 and f"dynamodb:{aws}" in out
    dynamodb = client("dynamodb", region=REGION)
    dynamodb.delete_table(TableName=aws)  # the disaster
    dynamodb.delete_table(TableName=aws.replace("runs-", "alerts-"))
    dynamodb.delete_table(TableName=table)
    create_runs_table(moto_server.endpoint, aws)  # `cdk deploy` recreates them empty
    create_alert_state_table(moto_server.endpoint, aws.replace("runs-", "alerts-"))
    create_baselines_table(moto_server.endpoint, table)
    assert history.runs_since(EPOCH) == []
    code, out = cli("history", "import", str(archive), "--aws")
    assert code == 0 and f"imported {ALL}" in out
    assert snapshot(history, journal, alerts, judge) == before
    item = dynamodb.get_item(TableName=aws, Key={keys.RUN_ID: {"S": "cleanup#r3"}})["Item"]
    assert item[keys.KIND]["S"] == "JOURNAL#cleanup"
    assert int(item[keys.EXPIRES_AT]["N"]) > int(
        (datetime.now(UTC) - timedelta(days=1)).timestamp()
    )
