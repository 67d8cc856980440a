"""The suite functions and state machine: the deployed definition IS the ASL file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from harness import layout
from harness.config import HarnessConfig
from infra.suite import check_deployable_target, check_timeouts
from tests.infra.conftest import CONFIG as synth_config_value
from tests.infra.conftest import Synth, flatten, logical_id, resources

pytestmark = pytest.mark.infra


def _function_id(synth: Synth, spec: layout.FunctionSpec) -> str:
    return logical_id(synth.main, "AWS::Lambda::Function", Description=spec.description)


@pytest.mark.parametrize("spec", layout.ALL_FUNCTIONS, ids=lambda spec: spec.name)
def test_each_function_is_configured_from_layout_and_config(
    synth: Synth, spec: layout.FunctionSpec
) -> None:
    override = synth.config.deploy.functions.get(spec.name)
    props = synth.main_json["Resources"][_function_id(synth, spec)]["Properties"]
    assert props["Handler"] == layout.HANDLER
    assert props["Runtime"] == synth.config.deploy.python_runtime
    assert props["Timeout"] == ((override and override.timeout_seconds) or spec.timeout_seconds)
    assert props["MemorySize"] == ((override and override.memory_mb) or spec.memory_mb)
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Layers"] == [
        {
            "Fn::Sub": "arn:aws:lambda:${AWS::Region}:017000801446:layer:"
            "AWSLambdaPowertoolsPythonV3-python312-x86_64:"
            f"{synth.config.deploy.powertools_layer_version}"
        }
    ]
    env = props["Environment"]["Variables"]
    assert env["POWERTOOLS_SERVICE_NAME"] == synth.config.deploy.service_name
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == synth.config.deploy.metrics_namespace
    log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
    retention = synth.main_json["Resources"][log_group]["Properties"]["RetentionInDays"]
    assert retention == synth.config.deploy.log_retention_days


def test_function_asset_is_handler_plus_harness_package(synth: Synth) -> None:
    spec = layout.SUITE_FUNCTIONS[0]
    props = synth.main_json["Resources"][_function_id(synth, spec)]["Properties"]
    key = props["Code"]["S3Key"]
    asset = synth.outdir / f"asset.{key.removesuffix('.zip')}"
    assert (asset / "handler.py").is_file()
    assert (asset / "harness" / "layout.py").is_file()
    assert not (asset / "harness" / "local").exists()


def test_handlers_get_the_config_with_dynamodb_history_and_aws_resources(synth: Synth) -> None:
    props = synth.main_json["Resources"][_function_id(synth, layout.SUITE_FUNCTIONS[0])][
        "Properties"
    ]
    text = flatten(props["Environment"]["Variables"]["HARNESS_CONFIG_JSON"])
    config = HarnessConfig.model_validate(json.loads(text))
    runs_table = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-runs")
    assert config.history.backend == "dynamodb"
    assert config.history.runs_table == f"<{runs_table}>"
    assert config.history.region == "<AWS::Region>"
    assert config.storage.bucket.startswith("<") and config.alerts.critical_topic_arn
    assert config.sla == synth.config.sla
    assert config.target == synth.config.target
    assert config.alerts.slack_webhook_secret_name == "it/slack"
    assert config.run.deployed is True  # Plan makes run ids; no endpoint overrides
    leases_table = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-leases")
    assert (config.leases.backend, config.leases.table) == ("dynamodb", f"<{leases_table}>")


@pytest.mark.parametrize(
    "target",
    [{"endpoint": "http://edit.example.com"}, {"aws_endpoint_url": "http://127.0.0.1:5000"}],
)
def test_a_target_that_is_not_https_cannot_be_deployed(target: dict[str, str]) -> None:
    config = HarnessConfig.model_validate({"target": target})
    with pytest.raises(ValueError, match="https"):
        check_deployable_target(config)


def _state_machine(synth: Synth) -> dict[str, Any]:
    (machine,) = resources(synth.main, "AWS::StepFunctions::StateMachine").values()
    return machine["Properties"]  # type: ignore[no-any-return]


def test_state_machine_definition_is_the_asl_file(synth: Synth) -> None:
    props = _state_machine(synth)
    key = props["DefinitionS3Location"]["Key"]
    deployed = (synth.outdir / f"asset.{key}").read_text()
    assert json.loads(deployed) == json.loads(layout.SUITE_ASL.read_text())


def test_every_placeholder_is_bound_to_its_function(synth: Synth) -> None:
    substitutions = _state_machine(synth)["DefinitionSubstitutions"]
    assert set(substitutions) == layout.suite_placeholders()
    for spec in layout.SUITE_FUNCTIONS:
        if spec.placeholder in substitutions:
            assert substitutions[spec.placeholder] == {
                "Fn::GetAtt": [_function_id(synth, spec), "Arn"]
            }
    rendered = layout.render_asl({name: f"arn:{name}" for name in substitutions})
    assert "${" not in rendered
    json.loads(rendered)


def test_state_machine_is_standard_traced_and_logs_every_event_without_data(
    synth: Synth,
) -> None:
    props = _state_machine(synth)
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"  # cdk-nag SF1, fixed
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False  # no inputs in logs
    asl = json.loads(layout.SUITE_ASL.read_text())
    assert (
        asl["TimeoutSeconds"] == layout.suite_timeout_seconds() > synth.config.sla.suite_max_seconds
    )


def test_state_machine_may_invoke_exactly_the_suite_functions(synth: Synth) -> None:
    role = _state_machine(synth)["RoleArn"]["Fn::GetAtt"][0]
    expected = sorted(
        ({"Fn::GetAtt": [_function_id(synth, spec), "Arn"]} for spec in layout.SUITE_FUNCTIONS),
        key=json.dumps,
    )
    policies = synth.main.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role}]}}
    )
    statements = [
        s
        for policy in policies.values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "lambda:InvokeFunction"
    ]
    assert len(statements) == 1
    assert sorted(statements[0]["Resource"], key=json.dumps) == expected


def _policy_statements(synth: Synth, spec: layout.FunctionSpec) -> list[dict[str, Any]]:
    function_id = logical_id(synth.main, "AWS::Lambda::Function", Description=spec.description)
    function = synth.main_json["Resources"][function_id]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = synth.main.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": Match.array_with([{"Ref": role}])}}
    )
    assert synth.main_json["Resources"][role]["Properties"].get("ManagedPolicyArns") is None
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def _allows(statements: list[dict[str, Any]], action: str) -> list[str]:
    found: list[str] = []
    for statement in statements:
        if action in _actions(statement):
            targets = statement["Resource"]
            targets = targets if isinstance(targets, list) else [targets]
            found.extend(flatten(target) for target in targets)
    return found


# Every role may write its own logs and traces; beyond that, exactly what its handler calls.
LOGS_AND_TRACES = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
ROLE_ACTIONS = {
    # The history it plans from (byTime: the month's runs, byTarget: a target's recent runs),
    # the result cache, and the cached passes copied into the run's results.
    "plan_run": {"dynamodb:Query", "s3:GetObject", "s3:PutObject"},
    # Brings the service cold or warm; records the count it found with the run in flight.
    "setup_group": {
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "ecs:ListTasks",
        "ecs:DescribeTasks",
        "dynamodb:UpdateItem",
    },
    "run_scenario": {
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "ecs:ListTasks",
        "ecs:DescribeTasks",
        "ecs:StopTask",
        "dynamodb:GetItem",
        "s3:PutObject",
    },
    # The leases; the count to restore; warming a target whose first group needs a container.
    "acquire_leases": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "ecs:DescribeServices",
        "ecs:UpdateService",
    },
    "release_leases": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "ecs:DescribeServices",
        "ecs:UpdateService",
    },
    "run_user_batch": set(),
    "judge_load": {"s3:PutObject"},
    # Stores the run (a retry reads it back); caches new passes; reads back and forgets the
    # stored results.
    "aggregate_run": {
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:ListBucket",
    },
    # The history it judges against, the baselines it reads and records, the whole run.
    "detect_regressions": {
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
    },
    # The channels its routes use (the test config routes to Slack and GitHub too).
    "send_alerts": {
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "sns:Publish",
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "secretsmanager:GetSecretValue",
    },
    "publish_report": {"dynamodb:Query", "dynamodb:GetItem", "s3:PutObject"},
    # Finds the run's sessions and log streams, deletes them (sessions conditionally),
    # records the cleanup, finishes the run-in-flight entry.
    "cleanup_run": {
        "dynamodb:Scan",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "logs:DescribeLogStreams",
        "logs:DeleteLogStream",
    },
    "plan_confirmation": set(),
    "judge_confirmation": {
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:ListBucket",
    },
    "run_maintenance": {
        "states:StartExecution",
        "dynamodb:PutItem",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:Query",
        "s3:GetLifecycleConfiguration",
        # The daily sweep: conditional deletes of expired test sessions, their log streams.
        "dynamodb:Scan",
        "dynamodb:DeleteItem",
        "logs:DescribeLogStreams",
        "logs:DeleteLogStream",
        # Lambda delivers failed asynchronous invocations to the on-failure queue with the
        # function's role (CDK's SQS destination grants these three, on that queue only).
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    },
    "recover_run": {
        "states:GetExecutionHistory",
        "s3:GetObject",  # the results the run stored by reference
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "dynamodb:Scan",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "logs:DescribeLogStreams",
        "logs:DeleteLogStream",
    },
}


@pytest.mark.parametrize("spec", layout.ALL_FUNCTIONS, ids=lambda spec: spec.name)
def test_each_role_may_do_exactly_what_its_handler_calls(
    synth: Synth, spec: layout.FunctionSpec
) -> None:
    statements = _policy_statements(synth, spec)
    actions = {action for statement in statements for action in _actions(statement)}
    assert actions == ROLE_ACTIONS[spec.name] | LOGS_AND_TRACES
    assert all(statement["Effect"] == "Allow" for statement in statements)


def test_run_scenario_may_touch_only_the_target(synth: Synth) -> None:
    statements = _policy_statements(synth, _spec("run_scenario"))
    service = _allows(statements, "ecs:UpdateService")
    assert service == [
        "arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:service/shop-edit/editor"
    ]
    cluster = "arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:cluster/shop-edit"
    (stop,) = [s for s in statements if s["Action"] == "ecs:StopTask"]
    assert flatten(stop["Resource"]) == (
        "arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:task/shop-edit/*"
    )
    assert flatten(stop["Condition"]["ArnEquals"]["ecs:cluster"]) == cluster
    # Not every task of the cluster: only the target service's (ECS managed tag).
    assert stop["Condition"]["StringEquals"] == {"aws:ResourceTag/aws:ecs:serviceName": "editor"}
    assert _allows(statements, "dynamodb:GetItem") == [
        "arn:<AWS::Partition>:dynamodb:us-east-1:<AWS::AccountId>:table/shop-sessions"
    ]
    (list_tasks,) = [s for s in statements if s["Action"] == "ecs:ListTasks"]
    assert flatten(list_tasks["Condition"]["ArnEquals"]["ecs:cluster"]) == cluster


def test_cleanup_may_delete_only_in_the_sessions_table_and_the_run_state(synth: Synth) -> None:
    statements = _policy_statements(synth, _spec("cleanup_run"))
    state = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="harness-run-state")
    assert sorted(_allows(statements, "dynamodb:DeleteItem")) == sorted(
        [
            "arn:<AWS::Partition>:dynamodb:us-east-1:<AWS::AccountId>:table/shop-sessions",
            f"<{state}.Arn>",
        ]
    )


def test_maintenance_may_send_only_to_its_failure_queue(synth: Synth) -> None:
    statements = _policy_statements(synth, _spec("run_maintenance"))
    (queue,) = _allows(statements, "sqs:SendMessage")
    queue_id = queue.strip("<>").removesuffix(".Arn")
    assert synth.main_json["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"
    assert "MaintenanceFailures" in queue_id


def test_the_sweep_may_delete_only_in_the_sessions_table(synth: Synth) -> None:
    statements = _policy_statements(synth, _spec("run_maintenance"))
    assert _allows(statements, "dynamodb:DeleteItem") == [
        "arn:<AWS::Partition>:dynamodb:us-east-1:<AWS::AccountId>:table/shop-sessions"
    ]


def test_recovery_reads_only_the_suites_executions(synth: Synth) -> None:
    statements = _policy_statements(synth, _spec("recover_run"))
    assert _allows(statements, "states:GetExecutionHistory") == [
        "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:HarnessTest-suite:*"
    ]


def _spec(name: str) -> layout.FunctionSpec:
    return next(spec for spec in layout.ALL_FUNCTIONS if spec.name == name)


def test_the_scenario_function_has_reserved_concurrency(synth: Synth) -> None:
    function_id = logical_id(
        synth.main, "AWS::Lambda::Function", Description=_spec("run_scenario").description
    )
    props = synth.main_json["Resources"][function_id]["Properties"]
    assert props["ReservedConcurrentExecutions"] == _spec("run_scenario").reserved_concurrency


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"scenarios": {"failure-recovery": {"timeout_seconds": 880}}}, "failure-recovery"),
        ({"scenarios": {"cold-start": {"timeout_seconds": 300, "retries": 2}}}, "cold-start"),
        ({"deploy": {"functions": {"run_scenario": {"timeout_seconds": 600}}}}, "run_scenario"),
        ({"sla": {"suite_max_seconds": 20000}}, "suite_max_seconds"),
    ],
)
def test_timeouts_that_cannot_fit_fail_at_synth(changes: dict[str, Any], named: str) -> None:
    """A scenario's deadline x (retries + 1) must fit its Lambda's timeout (retries run inside
    one invocation), and a run must fit the state machine's TimeoutSeconds."""
    check_timeouts(HarnessConfig())  # the defaults fit
    with pytest.raises(ValueError, match=named):
        check_timeouts(HarnessConfig.model_validate(changes))


