"""Where reports are written: the local state folder, and the results bucket on a real moto
server (the same keys the CDK app grants)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from harness.aws.clients import client
from harness.aws.report_bucket import S3ReportBucket
from harness.errors import ReportError
from harness.local.moto_server import MotoServer
from harness.local.report_files import LocalReportFiles
from harness.report.location import local_location, s3_location

REGION = "us-east-1"


def test_local_files_land_whole_in_the_run_folder(tmp_path: Path) -> None:
    where = local_location("r-1", tmp_path / "state")
    LocalReportFiles().write(where, b"<html>one</html>", b"<testsuites/>")
    LocalReportFiles().write(where, b"<html>two</html>", b"<testsuites/>")
    folder = tmp_path / "state" / "reports" / "r-1"
    assert sorted(p.name for p in folder.iterdir()) == ["junit.xml", "report.html"]  # no temp
    assert (folder / "report.html").read_bytes() == b"<html>two</html>"


def test_an_unwritable_state_folder_is_a_report_error(tmp_path: Path) -> None:
    (tmp_path / "reports").write_text("a file where the folder should be")
    with pytest.raises(ReportError, match="cannot write"):
        LocalReportFiles().write(local_location("r-1", tmp_path), b"x", b"y")


def test_the_bucket_gets_report_and_junit_under_their_prefixes(moto_server: MotoServer) -> None:
    s3 = client("s3", region=REGION, endpoint_url=moto_server.endpoint)
    bucket = f"results-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    where = s3_location("r-2", bucket, REGION)
    S3ReportBucket(region=REGION, endpoint_url=moto_server.endpoint).write(
        where, b"<html>report</html>", b"<testsuites/>"
    )
    page = s3.get_object(Bucket=bucket, Key="reports/r-2/report.html")
    assert page["Body"].read() == b"<html>report</html>"
    assert page["ContentType"] == "text/html; charset=utf-8"
    junit = s3.get_object(Bucket=bucket, Key="junit/r-2.xml")
    assert junit["Body"].read() == b"<testsuites/>"
    assert junit["ContentType"] == "application/xml"


def test_a_missing_bucket_is_a_report_error_naming_the_key(moto_server: MotoServer) -> None:
    store = S3ReportBucket(region=REGION, endpoint_url=moto_server.endpoint)
    with pytest.raises(ReportError, match=r"s3://no-such-bucket-x/junit/r-3.xml: NoSuchBucket"):
        store.write(s3_location("r-3", "no-such-bucket-x", REGION), b"x", b"y")
