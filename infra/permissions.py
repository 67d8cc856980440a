"""Least-privilege IAM of each function, one grant function per handler: exactly the calls
that handler makes today (``tests/infra/test_suite.py`` asserts each role's action list).
A grant for a feature that does not exist yet is added by the change that builds it.

Every statement names exact resources; the few wildcards are those the APIs require (ECS
task ids, execution names, S3 object keys under a prefix, session log streams) and are
acknowledged for cdk-nag on the policy statement they cover (``SuiteFunction.allow``).
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
from infra.nag import ref
from infra.storage import CACHE_PREFIX, RESULTS_PREFIX, Storage

# The tag ECS puts on a service's tasks when the service has ECS managed tags on
# (enableECSManagedTags: the target contract asks for it), naming the service.
SERVICE_TAG = "aws:ResourceTag/aws:ecs:serviceName"


@dataclass(frozen=True)
class Resources:
    """What the functions may touch: our storage and alerts, and each pool member's ECS
    service and sessions table (``[target]``, or every ``[[targets]]`` entry)."""

    scope: Construct
    config: HarnessConfig
    storage: Storage
    alerts: Alerts
    state_machine_name: str

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
    def target_clusters(self) -> str | list[str]:
        """The cluster ARNs, as an IAM condition value (one, or any of several)."""
        arns = self.target_cluster_arns
        return arns[0] if len(arns) == 1 else arns

    @property
    def target_service_arns(self) -> list[str]:
        return self._each("ecs", "service/{t.ecs_cluster}/{t.ecs_service}")

    @property
    def target_services(self) -> str | list[str]:
        """The ECS service names, as an IAM condition value (one, or any of several)."""
        names = list(dict.fromkeys(member.ecs_service for member in self.members))
        return names[0] if len(names) == 1 else names

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

    @property
    def executions_arn(self) -> str:
        return self._arn("states", f"execution:{self.state_machine_name}:*")

    def secret_arn(self, name: str) -> str:
        return self._arn("secretsmanager", f"secret:{name}-??????")

    def object_arn(self, prefix: str) -> str:
        return f"{self.storage.bucket.bucket_arn}/{prefix}*"


def _index_arns(table: dynamodb.Table, *indexes: str) -> list[str]:
    return [f"{table.table_arn}/index/{index}" for index in indexes]


def _objects(fn: SuiteFunction, res: Resources, actions: list[str], *prefixes: str) -> None:
    """Objects under the bucket's prefixes (keys are made per run)."""
    bucket = ref(fn, res.storage.bucket, "Arn")
    fn.allow(
        actions,
        [res.object_arn(prefix) for prefix in prefixes],
        why=f"Object keys are made per run; access is limited to {', '.join(prefixes)}.",
        shown_as=[f"{bucket}/{prefix}*" for prefix in prefixes],
    )


