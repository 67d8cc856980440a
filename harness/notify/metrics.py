"""The CloudWatch metrics a run publishes (as EMF, through Powertools), from its summary.

The contract with the dashboard and alarms of the CDK app (docs/deploy.md): namespace from
``$POWERTOOLS_METRICS_NAMESPACE``, dimension ``Suite``, and these names and units.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.wire import CleanupReport, Regression, RunSummary, Status

# Scenario metrics that are samples of the two SLA-bound CloudWatch metrics.
COLD_START_SAMPLES = ("cold_start_seconds",)
SESSION_CREATION_SAMPLES = ("session_creation_seconds", "session_creation_p95_seconds")


@dataclass(frozen=True)
class CloudWatchMetric:
    name: str
    unit: str  # a Powertools MetricUnit name
    value: float


def run_metrics(summary: RunSummary) -> list[CloudWatchMetric]:
    found = [
        CloudWatchMetric("SuccessRate", "Percent", round(summary.success_rate * 100, 2)),
        CloudWatchMetric("SuiteDurationSeconds", "Seconds", summary.duration_seconds),
        CloudWatchMetric("CostPerRunUsd", "NoUnit", summary.estimated_cost_usd),
    ]
    for line in summary.sla:
        if line.name == "availability" and line.value is not None:
            found.append(CloudWatchMetric("TargetAvailability", "Percent", line.value * 100))
    for result in summary.results:
        if result.status in (Status.CACHED, Status.SKIPPED):
            continue  # not measured in this run (a cached result's samples were published)
        for metric in result.metrics:
            if metric.name in COLD_START_SAMPLES:
                found.append(CloudWatchMetric("ColdStartSeconds", "Seconds", metric.value))
            elif metric.name in SESSION_CREATION_SAMPLES:
                found.append(CloudWatchMetric("SessionCreationSeconds", "Seconds", metric.value))
    return found


@dataclass(frozen=True)
class MetricRecord:
    """One EMF record: its metrics, the dimensions beside ``Suite``, searchable metadata."""

    values: list[CloudWatchMetric]
    dimensions: dict[str, str]
    metadata: dict[str, object]


def regression_record(regression: Regression, key: str) -> MetricRecord:
    """Every regression, alerting or muted, as ``Regression`` = 1 with dimension ``Severity``
    (a few time series only); which series it was travels as metadata (Logs Insights)."""
    return MetricRecord(
        values=[CloudWatchMetric("Regression", "Count", 1)],
        dimensions={"Severity": regression.severity.value},
        metadata={
            "series": key,
            "metric": regression.metric,
            "current": regression.current,
            "baseline": regression.baseline,
            "changeRatio": regression.change_ratio,
            "confirmed": regression.confirmed,
            "suppressedBy": regression.suppressed_by,
        },
    )


def cleanup_metrics(report: CleanupReport) -> list[CloudWatchMetric]:
    """What a cleanup publishes: its duration and efficiency (both SLA lines)."""
    return [
        CloudWatchMetric("CleanupSeconds", "Seconds", report.seconds),
        CloudWatchMetric("CleanupEfficiency", "Percent", round(report.efficiency * 100, 2)),
    ]
