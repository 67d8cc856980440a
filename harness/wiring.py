"""What every Lambda handler shares: config loading, event parsing, adapter wiring.

Handlers stay one call deep: parse the event here, call the core, return ``to_wire()``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities.parser import parse
from pydantic import BaseModel, ValidationError

from harness.config import (
    CONFIG_FILE_ENV,
    CONFIG_JSON_ENV,
    HarnessConfig,
    format_validation_error,
    load_config,
)
from harness.errors import AlertDeliveryError, ConfigError, HarnessError, InvalidEventError
from harness.judge.judgement import Stores
from harness.judge.results import RunResults
from harness.layout import dependency_pins
from harness.maintenance import Environment
from harness.notify.channels import Sender, TopicPublisher, TopicSender
from harness.notify.github import GitHubSender
from harness.notify.metrics import CloudWatchMetric
from harness.planning.cache import CachePlanner, ResultCache, target_version
from harness.ports import (
    AlertStateStore,
    BlobStore,
    HistoryStore,
    Journal,
    LeaseStore,
    ReportStore,
    RunsInFlight,
    TargetApi,
    TargetInfra,
)
from harness.scenarios import ScenarioJob, get_scenario
from harness.target.api import HttpTargetApi
from harness.wire import Channel, ResolvedTarget, ScenarioEvent

M = TypeVar("M", bound=BaseModel)


def settings() -> HarnessConfig:
    """The config, loaded once per Lambda container (from $HARNESS_CONFIG_JSON in AWS).

    Keyed on the config's source so a local engine that changes it is seen at once.
    """
    return _load_config(os.environ.get(CONFIG_JSON_ENV), os.environ.get(CONFIG_FILE_ENV))


@functools.lru_cache(maxsize=4)
def _load_config(config_json: str | None, config_file: str | None) -> HarnessConfig:
    return load_config()


def parse_event(model: type[M], event: Any, error: type[HarnessError] = InvalidEventError) -> M:
    """Powertools' parser, with failures raised as ``error`` naming every bad field."""
    if not isinstance(event, dict):  # e.g. an execution started with [1, 2] or "hello"
        kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
        kind = kinds.get(type(event), "a number")
        raise error(f"invalid {model.__name__} event:\n- (root): must be a JSON object, not {kind}")
    try:
        return parse(event=event, model=model)
    except ValidationError as err:
        raise error(f"invalid {model.__name__} event:\n{format_validation_error(err)}") from err


def publish_metrics(
    suite: str,
    values: Iterable[CloudWatchMetric],
    *,
    dimensions: Mapping[str, str] | None = None,
    metadata: Mapping[str, object] | None = None,
) -> None:
    """Print the metrics as one EMF record now (CloudWatch picks it up from the log).

    Flushed here rather than by ``@metrics.log_metrics``: Powertools never clears its shared
    metric set while ``POWERTOOLS_METRICS_DISABLED`` is on (local runs), so stale values would
    pile up in a long-lived process; here nothing is added at all then.
    """
    if is_metrics_disabled():
        return
    metrics = Metrics()
    metrics.add_dimension(name="Suite", value=suite)
    for name, dimension in (dimensions or {}).items():
        metrics.add_dimension(name=name, value=dimension)
    for key, extra in (metadata or {}).items():
        metrics.add_metadata(key=key, value=extra)
    for value in values:
        metrics.add_metric(name=value.name, unit=MetricUnit[value.unit], value=value.value)
    metrics.flush_metrics(raise_on_empty_metrics=True)


def history_store(config: HarnessConfig) -> HistoryStore:
    if config.history.backend == "sqlite":
        from harness.local.sqlite_history import SqliteHistory  # local runs only

        return SqliteHistory.in_state_dir(Path(config.local.state_dir))
    from harness.aws.dynamodb_history import DynamoDbHistory

    return DynamoDbHistory(
        table_name=config.history.runs_table,
        region=config.history.region,
        retention_days=config.storage.run_history_days,
    )


