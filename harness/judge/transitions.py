"""Count what an execution of the suite state machine does, from its ASL and its plan.

Step Functions bills every state entered (a transition) and Lambda every invocation. This
walks the very ASL the state machine runs along the path a run takes when every step
succeeds: each state entered counts once, each Task invokes its function, each Map state
repeats its item processor once per item (items found by resolving its ``ItemsPath`` in the
state data, which starts as the plan), a Choice takes the first rule the walk's data decides
(``IsPresent``; ``BooleanEquals``/``StringEquals`` on a value it holds, e.g. a scenario's
``fanOut``) and else follows its ``Default``: the ASL makes every Default the path of a run
whose steps succeed (``LeasesAcquired`` defaults to ``RunLanes``). The test compares
the counts with a real execution history of the local engine, so a change to the ASL that
this walk does not understand fails there.

Not counted (they happen only when something goes wrong): Retry attempts, the Pass states
a Catch leads to (``RecordScenarioError``), and states of error paths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_STATES = 100_000  # a loop in the ASL must not hang the estimate


@dataclass
class StepCounts:
    """Transitions, and invocations per Task ``Resource`` (an ASL placeholder)."""

    transitions: int = 0
    invocations: Counter[str] = field(default_factory=Counter)
    # Map items per Map state name (e.g. RunGroups: 3 groups, RunScenarios: 5 scenarios).
    map_items: Counter[str] = field(default_factory=Counter)


def resolve(path: str, data: Any, item: Any = None) -> Any:
    """A plain JSONPath (``$``, ``$.a.b``, ``$$.Map.Item.Value``) in the state data."""
    if path == "$$.Map.Item.Value":
        return item
    if not path.startswith("$"):
        raise ValueError(f"unsupported path {path!r}")
    node = data
    for part in [p for p in path[1:].split(".") if p]:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _select(selector: Mapping[str, Any] | None, data: Any, item: Any) -> Any:
    if selector is None:
        return item
    selected: dict[str, Any] = {}
    for key, value in selector.items():
        if key.endswith(".$") and isinstance(value, str):
            selected[key[:-2]] = resolve(value, data, item)
        else:
            selected[key] = value
    return selected


def count_steps(definition: Mapping[str, Any], plan: Mapping[str, Any]) -> StepCounts:
    """The counts of one run of ``definition`` (the ASL) with ``plan`` (the Plan output)."""
    counts = StepCounts()
    _walk(definition, plan, counts, first_task_output=plan)
    return counts


def _walk(
    machine: Mapping[str, Any],
    data: Any,
    counts: StepCounts,
    first_task_output: Any = None,
) -> None:
    states: Mapping[str, Any] = machine["States"]
    name: str | None = machine["StartAt"]
    while name is not None:
        if counts.transitions >= MAX_STATES:
            raise ValueError(f"more than {MAX_STATES} states entered: a loop in the ASL?")
        state = states[name]
        counts.transitions += 1
        kind = state["Type"]
        if kind == "Task":
            counts.invocations[str(state["Resource"])] += 1
            if first_task_output is not None:
                data, first_task_output = first_task_output, None  # Plan's output is the plan
        elif kind == "Map":
            items = resolve(state.get("ItemsPath", "$"), data) or []
            processor = state.get("ItemProcessor") or state["Iterator"]
            counts.map_items[name] += len(items)
            for item in items:
                _walk(processor, _select(state.get("ItemSelector"), data, item), counts)
        elif kind == "Parallel":
            for branch in state["Branches"]:
                _walk(branch, data, counts)
        elif kind == "Choice":
            name = _choose(state, data)
            continue
        if kind in ("Succeed", "Fail") or state.get("End"):
            return
        name = state.get("Next")


def _choose(state: Mapping[str, Any], data: Any) -> str | None:
    """The Next of the first rule ``data`` decides, else the Default."""
    for rule in state.get("Choices", []):
        value = resolve(rule.get("Variable", "$"), data)
        if "IsPresent" in rule:
            matched = (value is not None) == rule["IsPresent"]
        elif value is None:
            continue  # the walk does not know this value (e.g. a step's result)
        elif "BooleanEquals" in rule:
            matched = value == rule["BooleanEquals"]
        elif "StringEquals" in rule:
            matched = value == rule["StringEquals"]
        else:
            continue
        if matched:
            return str(rule["Next"])
    default = state.get("Default")
    return str(default) if default is not None else None
