"""The CDK app's constructs and stacks: one construct per concern, driven by HarnessConfig.

Nothing in ``harness/`` imports from here; this package imports ``harness.layout``,
``harness.config`` and ``harness.aws.table_keys`` (all free of boto3).
"""
