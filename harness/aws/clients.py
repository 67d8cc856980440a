"""boto3 clients whose endpoint comes from config: AWS itself, or a moto server locally."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=5,
    read_timeout=30,
    # Scenarios and cleanup call AWS from several threads at once.
    max_pool_connections=32,
)


@functools.lru_cache(maxsize=64)
def client(service: str, *, region: str, endpoint_url: str | None = None) -> Any:
    """A boto3 client; ``endpoint_url=None`` means the real AWS endpoint (or $AWS_ENDPOINT_URL).

    Cached: building one costs 0.1-0.3 s (service model loading), and boto3 clients are
    thread-safe, so every adapter in a process shares them.
    """
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url, config=_CONFIG
    )
