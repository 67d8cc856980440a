import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from harness.report.junit import junit_xml
from harness.report.text import render_history, render_summary
from harness.wire import RegressionReport, RunSummary, ScenarioResult, Status

RESULTS = [
    ScenarioResult.model_validate(
        {
            "scenario": "cold-start",
            "group": "lifecycle",
            "status": "pass",
            "durationSeconds": 1.2,
            "metrics": [{"name": "cold_start_seconds", "value": 1.2, "unit": "seconds", "sla": 60}],
        }
    ),
    ScenarioResult.model_validate(
        {
            "scenario": "alb-routing",
            "group": "routing",
            "status": "fail",
            "checks": [{"name": "unknown-session-404", "passed": False, "detail": "got 200"}],
        }
    ),
    ScenarioResult.model_validate(
        {
            "scenario": "failure-recovery",
            "group": "routing",
            "status": "error",
            "error": {"type": "TargetRequestError", "message": "refused"},
        }
    ),
]
SUMMARY = RunSummary.model_validate(
    {
        "runId": "r9",
        "suite": "full",
        "target": "reference",
        "trigger": "cli",
        "startedAt": datetime(2026, 11, 24, 6, tzinfo=UTC),
        "finishedAt": datetime(2026, 11, 24, 6, 1, tzinfo=UTC),
        "durationSeconds": 60,
        "verdict": "failed",
        "successRate": 1 / 3,
        "counts": {"pass": 1, "fail": 1, "error": 1, "skipped": 0},
        "results": [r.to_wire() for r in RESULTS],
        "metrics": [],
    }
)


def test_table_shows_status_metrics_and_why() -> None:
    report = RegressionReport(
        run_id="r9",
        baseline_run_id="r8",
        regressions=[],
        still_failing=["alb-routing", "failure-recovery"],
    )
    text = render_summary(SUMMARY, report)
    assert "cold-start" in text and "PASS" in text
    assert "cold_start_seconds=1.2s (SLA <=60s ok)" in text
    assert "alb-routing: unknown-session-404: got 200" in text
    assert "failure-recovery: TargetRequestError: refused" in text
    assert "FAILED - 1 pass, 1 fail, 1 error" in text
    # Nothing regressed against the baseline, but it never says "none" while things fail.
    assert "Regressions: none against the baseline, but scenarios are still failing" in text
    assert "Still failing: alb-routing, failure-recovery" in text


def test_junit_has_one_case_per_scenario() -> None:
    root = ET.fromstring(junit_xml(SUMMARY))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["alb-routing"].find("failure") is not None
    error = cases["failure-recovery"].find("error")
    assert error is not None and error.get("type") == "TargetRequestError"
    assert cases["cold-start"].find("failure") is None


def test_history_listing() -> None:
    assert render_history([]) == "no runs recorded yet"
    text = render_history([SUMMARY])
    assert "r9" in text and "failed" in text and "1/3" in text
    assert Status.PASS.value == "pass"
