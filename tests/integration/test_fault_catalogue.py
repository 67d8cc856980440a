"""Every fault of the reference target, against every scenario: which scenarios catch it, and
with which check. The table in docs/reference-target.md is checked against what this test
observes, so the documentation and the behaviour cannot drift apart.

Each scenario runs alone on a fresh target with the fault, from the state a run leaves it
in (the edit service warm; cold-start scales to zero itself). Faults are defined relative to
the SLAs, so tightening a limit here (to keep the test fast) shows what the default settings
show: ``slow_cold_start`` misses whatever the cold-start SLA is.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from harness.config import KNOWN_FAULTS
from harness.layout import PROJECT_ROOT
from harness.scenarios.catalogue import BUILT_IN_SCENARIOS
from harness.wire import Status
from tests.integration.stacks import SLA, StackFactory

DOC = PROJECT_ROOT / "docs" / "reference-target.md"
ROW = re.compile(r"^\| `(?P<fault>[a-z_0-9]+)` \|(?P<what>[^|]*)\|(?P<caught>[^|]*)\|\s*$")
CAUGHT = re.compile(r"([a-z0-9-]+) \(`([a-z0-9:_-]+)`\)")
# What each fault needs to show within seconds: the limit it breaks, tightened.
SETTINGS: dict[str, dict[str, Any]] = {
    "slow_cold_start": {"sla": {"cold_start_max_seconds": 2.0}},
    "no_recovery": {"sla": {"recovery_max_seconds": 2.0}},
    "hang_when_unhealthy": {"request_timeout": 3.0},
}


def documented() -> dict[str, dict[str, str]]:
    """The docs' fault table: fault -> {scenario: first failed check}."""
    table: dict[str, dict[str, str]] = {}
    section = DOC.read_text().split("\n## Faults\n", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            table[match["fault"]] = dict(CAUGHT.findall(match["caught"]))
    return table


def test_the_docs_list_every_fault_once() -> None:
    assert sorted(documented()) == sorted(KNOWN_FAULTS)


@pytest.mark.parametrize("fault", sorted(KNOWN_FAULTS))
def test_the_scenarios_that_catch_a_fault_are_the_documented_ones(
    stack: StackFactory, fault: str
) -> None:
    settings = SETTINGS.get(fault, {})
    sla = SLA.model_copy(update=settings.get("sla", {}))
    timeout = settings.get("request_timeout", 10)

    def outcome(name: str) -> tuple[str, Status, str]:
        target = stack(faults=(fault,), sla=sla, request_timeout=timeout)
        if name != "cold-start":
            target.warm()
        params = {"users": 4} if name == "concurrent-sessions" else None
        result = target.run_scenario(name, params=params)
        return name, result.status, result.reason

    # Each scenario on its own target, all at once: they only wait (for SLAs, timeouts).
    names = [definition.name for definition in BUILT_IN_SCENARIOS]
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        outcomes = list(pool.map(outcome, names))
    caught: dict[str, str] = {}
    for name, status, reason in outcomes:
        if status is not Status.PASS:
            assert status is Status.FAIL, f"{name}: {reason}"  # a failed check, never an error
            caught[name] = reason.split(":", 1)[0]
    row = ", ".join(f"{name} (`{check}`)" for name, check in caught.items())
    assert caught, f"{fault} is caught by no scenario"
    assert caught == documented().get(fault), f"the docs should say for {fault}: {row}"
