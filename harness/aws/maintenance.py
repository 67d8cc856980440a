"""The maintenance jobs' AWS environment (the run_maintenance Lambda): suites start on the
deployed state machine (not awaited: a run outlives a Lambda; its verdict lands in history
and alerts), the sweep runs against the configured target, and the harness's own data
expires by DynamoDB TTL and S3 lifecycle, which this job checks are in force."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws import table_keys as keys
from harness.aws.clients import client
from harness.aws.dynamodb_history import DynamoDbHistory
from harness.aws.dynamodb_journal import DynamoDbJournal
from harness.config import HarnessConfig
from harness.maintenance.model import TaskResult, TaskStatus
from harness.maintenance.sweep import Connect, sweep
from harness.maintenance.trends import trend_report

# Prefixes the results bucket must expire (infra/storage.py's lifecycle rules).
EXPIRING_PREFIXES = ("cache/", "reports/", "junit/")


class AwsMaintenance:
    """Implements ``harness.maintenance.Environment`` inside the deployed stack."""

    where = "aws"

    def __init__(self, config: HarnessConfig, state_machine_arn: str, connect: Connect) -> None:
        self.config = config
        self._connect = connect
        self.state_machine_arn = state_machine_arn
        self.history = DynamoDbHistory(
            table_name=config.history.runs_table,
            region=config.history.region,
            retention_days=config.storage.run_history_days,
        )
        self.journal = DynamoDbJournal(self.history)
        self._region = config.history.region

    def run_suite(self, suite: str, run_id: str) -> TaskResult:
        sfn = client("stepfunctions", region=self._region)
        request = {"suite": suite, "runId": run_id, "flags": {"trigger": "schedule"}}
        try:
            arn = sfn.start_execution(
                stateMachineArn=self.state_machine_arn, name=run_id, input=json.dumps(request)
            )["executionArn"]
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return TaskResult(
                    name=suite,
                    status=TaskStatus.SKIPPED,
                    detail=f"already started in this period: {run_id}",
                )
            return TaskResult(name=suite, status=TaskStatus.FAILED, detail=f"not started: {err}")
        return TaskResult(
            name=suite,
            status=TaskStatus.OK,
            detail=f"started {arn} (its verdict is recorded in history and alerted)",
            data={"executionArn": arn},
        )

    def sweep(self, now: datetime) -> TaskResult:
        return sweep(self.config, self.journal, now, self._connect)

    def expire(self, now: datetime) -> TaskResult:
        problems: list[str] = []
        try:
            ttl = client("dynamodb", region=self._region).describe_time_to_live(
                TableName=self.config.history.runs_table
            )["TimeToLiveDescription"]
            if ttl.get("TimeToLiveStatus") != "ENABLED" or ttl.get("AttributeName") != (
                keys.EXPIRES_AT
            ):
                problems.append(f"runs table TTL is {ttl.get('TimeToLiveStatus')}")
            rules = self._lifecycle_rules()
            covered = {
                rule.get("Filter", {}).get("Prefix", rule.get("Prefix", ""))
                for rule in rules
                if rule.get("Status") == "Enabled" and "Expiration" in rule
            }
            missing = [prefix for prefix in EXPIRING_PREFIXES if prefix not in covered]
            problems.extend(f"no lifecycle expiry for {prefix}" for prefix in missing)
        except (ClientError, BotoCoreError) as err:
            return TaskResult(name="expire", status=TaskStatus.FAILED, detail=f"not checked: {err}")
        if problems:
            return TaskResult(name="expire", status=TaskStatus.FAILED, detail="; ".join(problems))
        return TaskResult(
            name="expire",
            status=TaskStatus.OK,
            detail="expiry is in force: runs and journal by DynamoDB TTL "
            f"({self.config.storage.run_history_days} days), {', '.join(EXPIRING_PREFIXES)} by "
            "S3 lifecycle; Lambda and state-machine logs by their retention",
        )

    def _lifecycle_rules(self) -> list[dict[str, Any]]:
        s3 = client("s3", region=self._region)
        try:
            answer = s3.get_bucket_lifecycle_configuration(Bucket=self.config.storage.bucket)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
                return []
            raise
        rules: list[dict[str, Any]] = answer.get("Rules", [])
        return rules

    def trend_report(self, now: datetime) -> TaskResult:
        return trend_report(self.history, self.config, now)

    def security_scan(self) -> TaskResult:
        return TaskResult(
            name="security-scan",
            status=TaskStatus.NOT_CHECKED,
            detail="not checked: pip-audit and cdk-nag are development tools, not part of the "
            "Lambda runtime; run `harness maintenance weekly` where requirements-dev.txt is "
            "installed (CI) for the scan",
        )
