"""The report in AWS terms, against a moto server standing in for AWS: the PublishReport
handler reads trends from the DynamoDB history and writes to the results bucket, and
``harness history|report|trends --aws`` read the deployed history."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.aws.clients import client
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.cli import main
from harness.config import HarnessConfig, TargetConfig
from harness.local.moto_server import MotoServer
from harness.planning.plan import resolve_target
from harness.wire import RunContext, RunFlags, Trigger
from tests.integration.conftest import create_alert_state_table, create_baselines_table
from tests.integration.test_dynamodb_history import create_runs_table
from tests.integration.test_handlers import Context, handler, use_config
from tests.report_history import TARGET, history

REGION = "us-east-1"
# Recent enough for `harness trends --days 90` on any day the tests run.
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)


@pytest.fixture
def deployed(aws: MotoServer, tmp_path: Path) -> HarnessConfig:
    """A runs table holding 30 runs against one target, an alert-state table, and a results
    bucket."""
    table, bucket = f"runs-{uuid.uuid4().hex[:8]}", f"results-{uuid.uuid4().hex[:8]}"
    alert_table = f"alerts-{uuid.uuid4().hex[:8]}"
    baselines = f"baselines-{uuid.uuid4().hex[:8]}"
    create_runs_table(aws.endpoint, table)
    create_alert_state_table(aws.endpoint, alert_table)
    create_baselines_table(aws.endpoint, baselines)
    client("s3", region=REGION, endpoint_url=aws.endpoint).create_bucket(Bucket=bucket)
    store = DynamoDbHistory(table, region=REGION, endpoint_url=aws.endpoint)
    for run in history(runs=30, step_at=22, start=START):
        store.save_run(run)
    return HarnessConfig.model_validate(
        {
            "target": {"name": TARGET, "endpoint": "https://edit.example.com"},
            "history": {"backend": "dynamodb", "runs_table": table, "region": REGION},
            "storage": {
                "bucket": bucket,
                "alert_state_table": alert_table,
                "baselines_table": baselines,
            },
            "local": {"state_dir": str(tmp_path / "state")},
        }
    )


def test_publish_report_writes_the_bucket_with_trends_from_dynamodb(
    deployed: HarnessConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_config(monkeypatch, deployed)
    current = history(runs=30, step_at=22, start=START)[-1]
    target = resolve_target(TargetConfig(name=TARGET, endpoint="https://edit.example.com"), None)
    run = RunContext(
        run_id=current.run_id,
        suite=current.suite,
        started_at=current.started_at,
        target=target,
        flags=RunFlags(trigger=Trigger.SCHEDULE),
    )
    event = {
        "run": run.to_wire(),
        "summary": current.to_wire(),
        "verdict": "passed",
        "verdictReason": "all 2 scenario(s) passed",
        "regressions": {"runId": current.run_id, "regressions": []},
        "alerts": {
            "runId": current.run_id,
            "deliveries": [
                {
                    "key": f"{TARGET}/cold-start/cold_start_seconds",
                    "channel": "slack",
                    "kind": "open",
                    "severity": "medium",
                    "recipient": "hooks.slack.com",
                    "text": "[MEDIUM] cold-start / cold_start_seconds",
                    "status": "undelivered",
                    "attempts": 4,
                    "detail": "HTTP 500",
                }
            ],
        },
        "cleanup": {"ignored": True},
    }

    output = handler("publish_report").lambda_handler(event, Context())

    bucket = deployed.storage.bucket
    assert output["html"] == f"s3://{bucket}/reports/run-029/report.html"
    assert output["junit"] == f"s3://{bucket}/junit/run-029.xml"
    assert output["link"].startswith(f"https://{REGION}.console.aws.amazon.com/s3/object/{bucket}")
    s3 = client("s3", region=REGION)
    page = s3.get_object(Bucket=bucket, Key="reports/run-029/report.html")["Body"].read().decode()
    data = re.search(r'id="trend-data">(.*?)</script>', page, re.S)
    assert data is not None
    cold = next(c for c in json.loads(data.group(1)) if c["id"] == "chart-3")
    assert len(cold["runIds"]) == 30  # 29 runs read back from DynamoDB, and this one
    assert [c["index"] for c in cold["changes"]] == [22]
    assert 'href="../../junit/run-029.xml"' in page
    assert "after 4 attempt(s): HTTP 500" in page
    junit = s3.get_object(Bucket=bucket, Key="junit/run-029.xml")["Body"].read()
    assert b'tests="2"' in junit


def cli(config: HarnessConfig, tmp_path: Path, *args: str) -> tuple[int, str]:
    config_file = tmp_path / "harness.toml"
    history_section = config.history
    config_file.write_text(
        f'[target]\nname = "{TARGET}"\n'
        f'[history]\nruns_table = "{history_section.runs_table}"\nregion = "{REGION}"\n'
        f'[storage]\nalert_state_table = "{config.storage.alert_state_table}"\n'
        f'baselines_table = "{config.storage.baselines_table}"\n'
        f'[local]\nstate_dir = "{config.local.state_dir}"\n'
    )
    out = io.StringIO()
    code = main([*args, "--config", str(config_file)], out=out)
    return code, out.getvalue()


def test_history_report_and_trends_read_the_deployed_history(
    deployed: HarnessConfig, tmp_path: Path
) -> None:
    code, listing = cli(deployed, tmp_path, "history", "--aws", "--limit", "3")
    assert code == 0
    assert [line.split()[0] for line in listing.splitlines()[1:]] == [
        "run-029",
        "run-028",
        "run-027",
    ]

    code, written = cli(deployed, tmp_path, "report", "run-025", "--aws")
    assert code == 0, written
    page = Path(deployed.local.state_dir) / "reports" / "run-025" / "report.html"
    assert f"Report: {page}" in written
    html = page.read_text()
    assert "it was never judged, so its regressions are judged now" in html
    assert "Not recorded" in html  # no Alert step ran for these made-up runs

    code, summary = cli(deployed, tmp_path, "trends", "--aws", "--days", "90")
    assert code == 0
    assert f"Trends for {TARGET}" in summary and "30 run(s)" in summary
