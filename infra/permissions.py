"""Least-privilege IAM of each suite function, one function per handler.

Every statement names exact resources; the few wildcards are those the APIs require (ECS task
ids, S3 object keys under a prefix, the random suffix of a secret ARN) and are acknowledged
for cdk-nag right where they are granted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from harness.aws import table_keys as keys
from harness.config import HarnessConfig, TargetConfig
from harness.planning.pool import pool_members
from harness.report.location import JUNIT_PREFIX, REPORTS_PREFIX
from harness.wire import Channel
from infra.alerts import Alerts
from infra.functions import SuiteFunction
from infra.nag import acknowledge, ref
from infra.storage import CACHE_PREFIX, RESULTS_PREFIX, Storage

ECS_SERVICE_ACTIONS = ["ecs:DescribeServices", "ecs:UpdateService"]
ECS_TASK_ACTIONS = ["ecs:DescribeTasks", "ecs:StopTask"]


@dataclass(frozen=True)
class Resources:
    """What the functions may touch: our storage and alerts, and each pool member's ECS
    service and sessions table (``[target]``, or every ``[[targets]]`` entry)."""

    scope: Construct
    config: HarnessConfig
    storage: Storage
    alerts: Alerts

    def _arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        region = region or cdk.Aws.REGION
        return f"arn:{cdk.Aws.PARTITION}:{service}:{region}:{cdk.Aws.ACCOUNT_ID}:{resource}"

    @property
    def members(self) -> list[TargetConfig]:
        return pool_members(self.config)

    def _each(self, service: str, resource: str) -> list[str]:
        """One ARN per pool member (``resource`` formatted with the member), no repeats."""
        arns = [
            self._arn(service, resource.format(t=member), region=member.region)
            for member in self.members
        ]
        return list(dict.fromkeys(arns))

    @property
    def target_cluster_arns(self) -> list[str]:
        return self._each("ecs", "cluster/{t.ecs_cluster}")

    @property
    def target_service_arns(self) -> list[str]:
        return self._each("ecs", "service/{t.ecs_cluster}/{t.ecs_service}")

    @property
    def target_tasks_arns(self) -> list[str]:
        return self._each("ecs", "task/{t.ecs_cluster}/*")

    @property
    def sessions_table_arns(self) -> list[str]:
        return self._each("dynamodb", "table/{t.sessions_table}")

    @property
    def session_log_group_arns(self) -> list[str]:
        """Each pool member's session log group and its streams (``log-group:NAME:*``)."""
        arns = [
            self._arn("logs", f"log-group:{member.session_log_group}:*", region=member.region)
            for member in self.members
            if member.session_log_group
        ]
        return list(dict.fromkeys(arns))

    def secret_arn(self, name: str) -> str:
        return self._arn("secretsmanager", f"secret:{name}-??????")

    def object_arn(self, prefix: str) -> str:
        return f"{self.storage.bucket.bucket_arn}/{prefix}*"


def _index_arns(table: dynamodb.Table, *indexes: str) -> list[str]:
    return [f"{table.table_arn}/index/{index}" for index in indexes]


def _ecs_service(fn: SuiteFunction, res: Resources, *, update: bool = True) -> None:
    actions = ECS_SERVICE_ACTIONS if update else ["ecs:DescribeServices"]
    fn.allow(actions, res.target_service_arns)


def _ecs_tasks(fn: SuiteFunction, res: Resources, *, stop: bool) -> None:
    clusters = res.target_cluster_arns
    fn.allow(
        ["ecs:ListTasks"],
        ["*"],
        conditions={"ArnEquals": {"ecs:cluster": clusters[0] if len(clusters) == 1 else clusters}},
    )
    fn.allow(ECS_TASK_ACTIONS if stop else ["ecs:DescribeTasks"], res.target_tasks_arns)
    acknowledge(
        fn,
        "AwsSolutions-IAM5[Resource::*]",
        "ecs:ListTasks has no resource-level permission; it is limited by the ecs:cluster "
        "condition to the target clusters (X-Ray also needs Resource *).",
    )
    for tasks in res.target_tasks_arns:
        acknowledge(
            fn,
            f"AwsSolutions-IAM5[Resource::{_nag_text(tasks)}]",
            "Task ids of the target's service are only known at run time; scoped to its cluster.",
        )


def _leases(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        [res.storage.leases_table.table_arn],
    )


