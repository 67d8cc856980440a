"""The suite: one Lambda per ``layout.SUITE_FUNCTIONS`` entry and the state machine built
from ``statemachines/suite.asl.json`` with every placeholder bound to a function ARN."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from harness import layout
from harness.config import CONFIG_JSON_ENV, AlertsConfig, HarnessConfig
from infra.alerts import Alerts
from infra.functions import RETENTION, SuiteFunction, powertools_layer
from infra.nag import acknowledge
from infra.permissions import GRANTS, Resources
from infra.storage import Storage

# Lambda allows 4 KB of environment in total; keep room for the Powertools variables.
MAX_CONFIG_JSON_BYTES = 3500
DEPLOY_ONLY_SECTIONS = {"deploy", "schedules", "pipeline", "reference_target", "local"}
# ...except what the cost estimate and the planner need: the functions' memory and reserved
# concurrency overrides.
DEPLOY_KEPT = {"functions"}


def state_machine_name(config: HarnessConfig) -> str:
    return f"{config.deploy.stack_name}-suite"


LAMBDA_RETURN_MARGIN_SECONDS = 30
"""What a scenario's Lambda needs beyond its scenarios' deadlines: to start, report and return."""


def check_timeouts(config: HarnessConfig) -> None:
    """Fail at synth, not in a run: each scenario's deadline x (retries + 1) must fit in the
    RunScenario Lambda's timeout (the retries run inside one invocation), and the longest
    possible run must fit in the state machine's ``TimeoutSeconds``."""
    from harness.planning.plan import spec_for
    from harness.scenarios import catalogue

    lambda_timeout = layout.function_spec("run_scenario", config.deploy.functions).timeout_seconds
    total = 0
    for name, definition in catalogue().items():
        scenario = spec_for(name, definition, config)
        needed = scenario.timeout_seconds * (scenario.retries + 1)
        total += needed
        if needed + LAMBDA_RETURN_MARGIN_SECONDS > lambda_timeout:
            raise ValueError(
                f"scenario {name}: timeout {scenario.timeout_seconds}s x {scenario.retries + 1} "
                f"attempt(s) + {LAMBDA_RETURN_MARGIN_SECONDS}s does not fit the run_scenario "
                f"Lambda timeout of {lambda_timeout}s: lower [scenarios.{name}] timeout_seconds "
                "or retries, or raise [deploy.functions.run_scenario] timeout_seconds"
            )
    machine_timeout = layout.suite_timeout_seconds()
    for what, seconds in (
        ("every scenario one after another", total),
        ("[sla] suite_max_seconds", config.sla.suite_max_seconds),
    ):
        if seconds >= machine_timeout:
            raise ValueError(
                f"{what} ({seconds:.0f}s) does not fit the state machine's TimeoutSeconds "
                f"({machine_timeout}s in {layout.SUITE_ASL.name})"
            )


def check_deployable_target(config: HarnessConfig) -> None:
    """In AWS the functions send requests with the target's data over the network: https only."""
    for key in ("endpoint", "aws_endpoint_url"):
        value = getattr(config.target, key)
        if value and not value.startswith("https://"):
            raise ValueError(f"[target] {key} must be https:// in AWS, not {value!r}")


def handler_config(config: HarnessConfig, storage: Storage, alerts: Alerts) -> str:
    """The config the handlers see: defaults left out, AWS resources filled in, secrets read
    from Secrets Manager by name."""
    if config.alerts.slack_webhook_url:
        raise ValueError(
            "[alerts] slack_webhook_url is set: in AWS the webhook URL is a secret, read from "
            f"Secrets Manager ({config.alerts.slack_webhook_secret_name!r}); leave it empty "
            "for cdk synth/deploy (docs/deploy.md)"
        )
    exclude: dict[str, Any] = {section: True for section in DEPLOY_ONLY_SECTIONS}
    exclude["alerts"] = set(AlertsConfig.DEPLOY_ONLY)
    data: dict[str, Any] = config.model_dump(mode="json", exclude_defaults=True, exclude=exclude)
    check_deployable_target(config)
    # Plan makes every run id, and the input may not replace the target's endpoints.
    data["run"] = {**data.get("run", {}), "deployed": True}
    data["history"] = {
        **data.get("history", {}),
        "backend": "dynamodb",
        "runs_table": storage.runs_table.table_name,
        "region": cdk.Aws.REGION,
    }
    data["storage"] = {
        **data.get("storage", {}),
        "bucket": storage.bucket.bucket_name,
        "baselines_table": storage.baselines_table.table_name,
        # The deployed names (a stack deployed under another name gets other tables).
        "alert_state_table": storage.alert_state_table.table_name,
        "run_state_table": storage.run_state_table.table_name,
    }
    data["leases"] = {
        **data.get("leases", {}),
        "backend": "dynamodb",
        "table": storage.leases_table.table_name,
        "region": cdk.Aws.REGION,
    }
    data["alerts"] = {
        **data.get("alerts", {}),
        "secrets": "secretsmanager",
        "standard_topic_arn": alerts.standard_topic.topic_arn,
        "critical_topic_arn": alerts.critical_topic.topic_arn,
    }
    kept = config.deploy.model_dump(mode="json", exclude_defaults=True, include=DEPLOY_KEPT)
    if kept:
        data["deploy"] = kept
    HarnessConfig.model_validate(data)  # fail at synth, not in the first Lambda call
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    if len(text) > MAX_CONFIG_JSON_BYTES:
        raise ValueError(
            f"the handlers' config is {len(text)} bytes, more than Lambda's environment allows "
            f"({MAX_CONFIG_JSON_BYTES}); move large sections (scenarios) to defaults"
        )
    return text


