"""Every S3 bucket of both stacks is private in the same way (``infra/buckets.py``): SSE-S3,
all public access blocked, ACLs disabled, and a policy that refuses plain HTTP."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from tests.infra.conftest import Synth, resources

pytestmark = pytest.mark.infra

TLS_ONLY = Match.object_like(
    {
        "Effect": "Deny",
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


@pytest.mark.parametrize("stack", ["main", "pipeline"])
def test_every_bucket_is_private(synth: Synth, stack: str) -> None:
    template: Template = getattr(synth, stack)
    buckets = resources(template, "AWS::S3::Bucket")
    assert buckets
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert encryption == [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}, logical_id
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": {"Ref": logical_id},
                "PolicyDocument": {"Statement": Match.array_with([TLS_ONLY])},
            },
        )