def report_store(config: HarnessConfig) -> ReportStore:
    """Reports go where history goes: the state folder beside SQLite, the bucket beside DynamoDB
    (``harness.report.location`` names the files)."""
    if config.history.backend == "sqlite":
        from harness.local.report_files import LocalReportFiles  # local runs only

        return LocalReportFiles()
    from harness.aws.report_bucket import S3ReportBucket

    return S3ReportBucket(region=config.history.region)


def judge_stores(config: HarnessConfig) -> Stores:
    """History, pinned baselines and the known-issues ledger, in the history's backend."""
    if config.history.backend == "sqlite":
        from harness.local.sqlite_baselines import SqliteBaselines, SqliteKnownIssues

        state_dir = Path(config.local.state_dir)
        return Stores(
            history_store(config),
            SqliteBaselines.in_state_dir(state_dir),
            SqliteKnownIssues.in_state_dir(state_dir),
        )
    from harness.aws.dynamodb_baselines import DynamoDbBaselines, DynamoDbKnownIssues

    table, region = config.storage.baselines_table, config.history.region
    return Stores(
        history_store(config),
        DynamoDbBaselines(table, region=region),
        DynamoDbKnownIssues(table, region=region),
    )


def journal(config: HarnessConfig) -> Journal:
    """Where cleanups and maintenance jobs are recorded: beside the run history."""
    if config.history.backend == "sqlite":
        from harness.local.sqlite_journal import SqliteJournal  # local runs only

        return SqliteJournal.in_state_dir(Path(config.local.state_dir))
    from harness.aws.dynamodb_history import DynamoDbHistory
    from harness.aws.dynamodb_journal import DynamoDbJournal

    return DynamoDbJournal(
        DynamoDbHistory(
            table_name=config.history.runs_table,
            region=config.history.region,
            retention_days=config.storage.run_history_days,
        )
    )


def runs_in_flight(config: HarnessConfig) -> RunsInFlight:
    """Runs in flight: next to the history (the same SQLite file locally)."""
    if config.history.backend == "sqlite":
        from harness.local.sqlite_runs_in_flight import SqliteRunsInFlight  # local runs only

        return SqliteRunsInFlight.in_state_dir(Path(config.local.state_dir))
    from harness.aws.dynamodb_runs_in_flight import DynamoDbRunsInFlight

    return DynamoDbRunsInFlight(config.storage.run_state_table, region=config.history.region)


def execution_history(execution_arn: str) -> list[dict[str, Any]]:
    """Every history event of a Step Functions execution (in the execution's region)."""
    from harness.aws.clients import client
    from harness.execution.follow import HistoryReader

    region = execution_arn.split(":")[3]
    return HistoryReader(client("stepfunctions", region=region), execution_arn).new_events()


def lease_store(config: HarnessConfig) -> LeaseStore:
    if config.leases.backend == "sqlite":
        from harness.local.sqlite_leases import SqliteLeases  # local runs only

        return SqliteLeases.in_state_dir(Path(config.local.state_dir))
    from harness.aws.dynamodb_leases import DynamoDbLeases

    return DynamoDbLeases(config.leases.table, region=config.leases.region)


def scenario_job(event: ScenarioEvent) -> ScenarioJob:
    """What running (a batch of) the event's scenario needs: its definition, the plan's
    spec, the run, the SLA, and the pool member it runs on."""
    target = event.member
    return ScenarioJob(
        definition=get_scenario(event.scenario.name),
        spec=event.scenario,
        run=event.run,
        sla=settings().sla,
        api=target_api(target),
        infra=target_infra(target),
    )


def target_api(target: ResolvedTarget) -> TargetApi:
    from harness.target.http import HttpClient

    return HttpTargetApi(HttpClient(target.endpoint, target.request_timeout_seconds))


def target_infra(target: ResolvedTarget) -> TargetInfra:
    from harness.aws.target_infra import Boto3TargetInfra

    return Boto3TargetInfra(target)


# Local runs read the GitHub token from here; in AWS it comes from Secrets Manager.
GITHUB_TOKEN_ENV = "HARNESS_GITHUB_TOKEN"


