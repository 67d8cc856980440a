"""The scenario catalogue. To add a scenario: write a module with a ``DEFINITION`` and list
it here (docs/scenarios.md says more)."""

from __future__ import annotations

from harness.errors import UnknownScenarioError
from harness.scenarios import (
    alb_routing,
    cold_start,
    concurrent_sessions,
    failure_recovery,
    session_persistence,
)
from harness.scenarios.base import ScenarioContext, ScenarioDefinition

__all__ = ["CATALOGUE", "ScenarioContext", "ScenarioDefinition", "get_scenario"]

CATALOGUE: dict[str, ScenarioDefinition] = {
    definition.name: definition
    for definition in (
        cold_start.DEFINITION,
        session_persistence.DEFINITION,
        concurrent_sessions.DEFINITION,
        alb_routing.DEFINITION,
        failure_recovery.DEFINITION,
    )
}


def get_scenario(name: str) -> ScenarioDefinition:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownScenarioError(
            f"unknown scenario '{name}'; known scenarios: {', '.join(sorted(CATALOGUE))}"
        ) from None
