"""The one way the CDK app makes an S3 bucket: private by construction (SSE-S3 encryption,
all public access blocked, ACLs disabled, TLS-only access), so no bucket can miss a setting."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    lifecycle_rules: Sequence[s3.LifecycleRule],
    access_logs: tuple[s3.IBucket, str] | None = None,
    versioned: bool = False,
    removal_policy: cdk.RemovalPolicy | None = None,
) -> s3.Bucket:
    """A private bucket; ``access_logs`` = (destination bucket, prefix) for server access logs.

    SSE-S3 rather than KMS: server access logs can only be delivered to SSE-S3 buckets, and
    one kind of encryption for all keeps them alike.
    """
    logs_bucket, logs_prefix = access_logs if access_logs else (None, None)
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=versioned,
        server_access_logs_bucket=logs_bucket,
        server_access_logs_prefix=logs_prefix,
        lifecycle_rules=list(lifecycle_rules),
        removal_policy=removal_policy,
    )