class Suite(Construct):
    """Functions, their grants, and the STANDARD state machine that runs them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: HarnessConfig,
        storage: Storage,
        alerts: Alerts,
    ) -> None:
        super().__init__(scope, construct_id)
        layer = powertools_layer(self, config)
        self.layer = layer
        environment = {
            CONFIG_JSON_ENV: handler_config(config, storage, alerts),
            "POWERTOOLS_SERVICE_NAME": config.deploy.service_name,
            "POWERTOOLS_METRICS_NAMESPACE": config.deploy.metrics_namespace,
        }
        check_timeouts(config)
        resources = Resources(
            scope=self,
            config=config,
            storage=storage,
            alerts=alerts,
            state_machine_name=state_machine_name(config),
        )
        self.layer, self.environment, self.resources = layer, environment, resources
        self.functions: dict[str, SuiteFunction] = {}
        for spec in layout.SUITE_FUNCTIONS:
            function = SuiteFunction(
                self,
                _pascal(spec.name),
                spec=spec,
                config=config,
                layer=layer,
                environment=environment,
            )
            GRANTS[spec.name](function, resources)
            self.functions[spec.name] = function
        self.state_machine = self._state_machine(config)

    def _state_machine(self, config: HarnessConfig) -> sfn.StateMachine:
        by_placeholder = {spec.placeholder: spec.name for spec in layout.SUITE_FUNCTIONS}
        unknown = layout.suite_placeholders() - set(by_placeholder)
        if unknown:
            raise KeyError(f"{layout.SUITE_ASL.name} uses unknown placeholder(s) {sorted(unknown)}")
        substitutions = {
            placeholder: self.functions[by_placeholder[placeholder]].function.function_arn
            for placeholder in sorted(layout.suite_placeholders())
        }
        log_group = logs.LogGroup(
            self,
            "StateMachineLogs",
            log_group_name=f"/aws/vendedlogs/states/{config.deploy.stack_name}-suite",
            retention=RETENTION[config.deploy.log_retention_days],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name(config),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(layout.SUITE_ASL)),
            definition_substitutions=substitutions,
            # Every event is logged (cdk-nag SF1), but never a run's input or state.
            logs=sfn.LogOptions(
                destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False
            ),
            tracing_enabled=True,
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[fn.function.function_arn for fn in self.functions.values()],
            )
        )
        self._allow_distributed_map(machine, config)
        acknowledge(
            machine.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs delivery (logs:*LogDelivery*, DescribeLogGroups, PutResourcePolicy) "
            "and X-Ray actions support no resource-level permissions.",
        )
        return machine

    @staticmethod
    def _allow_distributed_map(machine: sfn.StateMachine, config: HarnessConfig) -> None:
        """A DISTRIBUTED Map (load batches beyond an inline Map) runs child executions of
        this state machine: it may start them and watch or stop them, nothing else. ARNs are
        built from the name, as the machine cannot reference its own ARN."""
        name = state_machine_name(config)
        prefix = f"arn:{cdk.Aws.PARTITION}:states:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}"
        executions = f"{prefix}:execution:{name}/*"
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:StartExecution"], resources=[f"{prefix}:stateMachine:{name}"]
            )
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=[executions],
            )
        )
        acknowledge(
            machine.role.node.find_child("DefaultPolicy"),  # where the finding is
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:"
            f"<AWS::AccountId>:execution:{name}/*]",
            "A DISTRIBUTED Map's child executions get names at run time; scoped to this "
            "state machine's own executions.",
        )


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
