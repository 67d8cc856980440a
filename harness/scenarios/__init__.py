"""Scenarios: what one is and the context it runs in (``base``), the steps the built-ins
share (``steps``), how one runs (``runner``), and the catalogue of built-ins and installed
plugins (``catalogue``; docs/scenarios.md says how to add your own)."""

from __future__ import annotations

from harness.scenarios.base import ScenarioContext, ScenarioDefinition, ScenarioJob
from harness.scenarios.catalogue import (
    BUILT_IN,
    ENTRY_POINT_GROUP,
    Catalogue,
    catalogue,
    get_scenario,
)

__all__ = [
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "Catalogue",
    "ScenarioContext",
    "ScenarioDefinition",
    "ScenarioJob",
    "catalogue",
    "get_scenario",
]
