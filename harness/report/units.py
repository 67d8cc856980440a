"""Numbers with their units, as people read them (the HTML report and ``harness trends``)."""

from __future__ import annotations

import math

from harness.judge.detection import fmt

UNIT_SUFFIX = {"seconds": " s", "milliseconds": " ms", "percent": " %", "count": "", "ratio": ""}


def format_value(value: float | None, unit: str) -> str:
    """Three significant digits and the unit: 1.26 s, 3.01 ms, $0.000712, 95.0 % (ratios)."""
    if value is None or math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf"
    if unit == "usd":
        return f"${fmt(value)}"
    if unit == "ratio":
        return f"{fmt(value * 100)} %"
    return f"{fmt(value)}{UNIT_SUFFIX.get(unit, f' {unit}')}"
