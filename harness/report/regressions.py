"""The regression section of ``harness run`` (and of any text view of a judged run).

Never says "none" while something is broken: a failing scenario that is no regression (it
failed in the baseline too, or has no baseline yet) is listed as still failing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.judge.detection import fmt
from harness.wire import STATUS_METRIC, Regression, RegressionReport, ScenarioOutcome
from harness.wire.metrics import UNIT_SYMBOL

NOT_JUDGED_SHOWN = 3


def _value(regression: Regression, value: float) -> str:
    if regression.metric == STATUS_METRIC:
        return "pass" if value >= 1 else "fail"
    symbol = UNIT_SYMBOL.get(regression.unit, regression.unit)
    return f"{fmt(value)} {symbol}".rstrip()


def _state(regression: Regression) -> str:
    if regression.suppressed_by:
        return f"muted by {regression.suppressed_by} (see harness known)"
    if regression.confirmed is None:
        return "not re-run"
    again = ""
    if regression.confirm_value is not None:
        again = f": {_value(regression, regression.confirm_value)} on the confirm pass"
    if regression.confirmed:
        return f"CONFIRMED{again}"
    return f"not reproduced{again}; not alerted"


def regression_lines(report: RegressionReport) -> list[str]:
    lines = []
    for regression in sorted(report.regressions, key=lambda r: -r.severity.rank):
        lines.append(
            f"  [{regression.severity.value.upper()}] {regression.key} - {_state(regression)}"
        )
        lines.append(f"      {regression.message}")
        if regression.evidence:
            lines.append(f"      evidence: {regression.evidence}")
    return lines


def render_regressions(
    report: RegressionReport, confirm_results: Mapping[str, ScenarioOutcome] | None = None
) -> list[str]:
    """The section's lines: regressions with their evidence, the confirm pass, flaky and
    quarantined scenarios, what is still failing, what could not be judged, the verdict."""
    lines = []
    broken_by_regression = {
        r.scenario for r in report.regressions if r.metric == STATUS_METRIC and r.stands
    }
    unexplained = [s for s in report.still_failing if s not in broken_by_regression]
    if report.regressions:
        lines.append(f"Regressions ({report.baseline}; gate: {report.gate_severity.value}):")
        lines += regression_lines(report)
    elif report.baseline_run_id is None:
        lines.append(f"Regressions: no earlier run of target {report.target} to compare with")
    elif unexplained:
        lines.append("Regressions: none against the baseline, but scenarios are still failing")
    else:
        lines.append(
            f"Regressions: none ({report.baseline}; newest baseline run {report.baseline_run_id})"
        )
    if report.confirm_run_id:
        shown = ", ".join(
            f"{r.scenario} {r.status.value.upper()} {r.duration_seconds:.2f}s"
            for r in (confirm_results or {}).values()
        )
        lines.append(f"Confirm pass: run {report.confirm_run_id}" + (f": {shown}" if shown else ""))
    lines += _scenario_notes(report, unexplained)
    if report.not_judged:
        examples = ", ".join(report.not_judged[:NOT_JUDGED_SHOWN])
        more = len(report.not_judged) - NOT_JUDGED_SHOWN
        lines.append(
            f"Not judged yet: {len(report.not_judged)} series with too few baseline runs "
            f"({examples}{f', and {more} more' if more > 0 else ''})"
        )
    if report.verdict is not None:
        lines.append(f"Verdict: {report.verdict.value.upper()} - {report.verdict_reason}")
    return lines


def _scenario_notes(report: RegressionReport, unexplained: Sequence[str]) -> list[str]:
    lines = []
    if unexplained:
        why = {s: "quarantined" for s in report.quarantined}
        why.update({f.scenario: "flaky" for f in report.flaky if f.scenario not in why})
        listed = ", ".join(f"{s} ({why[s]})" if s in why else s for s in unexplained)
        lines.append(f"Still failing: {listed}")
    for flaky in report.flaky:
        retry = f", passed on retry {flaky.passed_on_retry}x" if flaky.passed_on_retry else ""
        lines.append(
            f"Flaky: {flaky.scenario} flipped {flaky.flips} time(s) in {flaky.runs} runs "
            f"(flip rate {flaky.flip_rate:.0%}{retry})"
        )
    if report.quarantined:
        listed = ", ".join(f"{s} ({entry})" for s, entry in report.quarantined.items())
        lines.append(f"Quarantined (reported, not gating): {listed}")
    return lines
