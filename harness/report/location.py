"""Where a run's report lives, derived from the run id alone.

Alerts link to the report before it exists (it is written by a step after Alert), so whoever
writes the report and whoever links to it both ask ``report_location``.

- In AWS (history in DynamoDB): ``s3://<storage.bucket>/reports/<run_id>/report.html``; a
  person opens it through the S3 console link (the bucket blocks public access).
- Locally (history in SQLite): ``<state_dir>/reports/<run_id>/report.html``.
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
REPORT_FILE = "report.html"


@dataclass(frozen=True, slots=True)
class ReportLocation:
    run_id: str
    kind: Literal["s3", "local"]
    html: str  # s3://bucket/key or an absolute file path
    link: str  # what a person clicks: the S3 console page, or a file:// URI


def report_location(run_id: str, config: HarnessConfig) -> ReportLocation:
    """S3 when history is in DynamoDB (a deployed run), else the local state folder."""
    if not re.match(RUN_ID_PATTERN, run_id):
        raise ValueError(f"run id {run_id!r} cannot name a report (letters, digits and '-')")
    if config.history.backend == "dynamodb":
        return s3_location(run_id, config.storage.bucket, config.history.region)
    return local_location(run_id, Path(config.local.state_dir))


def s3_location(run_id: str, bucket: str, region: str) -> ReportLocation:
    if not bucket:
        raise ValueError("[storage] bucket is empty: the CDK app fills it for deployed handlers")
    key = f"{REPORTS_PREFIX}{run_id}/{REPORT_FILE}"
    console = (
        f"https://{region}.console.aws.amazon.com/s3/object/{bucket}"
        f"?region={region}&prefix={quote(key, safe='')}"
    )
    return ReportLocation(run_id, "s3", f"s3://{bucket}/{key}", console)


def local_location(run_id: str, state_dir: Path) -> ReportLocation:
    html = state_dir.absolute() / REPORTS_PREFIX.rstrip("/") / run_id / REPORT_FILE
    return ReportLocation(run_id, "local", str(html), html.as_uri())
