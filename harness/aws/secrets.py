"""Secrets Manager through Powertools Parameters: the alert channels' webhook URL and token,
read by name at run time (never config values, template parameters or environment)."""

from __future__ import annotations

import functools

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from harness.aws.clients import client
from harness.errors import AlertDeliveryError

# A warm Lambda container re-reads a secret at most every 5 minutes (rotation shows up).
MAX_AGE_SECONDS = 300


@functools.lru_cache(maxsize=4)
def _provider(region: str, endpoint_url: str | None) -> SecretsProvider:
    """One provider per container, so Powertools' cache lives across invocations."""
    return SecretsProvider(
        boto3_client=client("secretsmanager", region=region, endpoint_url=endpoint_url)
    )


def read_secret(name: str, *, region: str, endpoint_url: str | None = None) -> str:
    """The secret's string value; a missing or unreadable secret raises AlertDeliveryError
    naming it (the channel's messages are then recorded as undelivered, with that reason)."""
    try:
        value = _provider(region, endpoint_url).get(name, max_age=MAX_AGE_SECONDS)
    except GetParameterError as err:
        cause = err.__cause__ or err
        raise AlertDeliveryError(
            f"could not read secret {name!r}: {type(cause).__name__}: {cause}", retryable=False
        ) from err
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, str) or not value.strip():
        raise AlertDeliveryError(f"secret {name!r} is empty", retryable=False)
    return value.strip()