def test_publish_report_reads_runs_by_target_and_writes_only_report_prefixes(
    synth: Synth,
) -> None:
    statements = _policy_statements(synth, _spec("publish_report"))
    runs = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-runs")
    bucket = logical_id(
        synth.main, "AWS::S3::Bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    assert _allows(statements, "dynamodb:Query") == [f"<{runs}.Arn>/index/byTarget"]
    assert sorted(_allows(statements, "s3:PutObject")) == [
        f"<{bucket}.Arn>/junit/*",
        f"<{bucket}.Arn>/reports/*",
    ]
    granted = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    # Its log group, X-Ray, the runs index (and one run by key), the two prefixes: nothing else.
    assert granted - {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    } == {"dynamodb:Query", "dynamodb:GetItem", "s3:PutObject"}


def _dynamodb_grants(synth: Synth, name: str) -> dict[str, list[str]]:
    statements = _policy_statements(synth, _spec(name))
    actions = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if action.startswith("dynamodb:")
    }
    return {action: sorted(_allows(statements, action)) for action in sorted(actions)}


def test_the_judges_touch_exactly_the_runs_and_baselines_they_read_and_write(
    synth: Synth,
) -> None:
    runs = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-runs")
    baselines = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-baselines")
    detect = {
        "dynamodb:BatchGetItem": [f"<{baselines}.Arn>"],  # pinned baselines of the run's series
        "dynamodb:Query": sorted([f"<{baselines}.Arn>", f"<{runs}.Arn>/index/byTarget"]),
        "dynamodb:PutItem": [f"<{runs}.Arn>"],  # the judgement (and the confirm pass's run)
        "dynamodb:GetItem": [f"<{runs}.Arn>"],  # the whole run, when the state carried it abridged
    }
    assert _dynamodb_grants(synth, "detect_regressions") == detect
    assert _dynamodb_grants(synth, "judge_confirmation") == detect
    assert _dynamodb_grants(synth, "plan_confirmation") == {}


