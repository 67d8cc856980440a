"""Storage: DynamoDB tables (run history, baselines, alert state, runs in flight, target
leases) and the results bucket."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from harness.aws import table_keys as keys
from harness.config import HarnessConfig
from harness.report.location import JUNIT_PREFIX, REPORTS_PREFIX
from infra.buckets import private_bucket

CACHE_PREFIX = "cache/"
RESULTS_PREFIX = "results/"  # a run's scenario results, by reference, until Aggregate
ACCESS_LOGS_PREFIX = "results-bucket/"


class Storage(Construct):
    """Tables and buckets; names of tables come from config so the CLI finds them too."""

    def __init__(self, scope: Construct, construct_id: str, *, config: HarnessConfig) -> None:
        super().__init__(scope, construct_id)
        removal = (
            cdk.RemovalPolicy.RETAIN if config.deploy.retain_data else cdk.RemovalPolicy.DESTROY
        )
        self.runs_table = self._table(
            "RunsTable",
            config.history.runs_table,
            dynamodb.Attribute(name=keys.RUN_ID, type=dynamodb.AttributeType.STRING),
            ttl=keys.EXPIRES_AT,
            removal=removal,
        )
        for index, partition in keys.RUNS_INDEXES:
            self.runs_table.add_global_secondary_index(
                index_name=index,
                partition_key=dynamodb.Attribute(
                    name=partition, type=dynamodb.AttributeType.STRING
                ),
                sort_key=dynamodb.Attribute(
                    name=keys.STARTED_AT, type=dynamodb.AttributeType.STRING
                ),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.baselines_table = self._table(
            "BaselinesTable",
            config.storage.baselines_table,
            dynamodb.Attribute(name=keys.BASELINE_SERIES, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(
                name=keys.BASELINE_NAME, type=dynamodb.AttributeType.STRING
            ),
            removal=removal,
        )
        self.alert_state_table = self._table(
            "AlertStateTable",
            config.storage.alert_state_table,
            dynamodb.Attribute(name=keys.ALERT_KEY, type=dynamodb.AttributeType.STRING),
            ttl=keys.EXPIRES_AT,
            removal=removal,
        )
        self.alert_state_table.add_global_secondary_index(
            index_name=keys.ALERT_OPEN_INDEX,
            partition_key=dynamodb.Attribute(
                name=keys.ALERT_TARGET, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=keys.ALERT_KEY, type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        self.run_state_table = self._table(
            "RunStateTable",
            config.storage.run_state_table,
            dynamodb.Attribute(name=keys.RUN_STATE_KEY, type=dynamodb.AttributeType.STRING),
            ttl=keys.EXPIRES_AT,
            removal=removal,
        )
        self.leases_table = self._table(
            "LeasesTable",
            config.leases.table,
            dynamodb.Attribute(name=keys.LEASE_KEY, type=dynamodb.AttributeType.STRING),
            ttl=keys.EXPIRES_AT,
            removal=removal,
        )
        self.logs_bucket = self._logs_bucket(config, removal)
        self.bucket = self._results_bucket(config, removal)

    def _table(
        self,
        construct_id: str,
        name: str,
        partition_key: dynamodb.Attribute,
        *,
        removal: cdk.RemovalPolicy,
        sort_key: dynamodb.Attribute | None = None,
        ttl: str | None = None,
    ) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            construct_id,
            table_name=name,
            partition_key=partition_key,
            sort_key=sort_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=ttl,
            deletion_protection=removal == cdk.RemovalPolicy.RETAIN,
            removal_policy=removal,
        )

    def _logs_bucket(self, config: HarnessConfig, removal: cdk.RemovalPolicy) -> s3.Bucket:
        bucket = private_bucket(
            self,
            "AccessLogsBucket",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=cdk.Duration.days(config.storage.access_logs_expiry_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=removal,
        )
        return bucket

    def _results_bucket(self, config: HarnessConfig, removal: cdk.RemovalPolicy) -> s3.Bucket:
        storage = config.storage
        return private_bucket(
            self,
            "ResultsBucket",
            versioned=True,
            access_logs=(self.logs_bucket, ACCESS_LOGS_PREFIX),
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-cache",
                    prefix=CACHE_PREFIX,
                    expiration=cdk.Duration.days(storage.cache_expiry_days),
                ),
                s3.LifecycleRule(
                    id="expire-run-results",
                    prefix=RESULTS_PREFIX,
                    expiration=cdk.Duration.days(storage.run_results_expiry_days),
                ),
                s3.LifecycleRule(
                    id="age-reports",
                    prefix=REPORTS_PREFIX,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=cdk.Duration.days(storage.reports_transition_days),
                        )
                    ],
                    expiration=cdk.Duration.days(storage.reports_expiry_days),
                ),
                s3.LifecycleRule(
                    id="expire-junit",
                    prefix=JUNIT_PREFIX,
                    expiration=cdk.Duration.days(storage.junit_expiry_days),
                ),
                s3.LifecycleRule(
                    id="tidy-versions",
                    noncurrent_version_expiration=cdk.Duration.days(30),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                ),
            ],
            removal_policy=removal,
        )
