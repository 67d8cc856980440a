"""SLA lines for people: a run's lines under its results table, and `harness sla` windows."""

from __future__ import annotations

from collections.abc import Sequence

from harness.judge.sla import WindowResult, format_value
from harness.report.text import table
from harness.wire import Comparison, SlaResult, SlaStatus

MARK = {SlaStatus.MET: "met", SlaStatus.BROKEN: "BROKEN", SlaStatus.NOT_MEASURED: "-"}


def _limit(limit: float, unit: str, comparison: Comparison) -> str:
    return f"{'>=' if comparison is Comparison.AT_LEAST else '<='} {format_value(limit, unit)}"


def render_run_sla(results: Sequence[SlaResult]) -> str:
    rows = [["SLA", "VALUE", "LIMIT", "STATUS", "HOW MEASURED"]]
    for r in results:
        status = MARK[r.status] + (" (gate)" if r.gate else "")
        rows.append(
            [r.title, format_value(r.value, r.unit), _limit(r.limit, r.unit, r.comparison),
             status, r.detail]
        )  # fmt: skip
    return "\n".join(table(rows))


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _budget(item: WindowResult) -> str:
    left = item.budget_left
    if left is None:
        return "none (every event counts)" if item.tally.events else "-"
    if left < 0:
        return f"exhausted ({item.tally.bad} bad, {1 - left:.1f}x the budget)"
    return f"{left:.0%} left"


def render_window(results: Sequence[WindowResult], heading: str) -> str:
    rows = [["SLA", "VALUE", "LIMIT", "COMPLIANCE", "ERROR BUDGET", "STATUS", "EVENTS"]]
    for item in results:
        line = item.line
        rows.append(
            [
                line.title,
                format_value(item.tally.value, line.unit),
                _limit(item.limit, line.unit, line.comparison),
                _percent(item.compliance),
                _budget(item),
                MARK[item.status],
                item.tally.detail,
            ]
        )
    return "\n".join([heading, *table(rows)])
