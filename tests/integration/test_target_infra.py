"""``Boto3TargetInfra`` against the real moto server: AWS's errors arrive as the harness's
own ``TargetInfraError``, naming the call and the resource."""

from __future__ import annotations

import uuid

import pytest

from harness.aws.target_infra import Boto3TargetInfra
from harness.config import TargetConfig
from harness.errors import TargetInfraError
from harness.local.moto_server import MotoServer
from harness.local.reference_target import provision_target_resources
from tests.integration.running_target import config_for, resolved


def _infra(moto_server: MotoServer, config: TargetConfig) -> Boto3TargetInfra:
    return Boto3TargetInfra(resolved(config, "http://127.0.0.1:9", moto_server.endpoint))


def _names() -> TargetConfig:
    return config_for(uuid.uuid4().hex[:8])


def test_missing_resources_are_target_infra_errors(moto_server: MotoServer) -> None:
    config = _names()
    infra = _infra(moto_server, config)

    with pytest.raises(TargetInfraError, match=rf"{config.sessions_table}.*ResourceNotFound"):
        infra.get_session_item("s-1")
    with pytest.raises(TargetInfraError, match=rf"ECS service {config.ecs_cluster}/"):
        infra.desired_count()
    with pytest.raises(TargetInfraError, match=r"UpdateService .* failed: \w+"):
        infra.set_desired_count(1)


def test_a_provisioned_target_answers_without_errors(moto_server: MotoServer) -> None:
    config = _names()
    provision_target_resources(config, moto_server.endpoint)
    infra = _infra(moto_server, config)

    assert infra.get_session_item("s-1") is None
    assert infra.desired_count() == 0
    assert infra.find_session_ids("TEST_") == []
    assert infra.delete_session_items([], "TEST_") == 0
