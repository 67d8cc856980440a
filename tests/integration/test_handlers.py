"""Lambda handlers called directly, as Lambda would, with the config in the environment."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from harness.config import HarnessConfig, TargetConfig
from harness.errors import InvalidEventError
from harness.layout import FUNCTIONS_DIR
from harness.local.sqlite_history import SqliteHistory
from harness.wire import GroupPlan, LanePlan, ScenarioResult, ScenarioSpec, Status
from tests.integration.stacks import StackFactory


def handler(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"test_fn_{name}", FUNCTIONS_DIR / name / "handler.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def use_config(monkeypatch: pytest.MonkeyPatch, config: HarnessConfig) -> None:
    monkeypatch.setenv("HARNESS_CONFIG_JSON", config.model_dump_json())
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Harness")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)


class Context:
    function_name = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "req-1"


def emf_metrics(captured: str) -> dict[str, Any]:
    for line in captured.splitlines():
        if '"_aws"' in line:
            return dict(json.loads(line))
    raise AssertionError(f"no EMF line in output:\n{captured}")


def test_aggregate_stores_the_run_and_emits_emf_metrics(
    stack: StackFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = stack().run
    use_config(monkeypatch, HarnessConfig(local={"state_dir": str(tmp_path)}))
    spec = ScenarioSpec(name="cold-start", group="lifecycle", tags=["smoke"], timeout_seconds=60)
    group = GroupPlan(name="reference#1", parallel=False, max_concurrency=1, scenarios=[spec])
    result = ScenarioResult.model_validate(
        {
            "scenario": "cold-start",
            "group": "lifecycle",
            "status": "pass",
            "metrics": [{"name": "cold_start_seconds", "value": 3.5, "unit": "seconds"}],
        }
    )
    lane = LanePlan(target=run.target, groups=[group])
    event = {
        "run": run.to_wire(),
        "lanes": [lane.to_wire()],
        "maxGroupConcurrency": 1,
        "laneResults": [
            {
                "lane": lane.to_wire(),
                "run": run.to_wire(),
                "groupResults": [
                    {"group": group.to_wire(), "run": run.to_wire(), "results": [result.to_wire()]}
                ],
            }
        ],
    }

    output = handler("aggregate_run").lambda_handler(event, Context())

    assert output["verdict"] == "passed"
    stored = SqliteHistory.in_state_dir(tmp_path).get_run(run.run_id)
    assert stored is not None and stored.results[0].status is Status.PASS
    emf = emf_metrics(capsys.readouterr().out)
    assert emf["Suite"] == run.suite
    assert emf["ColdStartSeconds"] == [3.5] and emf["SuccessRate"] == [100.0]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Harness"


def test_unknown_maintenance_job_is_refused_naming_the_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_config(monkeypatch, HarnessConfig(target=TargetConfig(endpoint="http://127.0.0.1:9")))
    monkeypatch.setenv("HARNESS_STATE_MACHINE_ARN", "arn:aws:states:us-east-1:1:stateMachine:x")
    with pytest.raises(InvalidEventError, match="job"):
        handler("run_maintenance").lambda_handler({"job": "hourly"}, Context())
