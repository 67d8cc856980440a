"""The weekly security scan, where the development tools are (a checkout with
requirements-dev.txt installed: a developer's machine or CI): ``pip-audit`` on the pinned
requirements and cdk-nag on the synthesized template. A tool that cannot check (not
installed, its vulnerability service out of reach, a package it could not look up) makes the
result "not checked" with the reason; it never counts as a pass."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.layout import PROJECT_ROOT
from harness.maintenance.model import TaskResult, TaskStatus

REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
TIMEOUT_SECONDS = 600


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "(no output)"


def pip_audit(root: Path = PROJECT_ROOT) -> TaskResult:
    """Audit every pinned requirement file; a package pip-audit could not look up is not
    audited, so the scan is then "not checked" (its report says "No known vulnerabilities"
    all the same: we read the JSON, not the summary line)."""
    if importlib.util.find_spec("pip_audit") is None:
        return TaskResult(
            name="pip-audit",
            status=TaskStatus.NOT_CHECKED,
            detail="not checked: pip-audit is not installed (requirements-dev.txt)",
        )
    findings: list[str] = []
    skipped: list[str] = []
    audited = 0
    for name in REQUIREMENTS:
        command = [sys.executable, "-m", "pip_audit", "-r", str(root / name), "--no-deps",
                   "--disable-pip", "--format", "json", "--progress-spinner", "off"]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            return TaskResult(
                name="pip-audit",
                status=TaskStatus.NOT_CHECKED,
                detail=f"not checked: pip-audit on {name} ran over {TIMEOUT_SECONDS}s",
            )
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            return TaskResult(
                name="pip-audit",
                status=TaskStatus.NOT_CHECKED,
                detail=f"not checked: pip-audit on {name} failed: {_tail(done.stderr)}",
            )
        for dependency in report.get("dependencies", []):
            if "skip_reason" in dependency:
                skipped.append(f"{dependency['name']}: {dependency['skip_reason']}")
                continue
            audited += 1
            for vuln in dependency.get("vulns", []):
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
                findings.append(
                    f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']} "
                    f"(fixed in {fixes})"
                )
    if findings:
        status, detail = TaskStatus.FAILED, f"{len(findings)} known vulnerabilit(y/ies)"
    elif skipped:
        status = TaskStatus.NOT_CHECKED
        detail = (
            f"not checked: {len(skipped)} of {len(skipped) + audited} pinned packages could "
            f"not be looked up in the vulnerability service (first: {skipped[0]})"
        )
    else:
        status, detail = TaskStatus.OK, f"{audited} pinned packages, no known vulnerabilities"
    return TaskResult(
        name="pip-audit",
        status=status,
        detail=detail,
        findings=findings,
        data={"audited": audited, "skipped": len(skipped)},
    )


def cdk_nag(root: Path = PROJECT_ROOT) -> TaskResult:
    """What `cdk synth` runs (``app.py``) with cdk-nag's AwsSolutions checks: every
    unacknowledged finding, by rule and construct."""
    if importlib.util.find_spec("aws_cdk") is None or importlib.util.find_spec("cdk_nag") is None:
        return TaskResult(
            name="cdk-nag",
            status=TaskStatus.NOT_CHECKED,
            detail="not checked: aws-cdk-lib and cdk-nag are not installed (requirements-dev.txt)",
        )
    with tempfile.TemporaryDirectory(prefix="harness-nag-") as outdir:
        env = {**os.environ, "CDK_OUTDIR": outdir}
        env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        done = subprocess.run(
            [sys.executable, "app.py"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        report_file = Path(outdir) / "validation-report.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
    reported = [
        f"{violation['ruleName']}: {construct['constructPath']}"
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    ]
    # The stack's own warnings (e.g. no [target] endpoint yet) are not security findings.
    findings = [item for item in reported if not item.startswith("Annotation::")]
    warnings = [item for item in reported if item.startswith("Annotation::")]
    if findings:
        return TaskResult(
            name="cdk-nag",
            status=TaskStatus.FAILED,
            detail=f"{len(findings)} unacknowledged finding(s)",
            findings=findings,
        )
    if done.returncode != 0:
        return TaskResult(
            name="cdk-nag",
            status=TaskStatus.NOT_CHECKED,
            detail=f"not checked: synthesis failed: {_tail(done.stderr)}",
        )
    detail = "no unacknowledged findings"
    if warnings:
        detail += f" (stack warnings: {', '.join(warnings)})"
    return TaskResult(name="cdk-nag", status=TaskStatus.OK, detail=detail)


def security_scan(root: Path = PROJECT_ROOT) -> TaskResult:
    parts = [pip_audit(root), cdk_nag(root)]
    statuses = {part.status for part in parts}
    status = next(
        (s for s in (TaskStatus.FAILED, TaskStatus.NOT_CHECKED) if s in statuses), TaskStatus.OK
    )
    return TaskResult(
        name="security-scan",
        status=status,
        detail="; ".join(f"{part.name}: {part.detail}" for part in parts),
        findings=[f"{part.name}: {finding}" for part in parts for finding in part.findings],
        data={part.name: part.status.value for part in parts},
    )
