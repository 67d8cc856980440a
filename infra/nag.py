"""cdk-nag acknowledgements (cdk-nag 3 uses CDK's ``Validations.of(...).acknowledge``)."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one finding (e.g. ``AwsSolutions-IAM5[Resource::*]``) on ``scope`` and below."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def ref(scope: IConstruct, construct: IConstruct, attribute: str | None = None) -> str:
    """How cdk-nag prints a reference to ``construct``: ``<LogicalId>`` or ``<LogicalId.Attr>``."""
    resource = construct.node.default_child if construct.node.default_child else construct
    logical_id = cdk.Stack.of(scope).get_logical_id(resource)  # type: ignore[arg-type]
    return f"<{logical_id}.{attribute}>" if attribute else f"<{logical_id}>"
