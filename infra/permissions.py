"""Least-privilege IAM of each function, one grant function per handler: exactly the calls
that handler makes today (``tests/infra/test_suite.py`` asserts each role's action list).
A grant for a feature that does not exist yet is added by the change that builds it.

Every statement names exact resources; the few wildcards are those the APIs require (ECS
task ids, execution names) and are acknowledged for cdk-nag on the policy statement they
cover (``SuiteFunction.allow``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from harness.aws import table_keys as keys
from harness.config import HarnessConfig
from harness.report.location import JUNIT_PREFIX, REPORTS_PREFIX
from harness.wire import Channel
from infra.alerts import Alerts
from infra.functions import SuiteFunction
from infra.nag import ref
from infra.storage import Storage

# The tag ECS puts on a service's tasks when the service has ECS managed tags on
# (enableECSManagedTags: the target contract asks for it), naming the service.
SERVICE_TAG = "aws:ResourceTag/aws:ecs:serviceName"


@dataclass(frozen=True)
class Resources:
    """What the functions may touch: our storage and alerts, and the target's ECS service and
    table."""

    scope: Construct
    config: HarnessConfig
    storage: Storage
    alerts: Alerts
    state_machine_name: str

    def _arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        region = region or cdk.Aws.REGION
        return f"arn:{cdk.Aws.PARTITION}:{service}:{region}:{cdk.Aws.ACCOUNT_ID}:{resource}"

    @property
    def target_cluster_arn(self) -> str:
        target = self.config.target
        return self._arn("ecs", f"cluster/{target.ecs_cluster}", region=target.region)

    @property
    def target_service_arn(self) -> str:
        target = self.config.target
        return self._arn(
            "ecs", f"service/{target.ecs_cluster}/{target.ecs_service}", region=target.region
        )

    @property
    def target_tasks_arn(self) -> str:
        target = self.config.target
        return self._arn("ecs", f"task/{target.ecs_cluster}/*", region=target.region)

    @property
    def sessions_table_arn(self) -> str:
        target = self.config.target
        return self._arn("dynamodb", f"table/{target.sessions_table}", region=target.region)

    @property
    def executions_arn(self) -> str:
        return self._arn("states", f"execution:{self.state_machine_name}:*")

    def secret_arn(self, name: str) -> str:
        return self._arn("secretsmanager", f"secret:{name}-??????")

    def object_arn(self, prefix: str) -> str:
        return f"{self.storage.bucket.bucket_arn}/{prefix}*"


def _index_arns(table: dynamodb.Table, *indexes: str) -> list[str]:
    return [f"{table.table_arn}/index/{index}" for index in indexes]


def plan_run(fn: SuiteFunction, res: Resources) -> None:
    """The budget gate: the target's recent runs (byTarget: expected durations) and the
    month's runs (byTime)."""
    runs = res.storage.runs_table
    fn.allow(["dynamodb:Query"], _index_arns(runs, keys.TARGET_INDEX, keys.TIME_INDEX))


