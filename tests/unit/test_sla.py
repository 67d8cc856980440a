"""SLA lines on one run and over windows of literal history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.config import SlaConfig
from harness.judge.sla import evaluate_run, evaluate_window, false_positives, gate_reason
from harness.wire import CleanupReport, RunSummary, SlaStatus, Status

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def result(
    name: str,
    status: str = "pass",
    metrics: dict[str, float] | None = None,
    error: str | None = None,
    hang: bool = False,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "scenario": name,
        "group": "g",
        "status": status,
        "durationSeconds": 1.0,
        "metrics": [
            {"name": key, "value": value, "unit": "seconds"}
            for key, value in (metrics or {}).items()
        ],
        "checks": [{"name": "no-hang", "passed": not hang}],
    }
    if error:
        item["error"] = {"type": error, "message": "down"}
    return item


def run(
    index: int,
    results: list[dict[str, Any]],
    duration: float = 60.0,
    cost: float = 0.01,
    commit: str | None = None,
) -> RunSummary:
    statuses = [r["status"] for r in results]
    decided = [s for s in statuses if s != "skipped"]
    return RunSummary.model_validate(
        {
            "runId": f"r{index}",
            "suite": "full",
            "target": "t",
            "trigger": "schedule",
            "commit": commit,
            "startedAt": (T0 + timedelta(hours=index)).isoformat(),
            "finishedAt": (T0 + timedelta(hours=index, seconds=duration)).isoformat(),
            "durationSeconds": duration,
            "verdict": "passed" if all(s == "pass" for s in decided) else "failed",
            "successRate": statuses.count("pass") / len(decided) if decided else 1.0,
            "counts": {s.value: statuses.count(s.value) for s in Status},
            "results": results,
            "metrics": [],
            "estimatedCostUsd": cost,
        }
    )


def cleanup(found: int, deleted: int, seconds: float = 1.0) -> CleanupReport:
    return CleanupReport(
        prefix="TEST_", sessions_found=found, deleted_via_api=deleted, deleted_directly=0,
        seconds=seconds,
    )  # fmt: skip


def by_name(items: list[Any]) -> dict[str, Any]:
    return {getattr(item, "name", None) or item.line.name: item for item in items}


def test_one_run_every_line_with_gates() -> None:
    summary = run(
        1,
        [
            result("cold-start", metrics={"cold_start_seconds": 70, "session_creation_seconds": 1}),
            result("alb-routing", "fail", hang=True),
            result("failure-recovery", metrics={"recovery_seconds": 30}),
        ],
        duration=2000,
        cost=0.5,
    )
    sla = SlaConfig(gates=["cold_start", "suite_duration"])
    found = by_name(evaluate_run(summary, sla, cleanup(4, 3, seconds=10)))
    assert found["success_rate"].value == pytest.approx(2 / 3)
    assert found["success_rate"].status is SlaStatus.BROKEN
    assert found["availability"].value == pytest.approx(2 / 3)  # the hang counts as down
    assert found["cold_start"].value == 70 and found["cold_start"].status is SlaStatus.BROKEN
    assert found["session_creation"].status is SlaStatus.MET
    assert found["suite_duration"].status is SlaStatus.BROKEN
    assert found["recovery"].status is SlaStatus.MET
    assert found["cost_per_run"].status is SlaStatus.MET
    assert found["cleanup_efficiency"].value == 0.75
    assert found["cleanup_efficiency"].status is SlaStatus.BROKEN
    assert found["false_positive_rate"].status is SlaStatus.NOT_MEASURED
    assert found["monthly_budget"].status is SlaStatus.NOT_MEASURED
    reason = gate_reason(found.values())
    assert "Cold start p99 70s (<= 60s)" in reason and "Suite duration 2000s" in reason
    assert "Success rate" not in reason  # broken, but not a gate in this config


def test_cleanup_lines_are_not_measured_before_cleanup() -> None:
    found = by_name(evaluate_run(run(1, [result("a")]), SlaConfig()))
    assert found["cleanup_duration"].status is SlaStatus.NOT_MEASURED
    assert "after the verdict" in found["cleanup_duration"].detail


def test_window_compliance_and_error_budget() -> None:
    # 40 scenario executions, 1 failed: 97.5 % against 95 % -> half the budget (2 allowed) left.
    runs = [run(i, [result(f"s{j}") for j in range(4)]) for i in range(9)]
    runs.append(run(9, [result("s0", "fail"), result("s1"), result("s2"), result("s3")]))
    found = by_name(evaluate_window(runs, [], SlaConfig()))
    success = found["success_rate"]
    assert success.tally.events == 40 and success.tally.bad == 1
    assert success.compliance == pytest.approx(0.975)
    assert success.budget_left == pytest.approx(0.5)
    assert success.status is SlaStatus.MET
    # Availability 99.9 %: one miss in 40 overspends a budget of 0.04 misses.
    assert found["availability"].status is SlaStatus.MET  # the failure was not an outage
    suite = found["suite_duration"]
    assert suite.budget_left is None and suite.compliance == 1.0


def test_window_outage_overspends_availability() -> None:
    runs = [run(i, [result("a"), result("b")]) for i in range(5)]
    runs.append(run(5, [result("a", "error", error="TargetUnavailableError"), result("b")]))
    avail = by_name(evaluate_window(runs, [], SlaConfig()))["availability"]
    assert avail.tally.events == 12 and avail.tally.bad == 1
    assert avail.status is SlaStatus.BROKEN
    assert avail.budget_left is not None and avail.budget_left < 0


def test_false_positive_needs_same_commit() -> None:
    runs = [
        run(1, [result("a", "fail")], commit="abc"),
        run(2, [result("a")], commit="abc"),  # same commit, passes: a false positive
        run(3, [result("a", "fail")], commit="def"),
        run(4, [result("a", "fail")], commit="def"),  # reproduced: a true failure
        run(5, [result("a")], commit=None),
    ]
    tally = false_positives(runs)
    assert (tally.events, tally.bad) == (2, 1)
    found = by_name(evaluate_window(runs, [], SlaConfig()))
    assert found["false_positive_rate"].status is SlaStatus.BROKEN
    assert false_positives(runs[4:]).value is None


def test_window_percentiles_and_budget_line() -> None:
    runs = [
        run(i, [result("cold-start", metrics={"cold_start_seconds": float(i)})]) for i in range(100)
    ]
    found = by_name(evaluate_window(runs, [cleanup(10, 10)], SlaConfig(), month_to_date_usd=120))
    cold = found["cold_start"]
    assert cold.tally.bad == 39  # 61..99 s are over 60 s
    assert cold.tally.value == pytest.approx(98.01)
    assert cold.status is SlaStatus.BROKEN
    assert found["monthly_budget"].status is SlaStatus.BROKEN
    assert found["cleanup_efficiency"].status is SlaStatus.MET


def test_empty_window_measures_nothing() -> None:
    found = evaluate_window([], [], SlaConfig())
    assert {item.status for item in found} == {SlaStatus.NOT_MEASURED}


def test_late_lines_cannot_gate() -> None:
    with pytest.raises(ValueError, match="cannot gate"):
        SlaConfig(gates=["cleanup_duration"])


def test_the_verdict_gate_fails_a_run_on_a_broken_gating_line() -> None:
    from harness.judge.rules import gate
    from harness.judge.sla import judge_run
    from harness.wire import Severity, Verdict

    slow = run(1, [result("a")], duration=2000)
    judged, reason = judge_run(slow, SlaConfig(gates=["suite_duration"]))
    assert judged.verdict is Verdict.FAILED and "Suite duration 2000s" in reason
    verdict, why = gate(judged, [], {}, Severity.HIGH)
    assert verdict is Verdict.FAILED and "SLA broken: Suite duration" in why
    fine, _ = judge_run(slow, SlaConfig(gates=["success_rate"]))
    assert gate(fine, [], {}, Severity.HIGH)[0] is Verdict.PASSED