def test_leases_functions_touch_only_the_leases_table_and_the_edit_service(synth: Synth) -> None:
    leases = logical_id(synth.main, "AWS::DynamoDB::Table", TableName="it-leases")
    service = "arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:service/shop-edit/editor"
    acquire = _policy_statements(synth, _spec("acquire_leases"))
    release = _policy_statements(synth, _spec("release_leases"))
    for statements in (acquire, release):
        assert _allows(statements, "dynamodb:PutItem") == [f"<{leases}.Arn>"]
        assert _allows(statements, "dynamodb:DeleteItem") == [f"<{leases}.Arn>"]
        assert _allows(statements, "ecs:DescribeServices") == [service]
    # Acquire reads what to restore and starts warming a cold target its first group needs
    # warm (best effort); release puts the count back.
    assert _allows(acquire, "ecs:UpdateService") == [service]
    assert _allows(release, "ecs:UpdateService") == [service]


def test_load_batches_get_no_aws_permissions_and_their_judge_only_stores_the_result(
    synth: Synth,
) -> None:
    judge = _allows(_policy_statements(synth, _spec("judge_load")), "s3:PutObject")
    assert [target.split(">", 1)[1] for target in judge] == ["/results/*"]
    actions = {
        action
        for statement in _policy_statements(synth, _spec("run_user_batch"))
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert {a.split(":")[0] for a in actions} <= {"logs", "xray"}, actions


def test_the_state_machine_may_start_only_its_own_child_executions(synth: Synth) -> None:
    role = _state_machine(synth)["RoleArn"]["Fn::GetAtt"][0]
    policies = synth.main.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role}]}}
    )
    statements = [
        s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    prefix = "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>"
    assert _allows(statements, "states:StartExecution") == [
        f"{prefix}:stateMachine:HarnessTest-suite"
    ]
    assert _allows(statements, "states:StopExecution") == [
        f"{prefix}:execution:HarnessTest-suite/*"
    ]


def test_a_pool_of_targets_is_granted_every_member_and_nothing_else(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """With ``[[targets]]``, scenarios and leases may touch each member's service and table."""
    from aws_cdk.assertions import Template

    from infra.app import build_app

    config = HarnessConfig.model_validate(
        {
            **synth_config_value.model_dump(exclude={"targets"}),
            "target": {**synth_config_value.target.model_dump(), "name": "shop"},
            "targets": [
                {
                    "name": name,
                    "endpoint": f"https://{name}.example.com",
                    "ecs_service": f"edit-{name}",
                    "sessions_table": f"sessions-{name}",
                }
                for name in ("a", "b")
            ],
        }
    )
    outdir = tmp_path_factory.mktemp("pool.out")
    stack = build_app(config, outdir=outdir).synth().get_stack_by_name(config.deploy.stack_name)
    template = Template.from_json(stack.template)
    function = logical_id(
        template, "AWS::Lambda::Function", Description=_spec("run_scenario").description
    )
    role = template.to_json()["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": Match.array_with([{"Ref": role}])}}
    )
    statements = [
        s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    prefix = "arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:service/shop-edit"
    assert sorted(_allows(statements, "ecs:UpdateService")) == [
        f"{prefix}/edit-a",
        f"{prefix}/edit-b",
    ]
    # Stopping a task: only tasks of a member's service (any of them, by its ECS managed tag).
    (stop,) = [s for s in statements if s["Action"] == "ecs:StopTask"]
    assert sorted(stop["Condition"]["StringEquals"]["aws:ResourceTag/aws:ecs:serviceName"]) == [
        "edit-a",
        "edit-b",
    ]


def test_results_by_reference_and_the_cache_are_granted_by_prefix(synth: Synth) -> None:
    def objects(name: str, action: str) -> list[str]:
        found = _allows(_policy_statements(synth, _spec(name)), action)
        return sorted(target.split(">", 1)[1] for target in found)

    assert objects("run_scenario", "s3:PutObject") == ["/results/*"]
    assert objects("plan_run", "s3:PutObject") == ["/results/*"]  # cached passes, reasons
    assert objects("plan_run", "s3:GetObject") == ["/cache/*"]
    assert objects("aggregate_run", "s3:GetObject") == ["/results/*"]
    assert objects("aggregate_run", "s3:DeleteObject") == ["/results/*"]
    assert objects("judge_confirmation", "s3:GetObject") == ["/results/*"]  # the confirm pass
    (listing,) = [
        s
        for s in _policy_statements(synth, _spec("aggregate_run"))
        if s["Action"] == "s3:ListBucket"
    ]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["results/*"]}}
    for name in ("setup_group", "release_leases", "detect_regressions", "send_alerts"):
        assert objects(name, "s3:PutObject") == [] and objects(name, "s3:GetObject") == []


def test_cleanup_deletes_conditionally_and_only_the_session_log_streams(synth: Synth) -> None:
    statements = _policy_statements(synth, _spec("cleanup_run"))
    # DeleteItem on the sessions table only (and the run state): see the test above.
    assert _allows(statements, "dynamodb:BatchWriteItem") == []  # it takes no condition
    streams = "arn:<AWS::Partition>:logs:us-east-1:<AWS::AccountId>:log-group:/shop/edit-sessions:*"
    assert _allows(statements, "logs:DeleteLogStream") == [streams]
    assert _allows(statements, "logs:DescribeLogStreams") == [streams]
