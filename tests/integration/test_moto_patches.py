"""What the local engine changes in moto keeps moto's behaviour: a definition parsed once is
still validated, and every execution gets evaluation components of its own; a service model
is read once for clients and moto alike, unless moto adds extras to it; an execution's history
is served as moto serializes it, in the pages asked for."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.core.utils import get_service_model
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
)
from moto.stepfunctions.responses import StepFunctionResponse

from harness.aws.clients import client, local_data_loader
from harness.layout import render_asl, suite_placeholders
from harness.local.moto_server import MotoServer


def test_a_definition_is_parsed_once_and_each_caller_gets_its_own_program(
    moto_server: MotoServer,
) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:parsed-once"
    definition = render_asl({name: arn for name in suite_placeholders()})
    first_program, first_tree = AmazonStateLanguageParser.parse(definition)
    second_program, second_tree = AmazonStateLanguageParser.parse(definition)
    assert second_tree is first_tree  # lexed and parsed once
    assert second_program is not first_program  # executions share no components
    assert type(second_program) is type(first_program)


def test_an_invalid_definition_is_still_refused(moto_server: MotoServer) -> None:
    broken = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": tru}}}'
    for _ in range(2):  # not remembered as parsed
        with pytest.raises(ASLParserException):
            AmazonStateLanguageParser.parse(broken)


def test_moto_serves_a_service_with_the_model_its_clients_read(moto_server: MotoServer) -> None:
    logs = client("logs", region="us-east-1", endpoint_url=moto_server.endpoint)
    logs.create_log_group(logGroupName="/harness/shared-model")  # moto reads its model here
    served = get_service_model("logs")
    assert served._service_description is logs.meta.service_model._service_description
    found = logs.describe_log_groups(logGroupNamePrefix="/harness/shared-model")
    assert [group["logGroupName"] for group in found["logGroups"]] == ["/harness/shared-model"]


def test_a_model_moto_adds_extras_to_is_moto_own(moto_server: MotoServer) -> None:
    loader = local_data_loader()
    botocore_model = loader.load_service_model("sqs", type_name="service-2", api_version=None)
    served = get_service_model("sqs")  # moto ships service-2 extras for SQS
    assert served._service_description is not botocore_model


VARIED = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"items": [1, 2, 3]}, "Next": "EachItem"},
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "Iterator": {
                "StartAt": "Double",
                "States": {"Double": {"Type": "Pass", "End": True}},
            },
            "ResultPath": "$.doubled",
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Right",
                    "States": {"Right": {"Type": "Wait", "Seconds": 0, "End": True}},
                },
            ],
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$[0].items[0]", "NumericEquals": 1, "Next": "Broken"}],
            "Default": "Done",
        },
        "Broken": {"Type": "Fail", "Error": "Planned", "Cause": "the test wants a failure event"},
        "Done": {"Type": "Succeed"},
    },
}


def finished_history(moto_server: MotoServer) -> tuple[Any, str]:
    sfn = client("stepfunctions", region="us-east-1", endpoint_url=moto_server.endpoint)
    machine = sfn.create_state_machine(
        name=f"varied-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(VARIED),
        roleArn="arn:aws:iam::123456789012:role/varied",
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input='{"run": "varied"}')["executionArn"]
    deadline = time.monotonic() + 60
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.05)
    return sfn, arn


def test_history_is_served_as_moto_serializes_it(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sfn, arn = finished_history(moto_server)
    served = sfn.get_execution_history(executionArn=arn)
    assert "nextToken" not in served  # no maxResults: everything, as moto answered
    monkeypatch.setattr(
        StepFunctionResponse,
        "get_execution_history",
        getattr(StepFunctionResponse.get_execution_history, "__wrapped__"),  # noqa: B009
    )
    by_moto = sfn.get_execution_history(executionArn=arn)
    assert served["events"] == by_moto["events"]
    kinds = {event["type"] for event in served["events"]}
    assert {
        "MapStateStarted",
        "ParallelStateEntered",
        "WaitStateExited",
        "ExecutionFailed",
    } <= kinds


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest-first", "newest-first"])
def test_history_pages_follow_the_token_without_gaps(
    moto_server: MotoServer, newest_first: bool
) -> None:
    sfn, arn = finished_history(moto_server)
    everything = sfn.get_execution_history(executionArn=arn)["events"]
    paged: list[dict[str, Any]] = []
    request: dict[str, Any] = {"executionArn": arn, "maxResults": 4, "reverseOrder": newest_first}
    while True:
        page = sfn.get_execution_history(**request)
        assert 0 < len(page["events"]) <= 4
        paged.extend(page["events"])
        if "nextToken" not in page:
            break
        request["nextToken"] = page["nextToken"]
    assert paged == (everything[::-1] if newest_first else everything)


def test_a_token_that_is_not_ours_is_refused(moto_server: MotoServer) -> None:
    sfn, arn = finished_history(moto_server)
    with pytest.raises(ClientError) as refused:
        sfn.get_execution_history(executionArn=arn, maxResults=2, nextToken="not-a-token")
    assert refused.value.response["Error"]["Code"] == "InvalidToken"


def test_the_interpreter_shares_one_lambda_client_made_like_motos(moto_server: MotoServer) -> None:
    made = getattr(lambda_eval_utils, "boto_client_for")  # noqa: B009 - moto's, not exported
    first = made(region="us-east-1", service="lambda")
    assert made(region="us-east-1", service="lambda") is first
    assert first._loader is local_data_loader()  # the models every local client has read
    assert first.meta.endpoint_url == f"http://localhost:{moto_server.port}"
    assert first.meta.config.retries["total_max_attempts"] == 1  # a task is never re-sent
    assert type(first._serializer).__name__ != "ParamValidationDecorator"  # as moto's
