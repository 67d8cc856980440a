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
            # A cached pass took no time in this run (its own run's report has its time).
            time="0.000" if result.status is Status.CACHED else f"{result.duration_seconds:.3f}",
        )
        if result.status is Status.FAIL:
            ET.SubElement(case, "failure", message=result.reason).text = result.reason
        elif result.status is Status.ERROR:
            kind = result.error.type if result.error else "Error"
            ET.SubElement(case, "error", message=result.reason, type=kind).text = result.reason
        elif result.status is Status.SKIPPED:
            ET.SubElement(case, "skipped", message=result.selection or "skipped")
        out = [metrics_cell(result)] if result.metrics else []
        if result.status is Status.CACHED:
            # A pass reused from an earlier run: a passing test case that says where from.
            properties = ET.SubElement(case, "properties")
            ET.SubElement(properties, "property", name="status", value="cached")
            ET.SubElement(properties, "property", name="cachedFrom", value=result.cached_from or "")
            out.insert(0, result.selection or f"cached from run {result.cached_from}")
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    suites = ET.Element("testsuites")
    suites.append(suite)
    return bytes(ET.tostring(suites, encoding="utf-8", xml_declaration=True))
