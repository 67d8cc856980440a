"""boto3 clients whose endpoint comes from config: AWS itself, or a moto server locally."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)


def client(service: str, *, region: str, endpoint_url: str | None = None) -> Any:
    """A boto3 client; ``endpoint_url=None`` means the real AWS endpoint (or $AWS_ENDPOINT_URL)."""
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url, config=_RETRIES
    )
