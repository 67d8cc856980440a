from datetime import UTC, datetime

import pytest

from harness.config import HarnessConfig, ScenarioOverride, TargetConfig
from harness.errors import ConfigError, InvalidRunRequestError, UnknownScenarioError
from harness.planning.plan import plan_run, resolve_target
from harness.wire import RunRequest, TargetOverride
from tests.fakes import definition

NOW = datetime(2026, 11, 24, 5, 33, 49, tzinfo=UTC)
CONFIG = HarnessConfig(target=TargetConfig(endpoint="http://127.0.0.1:9"))
# A literal catalogue shaped like the built-in one: adding a scenario changes nothing here.
CATALOGUE = {
    entry.name: entry
    for entry in (
        definition("cold-start", "lifecycle", ("smoke", "full")),
        definition("session-persistence", "lifecycle"),
        definition("concurrent-sessions", "load", params={"users": 10}),
        definition("alb-routing", "routing", ("smoke", "full")),
        definition("failure-recovery", "routing"),
    )
}


def test_one_target_runs_scenarios_that_declare_nothing_one_at_a_time() -> None:
    """A scenario that does not say what it does to the target is taken to disrupt all of
    it: on one target, every such scenario gets a group of its own, one after another."""
    plan = plan_run(RunRequest(), CONFIG, CATALOGUE, NOW)
    (lane,) = plan.lanes
    layout = [[s.name for s in group.scenarios] for group in lane.groups]
    assert sorted(name for group in layout for name in group) == sorted(CATALOGUE)
    assert all(len(group) == 1 for group in layout)
    assert plan.run.run_id.startswith("20261124T053349Z-")
    assert plan.max_group_concurrency == 1
    assert all(group.max_concurrency == 1 for group in plan.groups)


def test_smoke_suite_is_selected_by_tag() -> None:
    plan = plan_run(RunRequest(suite="smoke"), CONFIG, CATALOGUE, NOW)
    assert {s.name for s in plan.scenarios} == {"cold-start", "alb-routing"}
    assert plan.run.suite == "smoke"


def test_explicit_scenarios_are_deduplicated() -> None:
    request = RunRequest(scenarios=["alb-routing", "alb-routing"], run_id="r1")
    plan = plan_run(request, CONFIG, CATALOGUE, NOW)
    assert [s.name for s in plan.scenarios] == ["alb-routing"]
    assert plan.run.run_id == "r1"
    assert plan.run.suite == "custom"


def test_unknown_scenario_names_its_position() -> None:
    request = RunRequest(scenarios=["cold-start", "warm-start"])
    with pytest.raises(
        UnknownScenarioError, match=r"scenarios\[1\]: unknown scenario 'warm-start'"
    ):
        plan_run(request, CONFIG, CATALOGUE, NOW)


def test_config_overrides_shape_the_plan() -> None:
    config = CONFIG.model_copy(
        update={
            "scenarios": {
                "cold-start": ScenarioOverride(group="solo", timeout_seconds=42, retries=1),
                "alb-routing": ScenarioOverride(enabled=False),
                "concurrent-sessions": ScenarioOverride(params={"users": 3}),
            }
        }
    )
    plan = plan_run(RunRequest(), config, CATALOGUE, NOW)
    cold = next(s for s in plan.scenarios if s.name == "cold-start")
    assert (cold.group, cold.timeout_seconds, cold.retries) == ("solo", 42, 1)
    assert "alb-routing" not in {s.name for s in plan.scenarios}
    assert next(s for s in plan.scenarios if s.name == "concurrent-sessions").params == {"users": 3}


def test_unknown_scenario_parameter_is_a_config_error() -> None:
    config = CONFIG.model_copy(
        update={"scenarios": {"cold-start": ScenarioOverride(params={"userz": 3})}}
    )
    with pytest.raises(ConfigError, match=r"scenarios.cold-start.params"):
        plan_run(RunRequest(), config, CATALOGUE, NOW)


def test_suite_with_nothing_selected_is_rejected() -> None:
    config = CONFIG.model_copy(
        update={"scenarios": {n: ScenarioOverride(enabled=False) for n in CATALOGUE}}
    )
    with pytest.raises(InvalidRunRequestError, match="selects no scenarios"):
        plan_run(RunRequest(suite="smoke"), config, CATALOGUE, NOW)


DEPLOYED = HarnessConfig.model_validate(
    {"target": {"endpoint": "https://edit.example.com"}, "run": {"deployed": True}}
)


def test_deployed_plan_makes_the_run_id_and_refuses_one_from_the_input() -> None:
    plan = plan_run(RunRequest(suite="smoke"), DEPLOYED, CATALOGUE, NOW)
    assert plan.run.run_id.startswith("20261124T053349Z-")
    with pytest.raises(InvalidRunRequestError, match="runId"):
        plan_run(RunRequest(suite="smoke", run_id="mine"), DEPLOYED, CATALOGUE, NOW)


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"endpoint": "https://attacker.example.com"}, "target.endpoint"),
        ({"awsEndpointUrl": "https://collector.example.com"}, "target.awsEndpointUrl"),
    ],
)
def test_deployed_plan_refuses_endpoint_overrides(override: dict[str, str], named: str) -> None:
    request = RunRequest.model_validate({"suite": "smoke", "target": override})
    with pytest.raises(InvalidRunRequestError, match=named):
        plan_run(request, DEPLOYED, CATALOGUE, NOW)
    assert plan_run(request, CONFIG, CATALOGUE, NOW)  # locally an override is fine


@pytest.mark.parametrize(
    "endpoint", ["http://edit.example", "http://10.0.0.1:8080", "http://localhost.example.com"]
)
def test_deployed_endpoints_must_be_https(endpoint: str) -> None:
    plain = DEPLOYED.model_copy(update={"target": TargetConfig(endpoint=endpoint)})
    with pytest.raises(ConfigError, match="https"):
        plan_run(RunRequest(suite="smoke"), plain, CATALOGUE, NOW)


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8080", "http://localhost:9000"])
def test_a_deployed_stack_on_a_local_emulator_may_use_loopback_http(endpoint: str) -> None:
    local = DEPLOYED.model_copy(update={"target": TargetConfig(endpoint=endpoint)})
    assert plan_run(RunRequest(suite="smoke"), local, CATALOGUE, NOW).run.target.endpoint


def test_target_override_wins_and_empty_endpoint_is_refused() -> None:
    resolved = resolve_target(CONFIG.target, TargetOverride(endpoint="https://edit.example.com"))
    assert resolved.endpoint == "https://edit.example.com"
    assert resolved.sessions_table == CONFIG.target.sessions_table
    with pytest.raises(ConfigError, match=r"target 'reference': endpoint is empty"):
        resolve_target(TargetConfig(), None)
