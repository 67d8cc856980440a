"""Where a run's report and JUnit file live, derived from the run id alone.

Alerts link to the report before it exists (PublishReport runs after Alert), and the CLI, the
PublishReport step and ``harness report`` all write or name it: every one of them asks
``report_location`` so the link an alert sends is the file that gets written.

- In AWS (history in DynamoDB): ``s3://<storage.bucket>/reports/<run_id>/report.html`` and
  ``s3://<storage.bucket>/junit/<run_id>.xml``; a person opens the report through the S3
  console link (the bucket blocks public access).
- Locally (history in SQLite): ``<state_dir>/reports/<run_id>/report.html`` with
  ``junit.xml`` beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from harness.config import HarnessConfig
from harness.wire import RUN_ID_PATTERN

REPORTS_PREFIX = "reports/"
JUNIT_PREFIX = "junit/"
REPORT_FILE = "report.html"
JUNIT_FILE = "junit.xml"


@dataclass(frozen=True, slots=True)
class ReportLocation:
    """Where the report and the JUnit file of one run are written, and what a person clicks."""

    run_id: str
    kind: Literal["s3", "local"]
    html: str  # s3://bucket/key or an absolute file path
    junit: str
    link: str  # the S3 console page of the report, or its file:// URI
    junit_link: str  # the JUnit file as the report links to it (relative to the report)
    bucket: str = ""
    html_key: str = ""
    junit_key: str = ""


def report_location(run_id: str, config: HarnessConfig) -> ReportLocation:
    """The report location of ``run_id``: S3 when history is in DynamoDB, else the state folder."""
    # Run ids are file and key safe by construction; checked again: a path is built from one.
    if not re.match(RUN_ID_PATTERN, run_id):
        raise ValueError(f"run id {run_id!r} cannot name a report (letters, digits and '-')")
    if config.history.backend == "dynamodb":
        return s3_location(run_id, config.storage.bucket, config.history.region)
    return local_location(run_id, Path(config.local.state_dir))


def s3_location(run_id: str, bucket: str, region: str) -> ReportLocation:
    if not bucket:
        raise ValueError("[storage] bucket is empty: the CDK app fills it for deployed handlers")
    html_key = f"{REPORTS_PREFIX}{run_id}/{REPORT_FILE}"
    junit_key = f"{JUNIT_PREFIX}{run_id}.xml"
    console = (
        f"https://{region}.console.aws.amazon.com/s3/object/{bucket}"
        f"?region={region}&prefix={quote(html_key, safe='')}"
    )
    return ReportLocation(
        run_id=run_id,
        kind="s3",
        html=f"s3://{bucket}/{html_key}",
        junit=f"s3://{bucket}/{junit_key}",
        link=console,
        junit_link=f"../../{junit_key}",
        bucket=bucket,
        html_key=html_key,
        junit_key=junit_key,
    )


def local_location(run_id: str, state_dir: Path) -> ReportLocation:
    folder = state_dir.absolute() / REPORTS_PREFIX.rstrip("/") / run_id
    html = folder / REPORT_FILE
    return ReportLocation(
        run_id=run_id,
        kind="local",
        html=str(html),
        junit=str(folder / JUNIT_FILE),
        link=html.as_uri(),
        junit_link=JUNIT_FILE,
    )
