"""What a run costs the harness in AWS (Lambda + Step Functions), estimated from its results.

Public on-demand prices in us-east-1 (2026); the target's own costs are not included.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.wire import ScenarioResult

LAMBDA_USD_PER_GB_SECOND = 0.0000166667
LAMBDA_USD_PER_REQUEST = 0.0000002
STEP_FUNCTIONS_USD_PER_TRANSITION = 0.000025
SCENARIO_FUNCTION_GB = 0.5
# Plan, Aggregate, DetectRegressions, Alert, Cleanup, Gate and the maps' own transitions.
FIXED_TRANSITIONS = 12
TRANSITIONS_PER_SCENARIO = 3


def estimate_run_cost(results: Iterable[ScenarioResult]) -> float:
    results = list(results)
    seconds = sum(result.duration_seconds for result in results)
    lambda_cost = seconds * SCENARIO_FUNCTION_GB * LAMBDA_USD_PER_GB_SECOND
    requests = len(results) + FIXED_TRANSITIONS
    transitions = FIXED_TRANSITIONS + TRANSITIONS_PER_SCENARIO * len(results)
    total = (
        lambda_cost
        + requests * LAMBDA_USD_PER_REQUEST
        + transitions * STEP_FUNCTIONS_USD_PER_TRANSITION
    )
    return round(total, 6)