def _objects(fn: SuiteFunction, res: Resources, actions: list[str], *prefixes: str) -> None:
    fn.allow(actions, [res.object_arn(prefix) for prefix in prefixes])
    bucket = ref(fn, res.storage.bucket, "Arn")
    for prefix in prefixes:
        acknowledge(
            fn,
            f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]",
            f"Object keys under {prefix} are made per run; access is limited to that prefix.",
        )


def _nag_text(arn: str) -> str:
    """An ARN with CDK's pseudo-parameter tokens as cdk-nag prints them."""
    return (
        arn.replace(cdk.Aws.PARTITION, "<AWS::Partition>")
        .replace(cdk.Aws.REGION, "<AWS::Region>")
        .replace(cdk.Aws.ACCOUNT_ID, "<AWS::AccountId>")
    )


def plan_run(fn: SuiteFunction, res: Resources) -> None:
    runs = res.storage.runs_table
    # bySeries: durations of earlier runs; byTime: the month's runs for the budget gate;
    # byTarget: the target's recent runs, for the plan's duration estimates.
    fn.allow(
        ["dynamodb:Query"],
        _index_arns(runs, keys.SERIES_INDEX, keys.TIME_INDEX, keys.TARGET_INDEX),
    )
    _objects(fn, res, ["s3:GetObject"], CACHE_PREFIX)
    # Cached passes are copied into the run's results, with the selection reasons.
    _objects(fn, res, ["s3:PutObject"], RESULTS_PREFIX)


def setup_group(fn: SuiteFunction, res: Resources) -> None:
    _ecs_service(fn, res)
    _ecs_tasks(fn, res, stop=False)


def run_scenario(fn: SuiteFunction, res: Resources) -> None:
    _ecs_service(fn, res)
    _ecs_tasks(fn, res, stop=True)
    fn.allow(["dynamodb:GetItem", "dynamodb:Scan"], res.sessions_table_arns)
    _objects(fn, res, ["s3:PutObject"], RESULTS_PREFIX)


def acquire_leases(fn: SuiteFunction, res: Resources) -> None:
    _leases(fn, res)
    _ecs_service(fn, res, update=False)  # remembers the desiredCount it will restore


def release_leases(fn: SuiteFunction, res: Resources) -> None:
    _leases(fn, res)
    _ecs_service(fn, res)  # puts the desiredCount back


def run_user_batch(fn: SuiteFunction, res: Resources) -> None:
    """A batch of load users talks HTTP to the target only: no AWS permissions at all."""


def judge_load(fn: SuiteFunction, res: Resources) -> None:
    """Arithmetic on the batches' reports; the scenario's whole result is stored by reference,
    like RunScenario's."""
    _objects(fn, res, ["s3:PutObject"], RESULTS_PREFIX)


def aggregate_run(fn: SuiteFunction, res: Resources) -> None:
    runs = res.storage.runs_table
    fn.allow(["dynamodb:PutItem", "dynamodb:GetItem"], [runs.table_arn])
    fn.allow(["dynamodb:Query"], _index_arns(runs, keys.SERIES_INDEX, keys.TIME_INDEX))
    _objects(fn, res, ["s3:PutObject"], CACHE_PREFIX)
    _stored_results(fn, res)


