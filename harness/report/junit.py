"""Render a run for CI systems: JUnit XML (CodeBuild and GitHub test reports)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.report.text import metrics_cell
from harness.wire import RunSummary, Status


def junit_xml(summary: RunSummary) -> bytes:
    """JUnit XML for CodeBuild / GitHub test reports: one testcase per scenario."""
    failures = sum(1 for r in summary.results if r.status is Status.FAIL)
    errors = sum(1 for r in summary.results if r.status is Status.ERROR)
    skipped = sum(1 for r in summary.results if r.status is Status.SKIPPED)
    suite = ET.Element(
        "testsuite",
        name=f"harness.{summary.suite}",
        tests=str(len(summary.results)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{summary.duration_seconds:.3f}",
        timestamp=summary.started_at.isoformat(),
    )
    for result in summary.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"harness.{result.group}",
            name=result.scenario,
            time=f"{result.duration_seconds:.3f}",
        )
        if result.status is Status.FAIL:
            ET.SubElement(case, "failure", message=result.reason).text = result.reason
        elif result.status is Status.ERROR:
            kind = result.error.type if result.error else "Error"
            ET.SubElement(case, "error", message=result.reason, type=kind).text = result.reason
        elif result.status is Status.SKIPPED:
            ET.SubElement(case, "skipped")
        if result.metrics:
            ET.SubElement(case, "system-out").text = metrics_cell(result)
    suites = ET.Element("testsuites")
    suites.append(suite)
    return bytes(ET.tostring(suites, encoding="utf-8", xml_declaration=True))
