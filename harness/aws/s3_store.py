"""Objects in the results bucket (``storage.bucket``): implements ``harness.ports.BlobStore``
for the result cache (``cache/``) and a run's stored results (``results/``)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws.clients import client
from harness.errors import StoreError

MISSING = {"NoSuchKey", "404", "NotFound"}
DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys


class S3Store:
    """Implements ``harness.ports.BlobStore`` on one bucket."""

    def __init__(self, bucket: str, *, region: str, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self._s3 = client("s3", region=region, endpoint_url=endpoint_url)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self._s3.get_object(Bucket=self.bucket, Key=key)
            data: bytes = answer["Body"].read()
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise self._error("GetObject", key, err) from err
        except BotoCoreError as err:
            raise self._error("GetObject", key, err) from err
        return data

    def put(self, key: str, data: bytes) -> None:
        try:
            self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType="application/json"
            )
        except (ClientError, BotoCoreError) as err:
            raise self._error("PutObject", key, err) from err

    def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
            for start in range(0, len(keys), DELETE_BATCH):
                batch: list[dict[str, Any]] = [
                    {"Key": key} for key in keys[start : start + DELETE_BATCH]
                ]
                self._s3.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
                deleted += len(batch)
        except (ClientError, BotoCoreError) as err:
            raise self._error("DeleteObjects", prefix, err) from err
        return deleted

    def _error(self, operation: str, key: str, err: Exception) -> StoreError:
        if isinstance(err, ClientError):
            detail = err.response.get("Error", {}).get("Code", "Unknown")
        else:
            detail = str(err)
        return StoreError(f"S3 {operation} s3://{self.bucket}/{key} failed: {detail}")