def connect(target: ResolvedTarget) -> tuple[TargetApi, TargetInfra]:
    """Both sides of a target: its HTTP API and its AWS resources."""
    return target_api(target), target_infra(target)


def maintenance_environment(config: HarnessConfig, state_machine_arn: str) -> Environment:
    """Where the deployed maintenance jobs run: the stack's tables, bucket and suite."""
    from harness.aws.maintenance import AwsMaintenance

    return AwsMaintenance(config, state_machine_arn, connect)


def alert_store(config: HarnessConfig) -> AlertStateStore:
    if config.history.backend == "sqlite":
        from harness.local.sqlite_alert_state import SqliteAlertState  # local runs only

        return SqliteAlertState.in_state_dir(Path(config.local.state_dir))
    from harness.aws.dynamodb_alert_state import DynamoDbAlertState

    return DynamoDbAlertState(
        config.storage.alert_state_table,
        region=config.history.region,
        retention_days=config.storage.alert_state_days,
    )


def alert_senders(config: HarnessConfig) -> dict[Channel, Sender]:
    """One sender per channel. Secrets are read only for channels some route uses, and only
    when this is called (the dispatcher calls it once a run has something to send)."""
    from harness.notify.slack import SlackSender  # slack-sdk: bundled into send_alerts only

    alerts, used = config.alerts, config.alerts.routes.used()
    slack_url, slack_problem = alerts.slack_webhook_url, None
    token, github_problem = os.environ.get(GITHUB_TOKEN_ENV, ""), None
    if alerts.secrets == "secretsmanager":
        if Channel.SLACK in used:
            slack_url, slack_problem = _secret(alerts.slack_webhook_secret_name, config)
        if Channel.GITHUB in used and alerts.github_repo:
            token, github_problem = _secret(alerts.github_token_secret_name, config)
    return {
        Channel.CRITICAL_TOPIC: TopicSender(
            Channel.CRITICAL_TOPIC, _topic(alerts.critical_topic_arn)
        ),
        Channel.STANDARD_TOPIC: TopicSender(
            Channel.STANDARD_TOPIC, _topic(alerts.standard_topic_arn)
        ),
        Channel.SLACK: SlackSender(slack_url, unavailable=slack_problem),
        Channel.GITHUB: GitHubSender(
            alerts.github_api_url,
            alerts.github_repo,
            token,
            alerts.github_labels,
            unavailable=github_problem,
        ),
    }


def _secret(name: str, config: HarnessConfig) -> tuple[str, str | None]:
    from harness.aws.secrets import read_secret

    try:
        return read_secret(name, region=config.history.region), None
    except AlertDeliveryError as err:
        return "", str(err)


def _topic(arn: str) -> TopicPublisher | None:
    if not arn:
        return None
    from harness.aws.sns_topic import SnsTopic

    return SnsTopic(arn)


def blob_store(config: HarnessConfig) -> BlobStore:
    """Where stored results and cached passes live: the state folder locally (with the
    SQLite history), the results bucket in AWS (with the DynamoDB history)."""
    if config.history.backend == "sqlite":
        from harness.local.folder_store import FolderStore  # local runs only

        return FolderStore(Path(config.local.state_dir))
    if not config.storage.bucket:
        raise ConfigError("storage.bucket is empty: the CDK app sets it to the results bucket")
    from harness.aws.s3_store import S3Store

    return S3Store(config.storage.bucket, region=config.history.region)


def run_results(config: HarnessConfig) -> RunResults:
    return RunResults(blob_store(config))


def result_cache(config: HarnessConfig) -> ResultCache:
    return ResultCache(blob_store(config), timedelta(hours=config.cache.ttl_hours))


def cache_planner(config: HarnessConfig) -> CachePlanner:
    return CachePlanner(
        cache=result_cache(config),
        results=run_results(config),
        settings=config.cache,
        sla=config.sla,
        version_of=lambda target: target_version(target, target_api(target)),
        pins=dependency_pins(),
    )
