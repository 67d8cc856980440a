"""A run's scenario results, kept by reference: RunScenario (and Plan, for cached passes)
writes each whole result here, the state machine carries only a ``ScenarioOutcome``, and
Aggregate reads them back. So the state stays small however many scenarios a run has
(Step Functions caps a state at 256 KB)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from pydantic import ValidationError

from harness.errors import StoreError
from harness.ports import BlobStore
from harness.wire import ScenarioOutcome, ScenarioResult

PREFIX = "results/"
READ_WORKERS = 16
REASONS = "_why"  # scenario names start with [a-z0-9]: no clash


def result_key(run_id: str, scenario: str) -> str:
    return f"{PREFIX}{run_id}/{scenario}.json"


class RunResults:
    """The results of runs, one object per (run, scenario)."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store

    def put(self, run_id: str, result: ScenarioResult) -> None:
        data = result.model_dump_json(by_alias=True, exclude_none=True).encode()
        self._store.put(result_key(run_id, result.scenario), data)

    def get(self, run_id: str, scenario: str) -> ScenarioResult | str:
        """The stored result, or why there is none (absent, unreadable, not a result)."""
        try:
            data = self._store.get(result_key(run_id, scenario))
        except StoreError as err:
            return f"could not be read: {err}"
        if data is None:
            return "was never stored"
        try:
            result = ScenarioResult.model_validate_json(data)
        except ValidationError as err:
            return f"is not a valid result ({err.error_count()} problem(s))"
        if result.scenario != scenario:
            return f"names another scenario ({result.scenario})"
        return result

    def get_many(self, run_id: str, scenarios: list[str]) -> dict[str, ScenarioResult | str]:
        """Like ``get`` for each scenario, read in parallel (S3 round trips add up)."""
        with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
            found = pool.map(lambda name: self.get(run_id, name), scenarios)
            return dict(zip(scenarios, found, strict=True))

    def whole(self, run_id: str, outcomes: Mapping[str, ScenarioOutcome]) -> list[ScenarioResult]:
        """The whole results behind the outcomes an execution's history showed (RunScenario
        stored them by reference); one that cannot be read is kept as its outcome says (no
        metrics, no checks): recovery records what it can, never less."""
        stored = self.get_many(run_id, list(outcomes))
        return [
            found
            if isinstance(found, ScenarioResult)
            else ScenarioResult(
                scenario=outcome.scenario,
                group=outcome.group,
                status=outcome.status,
                duration_seconds=outcome.duration_seconds,
            )
            for outcome, found in zip(outcomes.values(), stored.values(), strict=True)
        ]

    def put_reasons(self, run_id: str, reasons: Mapping[str, str]) -> None:
        """Why each scenario of the suite ran, was skipped or reused (Plan's decisions)."""
        self._store.put(result_key(run_id, REASONS), json.dumps(dict(reasons)).encode())

    def reasons(self, run_id: str) -> dict[str, str]:
        """Plan's reasons; empty when they cannot be read (a note says so, not an error)."""
        try:
            data = self._store.get(result_key(run_id, REASONS))
            loaded = json.loads(data) if data else {}
        except (StoreError, ValueError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {str(name): str(reason) for name, reason in loaded.items()}

    def forget(self, run_id: str) -> int:
        """Drop a run's stored results once the run is in history."""
        return self._store.delete_prefix(f"{PREFIX}{run_id}/")
