"""The regression section as a person reads it after ``harness run``."""

from __future__ import annotations

from harness.report.regressions import render_regressions
from harness.wire import (
    FlakyScenario,
    Regression,
    RegressionReport,
    ScenarioOutcome,
    Severity,
    Status,
    Verdict,
)

SLOW = Regression(
    key="reference/cold-start/cold_start_seconds",
    target="reference",
    scenario="cold-start",
    metric="cold_start_seconds",
    unit="seconds",
    current=3.1,
    baseline=0.31,
    change_ratio=10.0,
    severity=Severity.MEDIUM,
    message="cold-start: cold_start_seconds 3.10 s against a baseline median of 0.310 s",
    evidence="10.0x baseline median 0.310 s (n=10, MAD 0.00500 s): robust z 41 >= 3.5",
    confirmed=True,
    confirm_value=3.2,
)
BROKEN = Regression(
    key="reference/alb-routing/status",
    target="reference",
    scenario="alb-routing",
    metric="status",
    current=0,
    baseline=1,
    change_ratio=0,
    severity=Severity.HIGH,
    message="alb-routing passed 10/10 baseline runs and now fails",
    confirmed=False,
    confirm_value=1.0,
)


def report(**fields: object) -> RegressionReport:
    base: dict[str, object] = {
        "run_id": "r9",
        "baseline_run_id": "r8",
        "target": "reference",
        "baseline": "rolling: last 30 passing runs per series, judged from 10",
        "regressions": [],
        "verdict": Verdict.PASSED,
        "verdict_reason": "all 5 scenario(s) passed",
    }
    return RegressionReport.model_validate({**base, **fields})


def test_each_regression_shows_severity_series_values_evidence_and_confirmation() -> None:
    lines = render_regressions(
        report(regressions=[SLOW, BROKEN], confirm_run_id="r9-confirm"),
        {"cold-start": ScenarioOutcome(scenario="cold-start", group="g", status=Status.PASS)},
    )
    text = "\n".join(lines)
    assert lines[0].startswith("Regressions (rolling: last 30 passing runs")
    assert lines[1] == (
        "  [HIGH] reference/alb-routing/status - not reproduced: pass on the confirm pass; "
        "not alerted"
    )
    assert (
        "[MEDIUM] reference/cold-start/cold_start_seconds - CONFIRMED: 3.20 s on the confirm pass"
        in text
    )
    assert "evidence: 10.0x baseline median 0.310 s" in text
    assert "Confirm pass: run r9-confirm: cold-start PASS" in text
    assert text.endswith("Verdict: PASSED - all 5 scenario(s) passed")


def test_muted_regressions_name_their_ledger_entry() -> None:
    muted = SLOW.model_copy(update={"suppressed_by": "ack-1a2b3c", "confirmed": None})
    text = "\n".join(render_regressions(report(regressions=[muted])))
    assert "muted by ack-1a2b3c (see harness known)" in text


def test_never_none_while_something_is_broken() -> None:
    flaky = FlakyScenario(scenario="x", runs=10, flips=4, flip_rate=0.4444)
    lines = render_regressions(
        report(still_failing=["x", "y"], flaky=[flaky], quarantined={"y": "quarantine-00aa11"})
    )
    assert lines[0] == "Regressions: none against the baseline, but scenarios are still failing"
    assert "Still failing: x (flaky), y (quarantined)" in lines
    assert "Flaky: x flipped 4 time(s) in 10 runs (flip rate 44%)" in lines
    assert "Quarantined (reported, not gating): y (quarantine-00aa11)" in lines


def test_a_healthy_run_and_a_first_run() -> None:
    assert render_regressions(report())[0].startswith("Regressions: none (rolling")
    first = render_regressions(
        report(baseline_run_id=None, not_judged=["reference/-/success_rate"] * 5)
    )
    assert first[0] == "Regressions: no earlier run of target reference to compare with"
    assert "Not judged yet: 5 series with too few baseline runs" in first[1]
    assert "and 2 more" in first[1]