def setup_group(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(["ecs:DescribeServices"], [res.target_service_arn])
    fn.allow(["dynamodb:UpdateItem"], [res.storage.run_state_table.table_arn])


def run_scenario(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(["ecs:DescribeServices", "ecs:UpdateService"], [res.target_service_arn])
    fn.allow(
        ["ecs:ListTasks"],
        ["*"],
        conditions={"ArnEquals": {"ecs:cluster": res.target_cluster_arn}},
        why="ecs:ListTasks has no resource-level permission; the ecs:cluster condition limits "
        "it to the target cluster.",
    )
    fn.allow(
        ["ecs:DescribeTasks"],
        [res.target_tasks_arn],
        conditions={"ArnEquals": {"ecs:cluster": res.target_cluster_arn}},
        why="Task ids are only known at run time; limited to the target cluster.",
    )
    fn.allow(
        ["ecs:StopTask"],
        [res.target_tasks_arn],
        conditions={
            "ArnEquals": {"ecs:cluster": res.target_cluster_arn},
            "StringEquals": {SERVICE_TAG: res.config.target.ecs_service},
        },
        why="Task ids are only known at run time; only tasks of the target service (its ECS "
        "managed tag) in the target cluster can be stopped.",
    )
    fn.allow(["dynamodb:GetItem"], [res.sessions_table_arn])


def teardown_group(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(["ecs:DescribeServices", "ecs:UpdateService"], [res.target_service_arn])


def aggregate_run(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(["dynamodb:PutItem"], [res.storage.runs_table.table_arn])


def detect_regressions(fn: SuiteFunction, res: Resources) -> None:
    """Recent runs of the target (byTarget), pinned baselines (BatchGetItem) and the ledger
    (Query), then the judgement stored as an item of the runs table (PutItem)."""
    runs, baselines = res.storage.runs_table, res.storage.baselines_table
    fn.allow(["dynamodb:Query"], _index_arns(runs, keys.TARGET_INDEX))
    fn.allow(["dynamodb:PutItem"], [runs.table_arn])
    fn.allow(["dynamodb:BatchGetItem", "dynamodb:Query"], [baselines.table_arn])


def plan_confirmation(fn: SuiteFunction, res: Resources) -> None:
    """Pure planning from the config and the catalogue: no AWS access at all."""


def judge_confirmation(fn: SuiteFunction, res: Resources) -> None:
    """What DetectRegressions reads and writes; its PutItem also stores the confirm pass."""
    detect_regressions(fn, res)


def send_alerts(fn: SuiteFunction, res: Resources) -> None:
    """Exactly what the Alert step calls: the open alerts of a target (a GSI query), one
    TransactWriteItems of Puts and Deletes per run, SNS on the topics its routes use (the
    critical one always: escalation), and the secrets of the channels it routes to (a
    secret's ARN ends in 6 random characters: '-??????' matches exactly those)."""
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
    if names:
        fn.allow(["secretsmanager:GetSecretValue"], [res.secret_arn(name) for name in names])


def cleanup_run(fn: SuiteFunction, res: Resources) -> None:
    # Finds the harness's own sessions (Scan); deletes what the API could not, conditionally.
    fn.allow(["dynamodb:Scan", "dynamodb:DeleteItem"], [res.sessions_table_arn])
    # Records each cleanup in the journal (an item of the runs table).
    fn.allow(["dynamodb:PutItem"], [res.storage.runs_table.table_arn])
    # Forgets the run in flight: it ended through its own Cleanup.
    fn.allow(["dynamodb:DeleteItem"], [res.storage.run_state_table.table_arn])


def publish_report(fn: SuiteFunction, res: Resources) -> None:
    """Reads the runs against the target before this one (trends); writes the report files."""
    fn.allow(["dynamodb:Query"], _index_arns(res.storage.runs_table, keys.TARGET_INDEX))
    prefixes = (REPORTS_PREFIX, JUNIT_PREFIX)
    bucket = ref(fn, res.storage.bucket, "Arn")
    fn.allow(
        ["s3:PutObject"],
        [res.object_arn(prefix) for prefix in prefixes],
        why="Object keys are made per run; writes are limited to the report prefixes.",
        shown_as=[f"{bucket}/{prefix}*" for prefix in prefixes],
    )


def recover_run(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(
        ["states:GetExecutionHistory"],
        [res.executions_arn],
        why="Execution names are chosen per run; limited to executions of the suite.",
    )
    fn.allow(["ecs:DescribeServices", "ecs:UpdateService"], [res.target_service_arn])
    fn.allow(["dynamodb:Scan", "dynamodb:DeleteItem"], [res.sessions_table_arn])
    fn.allow(["dynamodb:GetItem", "dynamodb:DeleteItem"], [res.storage.run_state_table.table_arn])
    fn.allow(["dynamodb:GetItem", "dynamodb:PutItem"], [res.storage.runs_table.table_arn])


GRANTS: dict[str, Callable[[SuiteFunction, Resources], None]] = {
    "plan_run": plan_run,
    "setup_group": setup_group,
    "run_scenario": run_scenario,
    "teardown_group": teardown_group,
    "aggregate_run": aggregate_run,
    "detect_regressions": detect_regressions,
    "send_alerts": send_alerts,
    "cleanup_run": cleanup_run,
    "publish_report": publish_report,
    "plan_confirmation": plan_confirmation,
    "judge_confirmation": judge_confirmation,
    "recover_run": recover_run,
}
