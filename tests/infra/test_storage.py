"""Tables and buckets of the synthesized stack."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from harness.aws import table_keys as keys
from tests.infra.conftest import Synth, logical_id

pytestmark = pytest.mark.infra


def _table(synth: Synth, name: str, **properties: object) -> None:
    synth.main.has_resource(
        "AWS::DynamoDB::Table",
        {
            "Properties": Match.object_like(
                {
                    "TableName": name,
                    "BillingMode": "PAY_PER_REQUEST",
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "SSESpecification": {"SSEEnabled": True},
                    "DeletionProtectionEnabled": True,
                    **properties,
                }
            ),
            "DeletionPolicy": "Retain",
        },
    )


def test_runs_table_key_design_matches_the_adapter(synth: Synth) -> None:
    index = {
        "KeySchema": [
            {"AttributeName": Match.any_value(), "KeyType": "HASH"},
            {"AttributeName": keys.STARTED_AT, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }
    _table(
        synth,
        synth.config.history.runs_table,
        KeySchema=[{"AttributeName": keys.RUN_ID, "KeyType": "HASH"}],
        TimeToLiveSpecification={"AttributeName": keys.EXPIRES_AT, "Enabled": True},
        GlobalSecondaryIndexes=Match.array_with(
            [
                {
                    **index,
                    "IndexName": keys.SERIES_INDEX,
                    "KeySchema": [
                        {"AttributeName": keys.SERIES, "KeyType": "HASH"},
                        {"AttributeName": keys.STARTED_AT, "KeyType": "RANGE"},
                    ],
                },
                {
                    **index,
                    "IndexName": keys.TIME_INDEX,
                    "KeySchema": [
                        {"AttributeName": keys.KIND, "KeyType": "HASH"},
                        {"AttributeName": keys.STARTED_AT, "KeyType": "RANGE"},
                    ],
                },
                {
                    **index,
                    "IndexName": keys.TARGET_INDEX,
                    "KeySchema": [
                        {"AttributeName": keys.TARGET, "KeyType": "HASH"},
                        {"AttributeName": keys.STARTED_AT, "KeyType": "RANGE"},
                    ],
                },
            ]
        ),
    )


def test_baselines_and_alert_state_tables(synth: Synth) -> None:
    _table(
        synth,
        synth.config.storage.baselines_table,
        KeySchema=[
            {"AttributeName": keys.BASELINE_SERIES, "KeyType": "HASH"},
            {"AttributeName": keys.BASELINE_NAME, "KeyType": "RANGE"},
        ],
    )
    _table(
        synth,
        synth.config.storage.alert_state_table,
        KeySchema=[{"AttributeName": keys.ALERT_KEY, "KeyType": "HASH"}],
        TimeToLiveSpecification={"AttributeName": keys.EXPIRES_AT, "Enabled": True},
        GlobalSecondaryIndexes=[
            {
                "IndexName": keys.ALERT_OPEN_INDEX,
                "KeySchema": [
                    {"AttributeName": keys.ALERT_TARGET, "KeyType": "HASH"},
                    {"AttributeName": keys.ALERT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def test_leases_table_reaps_expired_leases_by_ttl(synth: Synth) -> None:
    _table(
        synth,
        synth.config.leases.table,
        KeySchema=[{"AttributeName": keys.LEASE_KEY, "KeyType": "HASH"}],
        TimeToLiveSpecification={"AttributeName": keys.EXPIRES_AT, "Enabled": True},
    )


def _results_bucket(synth: Synth) -> str:
    return logical_id(synth.main, "AWS::S3::Bucket", VersioningConfiguration={"Status": "Enabled"})


def test_results_bucket_is_private_encrypted_versioned_and_logged(synth: Synth) -> None:
    bucket = _results_bucket(synth)
    props = synth.main_json["Resources"][bucket]["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    logs_bucket = props["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    assert logs_bucket != bucket
    assert synth.main_json["Resources"][logs_bucket]["Type"] == "AWS::S3::Bucket"


def test_results_bucket_lifecycle_follows_config(synth: Synth) -> None:
    storage = synth.config.storage
    rules = synth.main_json["Resources"][_results_bucket(synth)]["Properties"][
        "LifecycleConfiguration"
    ]["Rules"]
    by_prefix = {rule.get("Prefix"): rule for rule in rules}
    assert by_prefix["cache/"]["ExpirationInDays"] == storage.cache_expiry_days
    assert by_prefix["results/"]["ExpirationInDays"] == storage.run_results_expiry_days
    reports = by_prefix["reports/"]
    assert reports["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": storage.reports_transition_days}
    ]
    assert reports["ExpirationInDays"] == storage.reports_expiry_days
    assert by_prefix["junit/"]["ExpirationInDays"] == storage.junit_expiry_days
    assert all(rule["Status"] == "Enabled" for rule in rules)


@pytest.mark.parametrize("which", ["results", "logs"])
def test_buckets_refuse_plain_http(synth: Synth, which: str) -> None:
    results = _results_bucket(synth)
    buckets = list(synth.main.find_resources("AWS::S3::Bucket"))
    bucket = results if which == "results" else next(b for b in buckets if b != results)
    synth.main.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Principal": {"AWS": "*"},
                            }
                        )
                    ]
                )
            },
        },
    )
