"""Run reports in the results bucket: ``reports/<run_id>/report.html`` and
``junit/<run_id>.xml`` (``harness.report.location``; the CDK app grants exactly these)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws.clients import client
from harness.errors import ReportError
from harness.report.location import ReportLocation

HTML = "text/html; charset=utf-8"
XML = "application/xml"


class S3ReportBucket:
    """Implements ``harness.ports.ReportStore`` on the results bucket."""

    def __init__(self, *, region: str, endpoint_url: str | None = None) -> None:
        self._s3 = client("s3", region=region, endpoint_url=endpoint_url)

    def write(self, location: ReportLocation, html: bytes, junit: bytes) -> None:
        if location.kind != "s3":
            raise ReportError(f"{location.html} is not in a bucket")
        # The JUnit file first: the report links to it.
        for key, body, kind in ((location.junit_key, junit, XML), (location.html_key, html, HTML)):
            try:
                self._s3.put_object(Bucket=location.bucket, Key=key, Body=body, ContentType=kind)
            except ClientError as err:
                code = err.response.get("Error", {}).get("Code", "Unknown")
                raise ReportError(f"S3 PutObject s3://{location.bucket}/{key}: {code}") from err
            except BotoCoreError as err:
                raise ReportError(f"S3 PutObject s3://{location.bucket}/{key}: {err}") from err
