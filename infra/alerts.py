"""Alerts: encrypted SNS topics (standard, critical) with their subscriptions, the Slack/GitHub
secrets by name, and the monthly AWS Budget that checks spend every day and notifies the
standard topic.

Who may publish: the send_alerts Lambda (its role, ``infra/permissions.py``), the CloudWatch
alarms of this account (both topics), and AWS Budgets (standard topic). Each service
statement is pinned to this account with ``aws:SourceAccount`` and to the publishing
resources with ``aws:SourceArn``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from harness.config import HarnessConfig

COST_TAG = "harness:stack"
# Services that publish to the topics and so must use the topics' key.
PUBLISHING_SERVICES = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com")


class Alerts(Construct):
    """Topics, key and secret references; ``send_alerts`` gets its grants from here."""

    def __init__(self, scope: Construct, construct_id: str, *, config: HarnessConfig) -> None:
        super().__init__(scope, construct_id)
        alerts = config.alerts
        self.key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the harness alert topics",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAwsServicesToPublishEncrypted",
                principals=[iam.ServicePrincipal(service) for service in PUBLISHING_SERVICES],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            )
        )
        self.standard_topic = self._topic("StandardTopic", alerts.standard_topic_name)
        self.critical_topic = self._topic("CriticalTopic", alerts.critical_topic_name)
        for topic, endpoints in (
            (self.critical_topic, alerts.subscriptions.critical),
            (self.standard_topic, alerts.subscriptions.standard),
        ):
            for endpoint in endpoints:
                topic.add_subscription(_subscription(endpoint))
            self._allow(
                topic,
                "AllowCloudWatchAlarmsToPublish",
                "cloudwatch.amazonaws.com",
                f"arn:{cdk.Aws.PARTITION}:cloudwatch:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:alarm:*",
            )
        self._allow(
            self.standard_topic,
            "AllowBudgetsToPublish",
            "budgets.amazonaws.com",
            f"arn:{cdk.Aws.PARTITION}:budgets::{cdk.Aws.ACCOUNT_ID}:*",
        )
        self.slack_secret = secretsmanager.Secret.from_secret_name_v2(
            self, "SlackWebhookSecret", alerts.slack_webhook_secret_name
        )
        self.github_secret = secretsmanager.Secret.from_secret_name_v2(
            self, "GitHubTokenSecret", alerts.github_token_secret_name
        )
        self.budget = self._budget(config)

    @staticmethod
    def _allow(topic: sns.Topic, sid: str, service: str, source_arn: str) -> None:
        """Let an AWS service of this account publish to ``topic`` for the given resources."""
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid=sid,
                principals=[iam.ServicePrincipal(service)],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            )
        )

    def _topic(self, construct_id: str, name: str) -> sns.Topic:
        return sns.Topic(
            self,
            construct_id,
            topic_name=name,
            display_name=name,
            master_key=self.key,
            enforce_ssl=True,
        )

    def _budget(self, config: HarnessConfig) -> budgets.CfnBudget:
        def notify(
            kind: str, threshold: float
        ) -> budgets.CfnBudget.NotificationWithSubscribersProperty:
            return budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    comparison_operator="GREATER_THAN",
                    notification_type=kind,
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=[
                    budgets.CfnBudget.SubscriberProperty(
                        address=self.standard_topic.topic_arn, subscription_type="SNS"
                    )
                ],
            )

        return budgets.CfnBudget(
            self,
            "MonthlyBudget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(
                    amount=config.sla.monthly_budget_usd, unit="USD"
                ),
                cost_filters={"TagKeyValue": [f"user:{COST_TAG}${config.deploy.stack_name}"]},
            ),
            notifications_with_subscribers=[notify("ACTUAL", 80), notify("FORECASTED", 100)],
        )


def _subscription(endpoint: str) -> sns.ITopicSubscription:
    """An e-mail address or an https:// URL (``TopicSubscriptions`` validated which)."""
    if endpoint.startswith("https://"):
        return subscriptions.UrlSubscription(endpoint, protocol=sns.SubscriptionProtocol.HTTPS)
    return subscriptions.EmailSubscription(endpoint)
