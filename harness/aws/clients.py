"""boto3 clients whose endpoint comes from config: AWS itself, or a moto server locally."""

from __future__ import annotations

import functools
import threading
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=5,
    read_timeout=30,
    # Scenarios and cleanup call AWS from several threads at once.
    max_pool_connections=32,
)


# What a client of a local server (moto on loopback) signs with: never the user's real keys.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local-harness", "aws_secret_access_key": "local"}


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host == "::1" or host.startswith("127.")


_session_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _local_session() -> boto3.session.Session:
    """One session for every client of a local server: it loads the endpoint rules and
    models once (a new session per client re-reads them, about 0.2 s of CPU each). Those
    clients sign with fixed keys, so the session never resolves (or caches) credentials."""
    return boto3.session.Session()


def local_client(service: str, *, region: str, endpoint_url: str, config: Config) -> Any:
    """A new client of a local server with a ``config`` of the caller's, from the session
    every local client shares (its models and endpoint rules are loaded already)."""
    with _session_lock:
        return _local_session().client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            config=config,
            **LOCAL_CREDENTIALS,
        )


def local_data_loader() -> Any:
    """The botocore loader behind every client of a local server: it keeps each service
    model it has read, so an in-process moto server can read them from here too."""
    return _local_session()._session.get_component("data_loader")


@functools.lru_cache(maxsize=64)
def client(service: str, *, region: str, endpoint_url: str | None = None) -> Any:
    """A boto3 client; ``endpoint_url=None`` means the real AWS endpoint (or $AWS_ENDPOINT_URL).

    Clients of a loopback endpoint sign with fixed local credentials, so local runs need no
    AWS account and a user's real credentials never reach a local server, while clients of
    AWS use the normal credential chain. Cached: building one costs 0.1-0.3 s (service
    model loading), and boto3 clients are thread-safe, so every adapter shares them. Clients
    of local servers share one session (creating clients from it is not thread-safe, hence
    the lock); clients of AWS get a session of their own, so credentials are always
    resolved afresh.
    """
    if endpoint_url and is_loopback(endpoint_url):
        return local_client(service, region=region, endpoint_url=endpoint_url, config=_CONFIG)
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url, config=_CONFIG
    )
