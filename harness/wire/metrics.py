"""The metric catalogue: every metric a run reports, with its unit and which way is better.

Declared once, at the bottom of the layers, so the scenarios, the config, the judge and the
reports share it and the detector never guesses a direction. A built-in scenario's
``ScenarioDefinition.metrics`` names metrics of this catalogue with the same units (a unit
test holds them together). ``floor`` is the smallest change of the metric worth calling a
regression (jitter below it is ignored whatever the ratio); rules in ``[regression]`` may
override it.

Two metrics belong to the run rather than a scenario (their series use ``-`` as the scenario):
``success_rate`` and ``cost_per_run_usd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from harness.wire.results import MetricUnit

# The values of harness.judge.baseline.Direction, which the detector builds from these.
Better = Literal["lower_is_better", "higher_is_better"]

UNIT_SYMBOL = {
    "seconds": "s",
    "milliseconds": "ms",
    "usd": "USD",
    "percent": "%",
    "count": "",
    "ratio": "",
}


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    unit: MetricUnit
    direction: Better
    summary: str
    floor: float = 0.0
    run_level: bool = False

    @property
    def symbol(self) -> str:
        """The unit as printed after a value (``s``, ``ms``, ``USD``)."""
        return UNIT_SYMBOL.get(self.unit, self.unit)


LOWER: Better = "lower_is_better"
HIGHER: Better = "higher_is_better"
# A quarter second: below what a person notices, above the jitter of a busy runner.
SECONDS_FLOOR = 0.25
MILLISECONDS_FLOOR = 50.0

SUCCESS_RATE = "success_rate"
COST_PER_RUN = "cost_per_run_usd"

METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(
            SUCCESS_RATE,
            "ratio",
            HIGHER,
            "passed / decided scenarios of the run",
            run_level=True,
        ),
        MetricSpec(
            COST_PER_RUN,
            "usd",
            LOWER,
            "estimated AWS cost of the run (Lambda + Step Functions)",
            run_level=True,
        ),
        MetricSpec(
            "cold_start_seconds",
            "seconds",
            LOWER,
            "new session to healthy edit container, from zero",
            SECONDS_FLOOR,
        ),
        MetricSpec(
            "session_creation_seconds",
            "seconds",
            LOWER,
            "POST /api/sessions answered",
            SECONDS_FLOOR,
        ),
        MetricSpec(
            "restart_seconds",
            "seconds",
            LOWER,
            "edit container replaced and healthy again",
            SECONDS_FLOOR,
        ),
        MetricSpec(
            "session_creation_p50_seconds",
            "seconds",
            LOWER,
            "median session creation under concurrency",
            SECONDS_FLOOR,
        ),
        MetricSpec(
            "session_creation_p95_seconds",
            "seconds",
            LOWER,
            "95th percentile session creation under concurrency",
            SECONDS_FLOOR,
        ),
        MetricSpec(
            "sessions_created",
            "count",
            HIGHER,
            "sessions created out of the concurrent users",
        ),
        MetricSpec(
            "routing_latency_p95_ms",
            "milliseconds",
            LOWER,
            "95th percentile latency through the path router",
            MILLISECONDS_FLOOR,
        ),
        MetricSpec(
            "unavailable_response_ms",
            "milliseconds",
            LOWER,
            "a session's route answered 503 while its service is at zero",
            MILLISECONDS_FLOOR,
        ),
        MetricSpec(
            "error_response_seconds",
            "seconds",
            LOWER,
            "crash to a clean 503 answer",
            SECONDS_FLOOR,
        ),
        MetricSpec(
            "recovery_seconds",
            "seconds",
            LOWER,
            "crash to a healthy replacement container",
            SECONDS_FLOOR,
        ),
    )
}


def metric_spec(name: str) -> MetricSpec | None:
    return METRICS.get(name)
