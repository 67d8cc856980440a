"""The run report as one self-contained HTML page: verdict, scenarios, regressions, alerts and a
trend chart per series. Pure: data in, text out.

Templating is Jinja2 (autoescaped; ``templates/report.html.j2``). The charts are drawn in the
browser by uPlot (vendored in ``assets/``, 51 KB, MIT), inlined into the page with the chart
data as JSON, so the page needs no network: nothing to install in ``requirements.txt`` and
nothing for a Lambda to import. Each chart also has its numbers as a table, for readers
without JavaScript.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from harness.judge.baseline import Direction
from harness.report.location import ReportLocation
from harness.report.trends import Band, TrendSeries
from harness.report.units import format_value
from harness.wire import (
    AlertReport,
    DeliveryStatus,
    Metric,
    Regression,
    RegressionReport,
    RunSummary,
    ScenarioResult,
    Status,
    Verdict,
)

ASSETS = ("uplot.iife.min.js", "uplot.min.css", "report.js", "report.css")
# What report.js reads of each chart (the captions and tables are rendered in the page).
CHART_KEYS = (
    "id",
    "unit",
    "better",
    "runIds",
    "labels",
    "value",
    "failed",
    "low",
    "median",
    "high",
    "changes",
    "sla",
    "regressed",
)


@dataclass(frozen=True, slots=True)
class ReportInput:
    """Everything one report shows; ``alerts`` is what the Alert step delivered (None: unknown)."""

    summary: RunSummary
    verdict: Verdict
    verdict_reason: str
    regressions: RegressionReport | None
    trends: Sequence[TrendSeries]
    location: ReportLocation
    generated_at: datetime
    alerts: AlertReport | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def render_html(report: ReportInput) -> str:
    """The report page (UTF-8 text)."""
    template = _environment().get_template("report.html.j2")
    summary = report.summary
    charts = [
        _chart(index, series, report.regressions) for index, series in enumerate(report.trends)
    ]
    return template.render(
        report=report,
        summary=summary,
        verdict=report.verdict.value,
        counts=[(status.value, summary.counts.get(status, 0)) for status in Status],
        scenarios=[_scenario(result) for result in summary.results],
        regressions=_regressions(report.regressions, {c["key"]: c["id"] for c in charts}),
        alerts=_alerts(report.alerts),
        charts=charts,
        chart_data=[{key: chart[key] for key in CHART_KEYS} for chart in charts],
        assets=_assets(),
        format_value=format_value,
    )


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("harness.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _assets() -> dict[str, str]:
    folder = resources.files("harness.report") / "assets"
    return {name: (folder / name).read_text(encoding="utf-8") for name in ASSETS}


def _metric(metric: Metric) -> dict[str, Any]:
    sla = None
    if metric.sla is not None:
        symbol = "≤" if metric.comparison.value == "at_most" else "≥"
        sla = f"{symbol} {format_value(metric.sla, metric.unit)}"
    return {
        "name": metric.name,
        "value": format_value(metric.value, metric.unit),
        "sla": sla,
        "ok": metric.within_sla,
    }


def _scenario(result: ScenarioResult) -> dict[str, Any]:
    failed = [check for check in result.checks if not check.passed]
    return {
        "name": result.scenario,
        "group": result.group,
        "status": result.status.value,
        "duration": f"{result.duration_seconds:.2f} s",
        "attempts": result.attempts,
        "metrics": [_metric(metric) for metric in result.metrics],
        "failed": failed,
        "passed": [check for check in result.checks if check.passed],
        "error": result.error,
        # Why it ran, was skipped or reused (change-based selection, the result cache).
        "selection": result.selection,
        "cached_from": result.cached_from,
    }


def _regressions(
    report: RegressionReport | None, chart_ids: Mapping[str, str]
) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "baseline_run_id": report.baseline_run_id,
        "rows": [_regression(reg, chart_ids) for reg in report.regressions],
    }


def _regression(reg: Regression, chart_ids: Mapping[str, str]) -> dict[str, Any]:
    if reg.suppressed_by:
        state = f"suppressed by {reg.suppressed_by}"
    elif reg.confirmed is None:
        state = "not re-run"
    else:
        state = "confirmed by a re-run" if reg.confirmed else "did not reproduce on a re-run"
    return {
        "severity": reg.severity.value,
        "series": f"{reg.scenario} / {reg.metric}" if reg.scenario else reg.metric,
        "current": format_value(reg.current, reg.unit),
        "baseline": format_value(reg.baseline, reg.unit),
        "change": f"{reg.change_ratio:.2f}x",
        "state": state,
        "muted": bool(reg.suppressed_by) or reg.confirmed is False,
        "message": reg.message,
        "evidence": reg.evidence,
        "chart": chart_ids.get(reg.key),
    }


def _alerts(report: AlertReport | None) -> dict[str, Any] | None:
    """What the Alert step sent, would have sent, could not deliver, and kept quiet about."""
    if report is None:
        return None
    return {
        "rows": [
            {
                "severity": delivery.severity.value,
                "kind": delivery.kind.value,
                "channel": delivery.channel.value,
                "recipient": delivery.recipient,
                "text": delivery.text,
                "status": delivery.status.value.replace("_", " "),
                "undelivered": delivery.status is DeliveryStatus.UNDELIVERED,
                "attempts": delivery.attempts,
                "detail": delivery.detail,
            }
            for delivery in report.deliveries
        ],
        "ongoing": list(report.ongoing),
        "muted": [(muted.key, muted.reason) for muted in report.muted],
    }


def _chart(index: int, series: TrendSeries, regressions: RegressionReport | None) -> dict[str, Any]:
    """One trend chart's data for report.js, and its caption."""
    unit = series.unit
    points = series.points
    flagged = regressions is not None and any(
        reg.key == series.key and not reg.suppressed_by for reg in regressions.regressions
    )
    baseline = series.baseline
    if baseline is None:
        counted = sum(1 for point in points[:-1] if point.counted)
        band_text = (
            f"no baseline yet ({min(counted, series.min_samples)} of {series.min_samples} runs)"
        )
    else:
        half = (baseline.high - baseline.low) / 2
        band_text = (
            f"baseline {format_value(baseline.median, unit)} ± {format_value(half, unit)} "
            f"(median ± robust spread of {baseline.samples} runs)"
        )
    index_of = {point.run_id: i for i, point in enumerate(points)}
    changes = [
        {
            "index": index_of[change.run_id],
            "label": f"{format_value(change.before, unit)} → {format_value(change.after, unit)}",
            "runId": change.run_id,
        }
        for change in series.changes
        if change.run_id in index_of
    ]
    current = series.current
    return {
        "id": f"chart-{index}",
        "key": series.key,
        "title": f"{series.scenario} · {series.metric}" if series.scenario else series.metric,
        "unit": unit,
        "better": "higher" if series.direction is Direction.HIGHER_IS_BETTER else "lower",
        # Known for the run's numbers and for metrics with an SLA; others do not say yet.
        "better_known": series.scenario is None or series.sla is not None,
        "runIds": [point.run_id for point in points],
        "labels": [point.started_at.strftime("%m-%d %H:%M") for point in points],
        "value": [point.value if point.counted else None for point in points],
        "failed": [None if point.counted else point.value for point in points],
        "low": [point.band.low if point.band else None for point in points],
        "median": [point.band.median if point.band else None for point in points],
        "high": [point.band.high if point.band else None for point in points],
        "changes": changes,
        "sla": series.sla,
        "regressed": flagged,
        "caption": {
            "now": format_value(current.value, unit) if current else "-",
            "band": band_text,
            "sla": None if series.sla is None else format_value(series.sla, unit),
            "changes": [f"{c['label']} at run {c['runId']}" for c in changes],
        },
        "table": [
            {
                "run": point.run_id,
                "when": point.started_at.strftime("%Y-%m-%d %H:%M"),
                "value": format_value(point.value, unit),
                "counted": point.counted,
                "band": _band_text(point.band, unit),
            }
            for point in reversed(points)
        ],
    }


def _band_text(band: Band | None, unit: str) -> str:
    if band is None:
        return "-"
    return f"{format_value(band.low, unit)} … {format_value(band.high, unit)}"
