"""cdk-nag acknowledgements (cdk-nag 3 uses CDK's ``Validations.of(...).acknowledge``).

Each acknowledgement sits on the narrowest construct that has the finding (a role's policy,
not the whole function) and names the exact finding. With the context flag
``RECORD_ONLY_CONTEXT`` on, acknowledgements are recorded as metadata instead of applied, so
a test can synthesize once more and prove that each one matches a finding.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

RECORD_ONLY_CONTEXT = "harness:nag-record-acknowledgements"
RECORDED = "harness:nag-acknowledgement"


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one finding (e.g. ``AwsSolutions-IAM5[Resource::*]``) on ``scope`` and below."""
    if str(scope.node.try_get_context(RECORD_ONLY_CONTEXT)).lower() == "true":
        scope.node.add_metadata(RECORDED, {"rule": rule, "reason": reason})
        return
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def ref(scope: IConstruct, construct: IConstruct, attribute: str | None = None) -> str:
    """How cdk-nag prints a reference to ``construct``: ``<LogicalId>`` or ``<LogicalId.Attr>``."""
    resource = construct.node.default_child if construct.node.default_child else construct
    logical_id = cdk.Stack.of(scope).get_logical_id(resource)  # type: ignore[arg-type]
    return f"<{logical_id}.{attribute}>" if attribute else f"<{logical_id}>"


def nag_text(arn: str) -> str:
    """An ARN with CDK's pseudo-parameter tokens as cdk-nag prints them."""
    return (
        arn.replace(cdk.Aws.PARTITION, "<AWS::Partition>")
        .replace(cdk.Aws.REGION, "<AWS::Region>")
        .replace(cdk.Aws.ACCOUNT_ID, "<AWS::AccountId>")
    )
