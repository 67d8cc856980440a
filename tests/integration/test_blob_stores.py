"""Both BlobStore adapters (S3 on the moto server, a folder) behave the same, and the result
cache over them treats anything unreadable as a miss."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.aws.clients import client
from harness.aws.s3_store import S3Store
from harness.errors import StoreError
from harness.judge.results import RunResults
from harness.local.folder_store import FolderStore
from harness.local.moto_server import MotoServer
from harness.planning.cache import ResultCache, entry_key
from harness.ports import BlobStore
from harness.wire import ScenarioResult, Status

REGION = "us-east-1"
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@pytest.fixture(params=["s3", "folder"])
def store(request: pytest.FixtureRequest, moto_server: MotoServer, tmp_path: Path) -> BlobStore:
    if request.param == "folder":
        return FolderStore(tmp_path / "state")
    bucket = f"results-{uuid.uuid4().hex[:8]}"
    client("s3", region=REGION, endpoint_url=moto_server.endpoint).create_bucket(Bucket=bucket)
    return S3Store(bucket, region=REGION, endpoint_url=moto_server.endpoint)


def test_put_get_and_delete_a_prefix(store: BlobStore) -> None:
    assert store.get("cache/none.json") is None
    store.put("results/r1/a.json", b"1")
    store.put("results/r1/b.json", b"2")
    store.put("results/r2/a.json", b"3")
    store.put("results/r1/a.json", b"4")  # replaced whole
    assert store.get("results/r1/a.json") == b"4"
    assert store.delete_prefix("results/r1/") == 2
    assert store.get("results/r1/b.json") is None
    assert store.get("results/r2/a.json") == b"3"
    assert store.delete_prefix("results/none/") == 0


def test_run_results_round_trip_and_reasons(store: BlobStore) -> None:
    results = RunResults(store)
    result = ScenarioResult(scenario="cold-start", group="lifecycle", status=Status.PASS)
    results.put("r1", result)
    results.put_reasons("r1", {"cold-start": "changed: a.ts", "alb-routing": "no file changed"})
    found = results.get_many("r1", ["cold-start", "alb-routing"])
    assert found["cold-start"] == result
    assert found["alb-routing"] == "was never stored"
    assert results.reasons("r1")["alb-routing"] == "no file changed"
    assert results.forget("r1") == 2
    assert results.reasons("r1") == {}


def test_a_corrupt_cache_entry_in_the_store_is_a_miss(store: BlobStore) -> None:
    cache = ResultCache(store, timedelta(hours=24))
    result = ScenarioResult(scenario="cold-start", group="lifecycle", status=Status.PASS)
    assert cache.remember("a" * 64, "r1", result, NOW)
    assert cache.lookup("a" * 64, "cold-start", NOW) is not None
    store.put(entry_key("a" * 64), b'{"key": "truncated')
    assert cache.lookup("a" * 64, "cold-start", NOW) is None


def test_an_unreachable_bucket_is_a_store_error_and_a_cache_miss(moto_server: MotoServer) -> None:
    missing = S3Store("no-such-bucket-here", region=REGION, endpoint_url=moto_server.endpoint)
    with pytest.raises(StoreError, match="no-such-bucket-here"):
        missing.put("cache/x.json", b"{}")
    with pytest.raises(StoreError, match="NoSuchBucket"):
        missing.get("cache/x.json")
    assert ResultCache(missing, timedelta(hours=1)).lookup("a" * 64, "cold-start", NOW) is None


def test_folder_keys_cannot_escape_and_unreadable_files_are_errors(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "state")
    for bad in ("../x", "cache/../../x", "/abs", "cache//x", "cache\\x"):
        with pytest.raises(StoreError, match="invalid object key"):
            store.put(bad, b"x")
    (tmp_path / "state" / "cache" / "dir.json").mkdir(parents=True)
    with pytest.raises(StoreError, match="cannot read"):
        store.get("cache/dir.json")


@pytest.fixture
def no_leftover_staging(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    assert not list(tmp_path.rglob(".put-*"))


def test_folder_writes_leave_no_staging_files(no_leftover_staging: Path) -> None:
    store = FolderStore(no_leftover_staging / "state")
    for number in range(5):
        store.put(f"cache/{number}.json", b"{}")
    assert len(list((no_leftover_staging / "state" / "cache").iterdir())) == 5
