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
from harness.errors import InvalidEventError, InvalidRunRequestError, UnsafeCleanupError
from harness.judge.results import RunResults
from harness.layout import FUNCTIONS_DIR
from harness.local.folder_store import FolderStore
from harness.local.sqlite_history import SqliteHistory
from harness.wire import GroupPlan, LanePlan, ScenarioOutcome, ScenarioResult, ScenarioSpec, Status
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
    RunResults(FolderStore(tmp_path)).put(run.run_id, result)  # as RunScenario does
    event = {
        "run": run.to_wire(),
        "lanes": [lane.to_wire()],
        "maxGroupConcurrency": 1,
        "laneResults": [
            {
                "lane": lane.to_wire(),
                "run": run.to_wire(),
                "groupResults": [
                    {
                        "group": group.to_wire(),
                        "run": run.to_wire(),
                        "results": [ScenarioOutcome.of(result).to_wire()],
                    }
                ],
            }
        ],
    }

    output = handler("aggregate_run").lambda_handler(event, Context())

    assert output["verdict"] == "passed"
    stored = SqliteHistory.in_state_dir(tmp_path).get_run(run.run_id)
    assert stored is not None and stored.results[0].status is Status.PASS
    assert stored.results[0].metrics == result.metrics  # read back by reference
    assert not (tmp_path / "results" / run.run_id).exists()  # forgotten once in history
    emf = emf_metrics(capsys.readouterr().out)
    assert emf["Suite"] == run.suite
    assert emf["ColdStartSeconds"] == [3.5] and emf["SuccessRate"] == [100.0]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Harness"

    # Lambda's own errors are retried by the state machine, also after the run was stored:
    # the retry ends with the same verdict, and the stored run is not replaced.
    again = handler("aggregate_run").lambda_handler(event, Context())
    assert again["verdict"] == "passed"
    assert SqliteHistory.in_state_dir(tmp_path).get_run(run.run_id) == stored


def test_unknown_maintenance_job_is_refused_naming_the_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_config(monkeypatch, HarnessConfig(target=TargetConfig(endpoint="http://127.0.0.1:9")))
    monkeypatch.setenv("HARNESS_STATE_MACHINE_ARN", "arn:aws:states:us-east-1:1:stateMachine:x")
    with pytest.raises(InvalidEventError, match="job"):
        handler("run_maintenance").lambda_handler({"job": "hourly"}, Context())


def test_a_crafted_input_cannot_delete_a_non_test_item_in_aws(
    stack: StackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployed config (run.deployed): Plan refuses a chosen run id or prefix, and the
    Cleanup function, invoked directly with a crafted run, refuses any other prefix."""
    target = stack()
    customer = target.api.create_session("user_42_profile", "a-real-user").json()["sessionId"]
    deployed = HarnessConfig.model_validate(
        {"target": {"endpoint": "https://edit.example.com"}, "run": {"deployed": True}}
    )
    use_config(monkeypatch, deployed)
    plan = handler("plan_run")
    for crafted in (
        {"suite": "smoke", "runId": "42", "target": {"testPrefix": "user_"}},
        {"suite": "smoke", "runId": "42"},
        {"suite": "smoke", "target": {"awsEndpointUrl": "https://collector.example.com"}},
    ):
        with pytest.raises((InvalidRunRequestError, InvalidEventError)):
            plan.lambda_handler(crafted, Context())

    resolved = target.run.target
    use_config(
        monkeypatch,
        HarnessConfig(
            target=TargetConfig.model_validate(resolved.model_dump()), run={"deployed": True}
        ),
    )
    crafted_run = {**target.run.to_wire(), "runId": "42"}
    crafted_run["target"] = {**crafted_run["target"], "testPrefix": "user_"}  # type: ignore[dict-item]
    with pytest.raises(UnsafeCleanupError):
        handler("cleanup_run").lambda_handler({"run": crafted_run}, Context())
    assert target.infra.get_session_item(customer) is not None


def test_plan_run_aggregate_then_plan_again_reuses_the_pass(
    stack: StackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache through the handlers, as the state machine chains them (no engine)."""
    target = stack()
    fields = {**target.run.target.model_dump(), "version": "build-1"}
    config = HarnessConfig(
        target=TargetConfig.model_validate(fields), local={"state_dir": str(tmp_path)}
    )
    use_config(monkeypatch, config)
    request = {"scenarios": ["alb-routing"], "runId": "first"}
    plan = handler("plan_run").lambda_handler(request, Context())
    ((spec,),) = [group["scenarios"] for lane in plan["lanes"] for group in lane["groups"]]
    assert len(spec["cacheKey"]) == 64 and plan["cached"] == []
    outcome = handler("run_scenario").lambda_handler(
        {"scenario": spec, "run": plan["run"], "target": plan["lanes"][0]["target"]}, Context()
    )
    assert outcome["status"] == "pass" and set(outcome) <= {
        "scenario",
        "group",
        "status",
        "durationSeconds",
        "reason",
    }
    (lane,) = plan["lanes"]
    finished = {"group": lane["groups"][0], "results": [outcome]}
    aggregated = handler("aggregate_run").lambda_handler(
        {**plan, "laneResults": [{"lane": lane, "groupResults": [finished]}]}, Context()
    )
    assert aggregated["verdict"] == "passed"

    again = handler("plan_run").lambda_handler({**request, "runId": "second"}, Context())
    assert again["lanes"] == []
    assert [(c["name"], c["cachedFrom"]) for c in again["cached"]] == [("alb-routing", "first")]
    summary = handler("aggregate_run").lambda_handler({**again, "laneResults": []}, Context())
    (result,) = summary["summary"]["results"]
    assert (result["status"], result["cachedFrom"]) == ("cached", "first")
    assert result["metrics"]  # the numbers of the run it came from

    # A new deployment of the target: the cache must not answer for it.
    use_config(
        monkeypatch,
        config.model_copy(
            update={"target": config.target.model_copy(update={"version": "build-2"})}
        ),
    )
    third = handler("plan_run").lambda_handler({**request, "runId": "third"}, Context())
    assert third["cached"] == [] and len(third["lanes"]) == 1
