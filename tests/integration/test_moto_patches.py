"""What the local engine changes in moto keeps moto's behaviour: a definition parsed once is
still validated, and every execution gets evaluation components of its own; a service model
is read once for clients and moto alike, unless moto adds extras to it."""

from __future__ import annotations

import pytest
from moto.core.utils import get_service_model
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
)

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