def _set_service(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(["ecs:DescribeServices", "ecs:UpdateService"], res.target_service_arns)


def _watch_tasks(fn: SuiteFunction, res: Resources) -> None:
    """Which of the edit service's tasks are running (ListTasks, then DescribeTasks)."""
    fn.allow(
        ["ecs:ListTasks"],
        ["*"],
        conditions={"ArnEquals": {"ecs:cluster": res.target_clusters}},
        why="ecs:ListTasks has no resource-level permission; the ecs:cluster condition limits "
        "it to the target clusters.",
    )
    fn.allow(
        ["ecs:DescribeTasks"],
        res.target_tasks_arns,
        conditions={"ArnEquals": {"ecs:cluster": res.target_clusters}},
        why="Task ids are only known at run time; limited to the target clusters.",
    )


def _leases(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        [res.storage.leases_table.table_arn],
    )


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


def plan_run(fn: SuiteFunction, res: Resources) -> None:
    """The target's recent runs (byTarget: duration estimates), the month's runs (byTime: the
    budget gate), the result cache, and the cached passes copied into the run's results."""
    runs = res.storage.runs_table
    fn.allow(["dynamodb:Query"], _index_arns(runs, keys.TARGET_INDEX, keys.TIME_INDEX))
    _objects(fn, res, ["s3:GetObject"], CACHE_PREFIX)
    _objects(fn, res, ["s3:PutObject"], RESULTS_PREFIX)


def setup_group(fn: SuiteFunction, res: Resources) -> None:
    """Brings the service to the state the group needs (cold or warm) and records the count it
    found with the run in flight (recovery puts it back if the run dies)."""
    _set_service(fn, res)
    _watch_tasks(fn, res)
    fn.allow(["dynamodb:UpdateItem"], [res.storage.run_state_table.table_arn])


def run_scenario(fn: SuiteFunction, res: Resources) -> None:
    _set_service(fn, res)
    _watch_tasks(fn, res)
    fn.allow(
        ["ecs:StopTask"],
        res.target_tasks_arns,
        conditions={
            "ArnEquals": {"ecs:cluster": res.target_clusters},
            "StringEquals": {SERVICE_TAG: res.target_services},
        },
        why="Task ids are only known at run time; only tasks of the target services (their ECS "
        "managed tag) in the target clusters can be stopped.",
    )
    fn.allow(["dynamodb:GetItem"], res.sessions_table_arns)
    _objects(fn, res, ["s3:PutObject"], RESULTS_PREFIX)


def acquire_leases(fn: SuiteFunction, res: Resources) -> None:
    """Remembers the desiredCount it will restore; asks for an edit container on targets
    whose first group needs one (``harness.target.leases.start_warming``)."""
    _leases(fn, res)
    _set_service(fn, res)


def release_leases(fn: SuiteFunction, res: Resources) -> None:
    _leases(fn, res)
    _set_service(fn, res)  # puts the desiredCount back


def run_user_batch(fn: SuiteFunction, res: Resources) -> None:
    """A batch of load users talks HTTP to the target only: no AWS permissions at all."""


def judge_load(fn: SuiteFunction, res: Resources) -> None:
    """Arithmetic on the batches' reports; the scenario's whole result is stored by reference,
    like RunScenario's."""
    _objects(fn, res, ["s3:PutObject"], RESULTS_PREFIX)


def aggregate_run(fn: SuiteFunction, res: Resources) -> None:
    """Stores the run (a conditional PutItem: never replaced; a retry reads the stored run
    back), new passes in the cache, and reads back (then forgets) the results RunScenario
    stored."""
    fn.allow(["dynamodb:PutItem", "dynamodb:GetItem"], [res.storage.runs_table.table_arn])
    _objects(fn, res, ["s3:PutObject"], CACHE_PREFIX)
    _stored_results(fn, res)


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


def target_cleanup(fn: SuiteFunction, res: Resources) -> None:
    """Deleting the harness's own test data on every pool member (after a run, the sweep,
    recovery): find its sessions (Scan) and delete what the API could not, each delete
    conditional on the test marker (BatchWriteItem takes no condition); and its session log
    streams, where the stack has them."""
    fn.allow(["dynamodb:Scan", "dynamodb:DeleteItem"], res.sessions_table_arns)
    groups = res.session_log_group_arns
    if groups:
        fn.allow(
            ["logs:DescribeLogStreams", "logs:DeleteLogStream"],
            groups,
            why="Stream names are made per session at run time; limited to the target's "
            "session log group (cleanup deletes only streams named with the harness's prefix).",
        )


def cleanup_run(fn: SuiteFunction, res: Resources) -> None:
    target_cleanup(fn, res)
    # Records each cleanup in the journal (an item of the runs table).
    fn.allow(["dynamodb:PutItem"], [res.storage.runs_table.table_arn])
    # Forgets the run in flight: it ended through its own Cleanup.
    fn.allow(["dynamodb:DeleteItem"], [res.storage.run_state_table.table_arn])


def publish_report(fn: SuiteFunction, res: Resources) -> None:
    """Reads the runs against the target before this one (trends); writes the report files."""
    fn.allow(["dynamodb:Query"], _index_arns(res.storage.runs_table, keys.TARGET_INDEX))
    _objects(fn, res, ["s3:PutObject"], REPORTS_PREFIX, JUNIT_PREFIX)
    _whole_run(fn, res)


def recover_run(fn: SuiteFunction, res: Resources) -> None:
    fn.allow(
        ["states:GetExecutionHistory"],
        [res.executions_arn],
        why="Execution names are chosen per run; limited to executions of the suite.",
    )
    _set_service(fn, res)  # puts each service back as the run's leases found it
    _leases(fn, res)  # ... and releases them, as ReleaseLeases would have
    target_cleanup(fn, res)
    _objects(fn, res, ["s3:GetObject"], RESULTS_PREFIX)  # the results the run had stored
    fn.allow(["dynamodb:GetItem", "dynamodb:DeleteItem"], [res.storage.run_state_table.table_arn])
    fn.allow(["dynamodb:GetItem", "dynamodb:PutItem"], [res.storage.runs_table.table_arn])


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
    "recover_run": recover_run,
    "acquire_leases": acquire_leases,
    "release_leases": release_leases,
    "run_user_batch": run_user_batch,
    "judge_load": judge_load,
}
