"""The scenario catalogue: the built-in scenarios, plus every scenario an installed package
registers under the entry-point group ``harness.scenarios`` (docs/scenarios.md shows one).

A plugin's entry point is named after its scenario and points at its ``ScenarioDefinition``
(``preview-assets = "harness_preview:DEFINITION"``). Registration refuses what could not
run: a definition that breaks the rules (``ScenarioDefinition`` checks itself), an entry
point that does not load or names another scenario, and a name registered twice.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points

from harness.errors import ScenarioDefinitionError, UnknownScenarioError
from harness.scenarios import (
    alb_routing,
    cold_start,
    concurrent_sessions,
    failure_recovery,
    routing_at_zero,
    session_persistence,
)
from harness.scenarios.base import ScenarioDefinition

ENTRY_POINT_GROUP = "harness.scenarios"
BUILT_IN = "built-in"

BUILT_IN_SCENARIOS: tuple[ScenarioDefinition, ...] = (
    cold_start.DEFINITION,
    session_persistence.DEFINITION,
    concurrent_sessions.DEFINITION,
    alb_routing.DEFINITION,
    failure_recovery.DEFINITION,
    routing_at_zero.DEFINITION,
)


class Catalogue(Mapping[str, ScenarioDefinition]):
    """Scenario definitions by name, in registration order, each with where it came from."""

    def __init__(self, entries: Iterable[tuple[ScenarioDefinition, str]]) -> None:
        self._definitions: dict[str, ScenarioDefinition] = {}
        self._sources: dict[str, str] = {}
        for definition, source in entries:
            if definition.name in self._definitions:
                raise ScenarioDefinitionError(
                    f"scenario '{definition.name}' from {source} is already registered by "
                    f"{self._sources[definition.name]}; rename one of them"
                )
            self._definitions[definition.name] = definition
            self._sources[definition.name] = source

    def __getitem__(self, name: str) -> ScenarioDefinition:
        return self._definitions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)

    def source(self, name: str) -> str:
        """``built-in``, or the plugin: ``plugin <distribution> <version> (<module:attr>)``."""
        return self._sources[name]

    def get_scenario(self, name: str) -> ScenarioDefinition:
        try:
            return self._definitions[name]
        except KeyError:
            raise UnknownScenarioError(
                f"unknown scenario '{name}'; known scenarios: {', '.join(sorted(self))}"
            ) from None


def plugin_entries(
    points: Iterable[EntryPoint] | None = None,
) -> list[tuple[ScenarioDefinition, str]]:
    """Load every scenario plugin (default: the installed ``harness.scenarios`` entry points)."""
    found = []
    for point in entry_points(group=ENTRY_POINT_GROUP) if points is None else points:
        dist = point.dist
        origin = f"{dist.name} {dist.version} " if dist is not None else ""
        source = f"plugin {origin}({point.value})"
        try:
            definition = point.load()
        except Exception as err:  # any failure of a plugin's import is reported, named
            raise ScenarioDefinitionError(
                f"scenario plugin '{point.name}' from {source} failed to load: "
                f"{type(err).__name__}: {err}"
            ) from err
        if not isinstance(definition, ScenarioDefinition):
            raise ScenarioDefinitionError(
                f"scenario plugin '{point.name}' from {source} is a {type(definition).__name__}, "
                "not a ScenarioDefinition"
            )
        if definition.name != point.name:
            raise ScenarioDefinitionError(
                f"scenario plugin '{point.name}' from {source} defines '{definition.name}'; "
                "name the entry point after its scenario"
            )
        found.append((definition, source))
    return found


@functools.cache
def catalogue() -> Catalogue:
    """The built-ins and the installed plugins, loaded once per process."""
    built_in = [(definition, BUILT_IN) for definition in BUILT_IN_SCENARIOS]
    return Catalogue([*built_in, *plugin_entries()])


def get_scenario(name: str) -> ScenarioDefinition:
    return catalogue().get_scenario(name)
