"""Registering scenarios: a definition checks itself when it is made, and the catalogue
refuses plugins that could not run (bad entry point, wrong name, a name taken twice)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from harness.errors import ScenarioDefinitionError, UnknownScenarioError
from harness.scenarios.catalogue import (
    BUILT_IN,
    BUILT_IN_SCENARIOS,
    ENTRY_POINT_GROUP,
    Catalogue,
    catalogue,
    plugin_entries,
)
from harness.wire import MetricUnit
from tests.fakes import definition

PLUGIN = definition("literal-plugin")
NOT_A_DEFINITION = {"name": "literal-plugin"}


def point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"name": "preview_assets"}, "name: 'preview_assets' does not match"),
        ({"name": "Preview"}, "name: 'Preview' does not match"),
        ({"metrics": {"load_seconds": "secnds"}}, "metrics.load_seconds: unit 'secnds'"),
        ({"checks": ("ok", "ok")}, "checks: names must be unique"),
        ({"checks": ("sla:mine",)}, "'sla:mine' is empty or uses the runner's 'sla:' prefix"),
    ],
)
def test_a_bad_definition_fails_when_it_is_made(changes: dict[str, object], named: str) -> None:
    fields: dict[str, object] = {"name": "preview-assets", **changes}
    with pytest.raises(ScenarioDefinitionError, match="is not valid") as caught:
        definition(**fields)  # type: ignore[arg-type]
    assert named in str(caught.value)


def test_timeout_and_group_are_checked_too() -> None:
    good = definition("x")
    with pytest.raises(ScenarioDefinitionError, match=r"timeout_seconds: 901 is not in 1..900"):
        type(good)(**{**good.__dict__, "timeout_seconds": 901})
    with pytest.raises(ScenarioDefinitionError, match="group: must not be empty"):
        type(good)(**{**good.__dict__, "group": " "})


def test_every_unit_a_metric_can_have_is_accepted() -> None:
    units: tuple[MetricUnit, ...] = ("seconds", "milliseconds", "percent", "count", "usd", "ratio")
    assert definition("x", metrics={f"m{n}": unit for n, unit in enumerate(units)})


def test_a_plugin_entry_point_registers_its_definition() -> None:
    (entry,) = plugin_entries([point("literal-plugin", f"{__name__}:PLUGIN")])
    assert entry == (PLUGIN, f"plugin ({__name__}:PLUGIN)")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("literal-plugin", "no_such_module_xyz:DEFINITION", "failed to load: ModuleNotFoundError"),
        ("literal-plugin", f"{__name__}:MISSING", "failed to load: AttributeError"),
        ("literal-plugin", f"{__name__}:NOT_A_DEFINITION", "is a dict, not a ScenarioDefinition"),
        ("other-name", f"{__name__}:PLUGIN", "defines 'literal-plugin'; name the entry point"),
    ],
)
def test_a_broken_plugin_is_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(ScenarioDefinitionError, match=f"scenario plugin '{name}'") as caught:
        plugin_entries([point(name, value)])
    assert message in str(caught.value)


def test_a_name_registered_twice_names_both_sources() -> None:
    with pytest.raises(ScenarioDefinitionError, match="from plugin x is already registered by"):
        Catalogue([(definition("cold-start"), BUILT_IN), (definition("cold-start"), "plugin x")])


def test_lookup_and_sources() -> None:
    scenarios = Catalogue([(definition("a"), BUILT_IN), (PLUGIN, "plugin p 1.0 (m:D)")])

    assert list(scenarios) == ["a", "literal-plugin"] and len(scenarios) == 2
    assert scenarios.source("literal-plugin") == "plugin p 1.0 (m:D)"
    assert scenarios.get_scenario("a").name == "a"
    with pytest.raises(UnknownScenarioError, match="known scenarios: a, literal-plugin"):
        scenarios.get_scenario("b")


def test_the_installed_catalogue_starts_with_the_built_ins() -> None:
    installed = catalogue()
    names = [scenario.name for scenario in BUILT_IN_SCENARIOS]

    assert list(installed)[: len(names)] == names
    assert {installed.source(name) for name in names} == {BUILT_IN}
