"""What the local engine changes in moto keeps moto's behaviour: a definition parsed once is
still validated, and every execution gets evaluation components of its own."""

from __future__ import annotations

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
)

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
