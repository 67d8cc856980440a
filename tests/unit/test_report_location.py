"""One function names where a run's report lives; alerts link to it before it is written."""

from pathlib import Path

import pytest

from harness.config import HarnessConfig
from harness.report.location import report_location


def test_local_runs_write_into_the_state_folder(tmp_path: Path) -> None:
    config = HarnessConfig.model_validate({"local": {"state_dir": str(tmp_path / "state")}})
    where = report_location("20261124T060000Z-abc123", config)
    folder = tmp_path / "state" / "reports" / "20261124T060000Z-abc123"
    assert (where.kind, where.html, where.junit) == (
        "local",
        str(folder / "report.html"),
        str(folder / "junit.xml"),
    )
    assert where.link == (folder / "report.html").as_uri()
    assert where.junit_link == "junit.xml"


def test_deployed_runs_write_into_the_results_bucket() -> None:
    config = HarnessConfig.model_validate(
        {
            "history": {"backend": "dynamodb", "region": "eu-west-1"},
            "storage": {"bucket": "harness-results-1"},
        }
    )
    where = report_location("r-1", config)
    assert where.html == "s3://harness-results-1/reports/r-1/report.html"
    assert where.junit == "s3://harness-results-1/junit/r-1.xml"
    assert (where.bucket, where.html_key, where.junit_key) == (
        "harness-results-1",
        "reports/r-1/report.html",
        "junit/r-1.xml",
    )
    assert where.link == (
        "https://eu-west-1.console.aws.amazon.com/s3/object/harness-results-1"
        "?region=eu-west-1&prefix=reports%2Fr-1%2Freport.html"
    )
    # From reports/r-1/report.html, the JUnit file is two folders up.
    assert where.junit_link == "../../junit/r-1.xml"


def test_a_deployed_config_without_a_bucket_is_refused() -> None:
    config = HarnessConfig.model_validate({"history": {"backend": "dynamodb"}})
    with pytest.raises(ValueError, match=r"\[storage\] bucket is empty"):
        report_location("r-1", config)


@pytest.mark.parametrize("run_id", ["../etc", "a/b", "", "x" * 49, "-lead"])
def test_run_ids_that_are_not_file_safe_are_refused(run_id: str) -> None:
    with pytest.raises(ValueError, match="cannot name a report"):
        report_location(run_id, HarnessConfig())
