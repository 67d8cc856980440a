"""Our Lambda runtime inside moto: real invocations through the Lambda API on loopback."""

from __future__ import annotations

import io
import json
import threading
import uuid
import zipfile
from typing import Any

from harness.aws.clients import client
from harness.local import lambda_runtime
from harness.local.moto_server import MotoServer

HANDLER = """
import time

class TargetUnavailableError(Exception):
    pass

def lambda_handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise TargetUnavailableError(event["fail"])
    return {"echo": event, "function": context.function_name,
            "remaining": context.get_remaining_time_in_millis()}
"""


def deploy(moto: MotoServer, timeout: int = 30) -> tuple[Any, str]:
    lambdas = client("lambda", region="us-east-1", endpoint_url=moto.endpoint)
    iam = client("iam", region="us-east-1", endpoint_url=moto.endpoint)
    name = f"fn-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("handler.py", HANDLER)
    lambdas.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.lambda_handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=timeout,
    )
    return lambdas, name


def invoke(lambdas: Any, name: str, event: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    answer = lambdas.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(answer["Payload"].read()), answer.get("FunctionError")


def test_handler_runs_in_process_with_a_context(moto_server: MotoServer) -> None:
    lambdas, name = deploy(moto_server)
    payload, error = invoke(lambdas, name, {"hello": "world"})
    assert error is None
    assert payload["echo"] == {"hello": "world"}
    assert payload["function"] == name
    assert 0 < payload["remaining"] <= 30000


def test_exception_class_name_becomes_the_error_type(moto_server: MotoServer) -> None:
    lambdas, name = deploy(moto_server)
    payload, error = invoke(lambdas, name, {"fail": "down"})
    assert error is not None
    assert payload["errorType"] == "TargetUnavailableError"
    assert payload["errorMessage"] == "down"


def test_running_past_the_timeout_is_reported_like_lambda(moto_server: MotoServer) -> None:
    lambdas, name = deploy(moto_server, timeout=1)
    payload, error = invoke(lambdas, name, {"sleep": 1.5})
    assert error is not None
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "timed out after 1.00 seconds" in payload["errorMessage"]


def test_a_follower_waiting_for_a_function_wakes_when_it_starts(moto_server: MotoServer) -> None:
    lambdas, name = deploy(moto_server)
    _, other = deploy(moto_server)
    before = lambda_runtime.started(name)
    woke: list[int] = []
    waiter = threading.Thread(
        target=lambda: woke.append(lambda_runtime.wait_for_start(name, before, timeout=120))
    )
    waiter.start()
    invoke(lambdas, other, {})  # another function does not wake it
    assert waiter.is_alive() and woke == []
    invoke(lambdas, name, {})
    waiter.join(60)  # long before its own 120 s timeout: the start woke it
    assert woke == [before + 1]
    assert lambda_runtime.wait_for_start(name, before, timeout=120) == before + 1  # at once