def _stored_results(fn: SuiteFunction, res: Resources) -> None:
    """Read a run's stored results, then delete them once the run is in history (ListBucket
    is a bucket action: limited to the prefix by condition)."""
    _objects(fn, res, ["s3:GetObject", "s3:DeleteObject"], RESULTS_PREFIX)
    fn.allow(
        ["s3:ListBucket"],
        [res.storage.bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": [f"{RESULTS_PREFIX}*"]}},
    )


def _whole_run(fn: SuiteFunction, res: Resources) -> None:
    """A large run's state carries its summary abridged: the whole run is one GetItem away."""
    fn.allow(["dynamodb:GetItem"], [res.storage.runs_table.table_arn])


def detect_regressions(fn: SuiteFunction, res: Resources) -> None:
    """Recent runs of the target (byTarget), pinned baselines (BatchGetItem) and the ledger
    (Query), then the judgement stored as an item of the runs table (PutItem)."""
    runs, baselines = res.storage.runs_table, res.storage.baselines_table
    fn.allow(["dynamodb:Query"], _index_arns(runs, keys.TARGET_INDEX))
    fn.allow(["dynamodb:PutItem"], [runs.table_arn])
    fn.allow(["dynamodb:BatchGetItem", "dynamodb:Query"], [baselines.table_arn])
    _whole_run(fn, res)


def plan_confirmation(fn: SuiteFunction, res: Resources) -> None:
    """Pure planning from the config and the catalogue: no AWS access at all."""


def judge_confirmation(fn: SuiteFunction, res: Resources) -> None:
    """What DetectRegressions reads and writes; its PutItem also stores the confirm pass,
    whose results it reads back from where RunScenario stored them."""
    detect_regressions(fn, res)
    _stored_results(fn, res)


def send_alerts(fn: SuiteFunction, res: Resources) -> None:
    """Exactly what the Alert step calls: the open alerts of a target (a GSI query), one
    TransactWriteItems of Puts and Deletes per run, SNS on the topics its routes use (the
    critical one always: escalation), and the secrets of the channels it routes to."""
    alerts, state = res.config.alerts, res.storage.alert_state_table
    used = alerts.routes.used()
    fn.allow(["dynamodb:Query"], _index_arns(state, keys.ALERT_OPEN_INDEX))
    fn.allow(["dynamodb:PutItem", "dynamodb:DeleteItem"], [state.table_arn])
    topics = [res.alerts.critical_topic.topic_arn]
    if Channel.STANDARD_TOPIC in used:
        topics.append(res.alerts.standard_topic.topic_arn)
    fn.allow(["sns:Publish"], topics)
    fn.allow(["kms:GenerateDataKey", "kms:Decrypt"], [res.alerts.key.key_arn])
    names = []
    if Channel.SLACK in used:
        names.append(alerts.slack_webhook_secret_name)
    if Channel.GITHUB in used and alerts.github_repo:
        names.append(alerts.github_token_secret_name)
    if not names:
        return
    fn.allow(["secretsmanager:GetSecretValue"], [res.secret_arn(name) for name in names])
    for name in names:
        acknowledge(
            fn,
            f"AwsSolutions-IAM5[Resource::{_nag_text(res.secret_arn(name))}]",
            "Secrets Manager appends 6 random characters to a secret's ARN; '-??????' matches "
            "exactly that suffix of this one named secret.",
        )


def target_cleanup(fn: SuiteFunction, res: Resources) -> None:
    """Deleting the harness's own test data on every pool member (after a run, and the
    sweep): find its sessions (Scan) and delete what the API could not, each delete
    conditional on the test marker (BatchWriteItem takes no condition); and its session log
    streams, where the stack has them."""
    fn.allow(["dynamodb:Scan", "dynamodb:DeleteItem"], res.sessions_table_arns)
    groups = res.session_log_group_arns
    if groups:
        fn.allow(["logs:DescribeLogStreams", "logs:DeleteLogStream"], groups)
    for arn in groups:
        acknowledge(
            fn,
            f"AwsSolutions-IAM5[Resource::{_nag_text(arn)}]",
            "Stream names are made per session at run time; limited to the target's session "
            "log group (cleanup deletes only streams named with the harness's prefix).",
        )


def cleanup_run(fn: SuiteFunction, res: Resources) -> None:
    target_cleanup(fn, res)
    # Records each cleanup in the journal (an item of the runs table).
    fn.allow(["dynamodb:PutItem"], [res.storage.runs_table.table_arn])


def publish_report(fn: SuiteFunction, res: Resources) -> None:
    """Reads the runs against the target before this one (trends); writes the report files."""
    fn.allow(["dynamodb:Query"], _index_arns(res.storage.runs_table, keys.TARGET_INDEX))
    _objects(fn, res, ["s3:PutObject"], REPORTS_PREFIX, JUNIT_PREFIX)
    _whole_run(fn, res)


GRANTS: dict[str, Callable[[SuiteFunction, Resources], None]] = {
    "plan_run": plan_run,
    "setup_group": setup_group,
    "run_scenario": run_scenario,
    "aggregate_run": aggregate_run,
    "detect_regressions": detect_regressions,
    "send_alerts": send_alerts,
    "cleanup_run": cleanup_run,
    "publish_report": publish_report,
    "plan_confirmation": plan_confirmation,
    "judge_confirmation": judge_confirmation,
    "acquire_leases": acquire_leases,
    "release_leases": release_leases,
    "run_user_batch": run_user_batch,
    "judge_load": judge_load,
}
