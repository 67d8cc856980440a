"""Render for people in a terminal: the results table, the regression lines, the alerts,
the history list, the trend summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.report.regressions import render_regressions
from harness.report.units import format_value
from harness.report.weekly import PeriodTrends
from harness.wire import (
    AlertDelivery,
    AlertReport,
    CleanupReport,
    DeliveryStatus,
    Metric,
    RegressionReport,
    RunSummary,
    ScenarioOutcome,
    ScenarioResult,
    Status,
)

STATUS_MARK = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.SKIPPED: "SKIP",
    Status.CACHED: "CACHED",
}
UNIT_SUFFIX = {"seconds": "s", "milliseconds": "ms", "percent": "%", "usd": "$", "count": ""}


def format_metric(metric: Metric) -> str:
    suffix = UNIT_SUFFIX.get(metric.unit, f" {metric.unit}")
    text = f"{metric.name}={metric.value:g}{suffix}"
    if metric.sla is not None:
        symbol = "<=" if metric.comparison.value == "at_most" else ">="
        mark = "ok" if metric.within_sla else "OVER"
        text += f" (SLA {symbol}{metric.sla:g}{suffix} {mark})"
    return text


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as left-aligned columns; the first row is the heading."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def metrics_cell(result: ScenarioResult) -> str:
    return ", ".join(format_metric(metric) for metric in result.metrics) or "-"


def render_summary(
    summary: RunSummary,
    regressions: RegressionReport | None = None,
    confirm_results: Mapping[str, ScenarioOutcome] | None = None,
) -> str:
    rows: list[list[str]] = [["SCENARIO", "GROUP", "STATUS", "DURATION", "METRICS (vs SLA)"]]
    for result in summary.results:
        rows.append(
            [
                result.scenario,
                result.group,
                STATUS_MARK[result.status],
                f"{result.duration_seconds:.2f}s",
                metrics_cell(result),
            ]
        )
    lines = table(rows)
    failed = [r for r in summary.results if r.status in (Status.FAIL, Status.ERROR)]
    if failed:
        lines.append("")
        lines.append("Why:")
        lines.extend(f"  {r.scenario}: {r.reason}" for r in failed)
    if summary.teardown_errors:
        lines.append("")
        lines.append("Teardown (the target may not be as the run found it):")
        lines.extend(f"  {problem}" for problem in summary.teardown_errors)
    lines.extend(not_run_lines(summary))
    counts = ", ".join(f"{n} {s.value}" for s, n in summary.counts.items() if n)
    lines.append("")
    lines.append(
        f"Run {summary.run_id} ({summary.suite} suite on {summary.target}): "
        f"{summary.verdict.value.upper()} - {counts}; success rate {summary.success_rate:.0%}; "
        f"{summary.duration_seconds:.1f}s; est. cost ${summary.estimated_cost_usd:.4f}"
    )
    if regressions is not None:
        lines.extend(render_regressions(regressions, confirm_results))
    return "\n".join(lines)


def not_run_lines(summary: RunSummary) -> list[str]:
    """Why scenarios did not run here: reused from the cache, or skipped by selection."""
    lines: list[str] = []
    not_run = [r for r in summary.results if r.status in (Status.CACHED, Status.SKIPPED)]
    if not_run:
        lines += ["", "Not run:"]
        lines += [f"  {r.scenario}: {r.selection or r.status.value}" for r in not_run]
    if summary.notices:
        lines += ["", *(f"Note: {notice}" for notice in summary.notices)]
    if summary.abridged:
        lines.append(
            "Note: abridged (the run is too large for the state machine's state); the whole "
            "run is in history"
        )
    return lines


def render_history(runs: Sequence[RunSummary]) -> str:
    if not runs:
        return "no runs recorded yet"
    rows = [["RUN", "STARTED", "SUITE", "TARGET", "VERDICT", "PASSED", "DURATION"]]
    for run in runs:
        rows.append(
            [
                run.run_id,
                run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                run.suite,
                run.target,
                run.verdict.value,
                _passed(run),
                f"{run.duration_seconds:.1f}s",
            ]
        )
    return "\n".join(table(rows))


DELIVERY_MARK = {
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.WOULD_SEND: "would send",
    DeliveryStatus.UNDELIVERED: "UNDELIVERED",
}


def render_alerts(report: AlertReport) -> str:
    """What the Alert step sent, would have sent (no endpoint configured), could not deliver,
    and kept quiet about: each message in one line, then its channels and recipients."""
    if not (report.deliveries or report.muted or report.ongoing):
        return "Alerts: none"
    lines = ["Alerts:"]
    by_message: dict[str, list[AlertDelivery]] = {}
    for delivery in report.deliveries:
        by_message.setdefault(delivery.text, []).append(delivery)
    for text, deliveries in by_message.items():
        lines.append(f"  {text}")
        for delivery in deliveries:
            line = (
                f"    {DELIVERY_MARK[delivery.status]:<11} {delivery.channel.value:<14} "
                f"{delivery.recipient}"
            )
            if delivery.status is DeliveryStatus.UNDELIVERED:
                line += (
                    f" - after {delivery.attempts} attempt(s): {delivery.detail} "
                    "(kept; tried again next run)"
                )
            elif delivery.detail and delivery.status is DeliveryStatus.SENT:
                line += f" - {delivery.detail}"
            lines.append(line)
    lines.extend(f"  ongoing: {key} (alerted before, not sent again)" for key in report.ongoing)
    lines.extend(f"  muted: {muted.key} ({muted.reason})" for muted in report.muted)
    return "\n".join(lines)


def render_trends(trends: PeriodTrends) -> str:
    """``harness trends``: what got worse, the flakiest scenarios, SLA compliance."""
    days = (trends.until - trends.since).days
    period = f"{trends.since:%Y-%m-%d %H:%M} to {trends.until:%Y-%m-%d %H:%M} UTC ({days} days)"
    lines = [
        f"Trends for {trends.target}, {period}: {trends.runs} run(s), judged against "
        f"{trends.earlier_runs} earlier run(s)"
    ]
    if not trends.runs:
        lines.append("no runs in this period")
        return "\n".join(lines)
    lines += ["", "What got worse (median now against the baseline before the period):"]
    if trends.worse:
        rows = [["SERIES", "NOW", "BASELINE", "CHANGE", "ROBUST Z", "LEVEL SHIFT AT"]]
        for change in trends.worse:
            rows.append(
                [
                    change.series,
                    format_value(change.now, change.unit),
                    format_value(change.baseline, change.unit),
                    f"{change.ratio:.2f}x",
                    f"{change.z:.1f}",
                    change.shift or "-",
                ]
            )
        lines += ["  " + line for line in table(rows)]
    else:
        lines.append("  nothing measurably worse")
    lines.append(
        f"  {trends.steady} series steady; {trends.unjudged} without enough earlier runs to judge"
    )
    lines += ["", "Flakiest scenarios (outcome changed between runs, or passed only on retry):"]
    if trends.flaky:
        rows = [["SCENARIO", "RUNS", "PASSED", "FLIPS", "FLIP RATE", "PASSED ON RETRY"]]
        for flaky in trends.flaky:
            rows.append(
                [
                    flaky.scenario,
                    str(flaky.runs),
                    str(flaky.passed),
                    str(flaky.flips),
                    f"{flaky.flip_rate:.0%}",
                    str(flaky.retried),
                ]
            )
        lines += ["  " + line for line in table(rows)]
    else:
        lines.append("  none: every scenario kept one outcome")
    lines += ["", "SLA compliance (runs within the SLA, least compliant first):"]
    rows = [["WHAT", "SLA", "WITHIN", "WORST"]]
    for item in trends.compliance:
        symbol = "<=" if item.at_most else ">="
        rows.append(
            [
                item.what,
                f"{symbol} {format_value(item.limit, item.unit)}",
                f"{item.within}/{item.total}",
                format_value(item.worst, item.unit),
            ]
        )
    lines += ["  " + line for line in table(rows)]
    return "\n".join(lines)


def _passed(run: RunSummary) -> str:
    cached = run.counts.get(Status.CACHED, 0)
    passed = run.counts.get(Status.PASS, 0) + cached
    return f"{passed}/{len(run.results)}" + (f" ({cached} cached)" if cached else "")


def describe_cleanup(report: CleanupReport) -> str:
    """One line: each kind's deleted/found, what is left and why, and the time it all took."""
    parts = []
    for kind in report.kinds:
        text = f"{kind.kind} {kind.deleted}/{kind.found}"
        if kind.left or kind.note:
            text += f" ({kind.note or f'{kind.left} left'})"
        parts.append(text)
    return f"{', '.join(parts) or 'nothing to do'} in {report.seconds:.2f}s"
