"""What a deployed harness (``[run] deployed``) refuses that a local run allows: a run request
that names endpoints (a role-signed request must not go to an arbitrary host), and endpoints
that are not https (or a loopback address: a stack deployed onto a local emulator)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from harness.config import HarnessConfig
from harness.errors import ConfigError, InvalidRunRequestError
from harness.wire import ResolvedTarget, RunRequest


def check_deployed(
    request: RunRequest, config: HarnessConfig, pool: Sequence[ResolvedTarget]
) -> None:
    """Deployed (in AWS), a run request may not name endpoints (a role-signed request must
    not go to an arbitrary host), and every endpoint must be https (or a loopback address:
    a stack deployed onto a local emulator). Locally anything goes."""
    if not config.run.deployed:
        return
    if request.target is not None:
        given = request.target.model_dump(exclude_none=True)
        refused = sorted(set(given) & {"endpoint", "aws_endpoint_url"})
        if refused:
            names = ", ".join(f"target.{_camel(name)}" for name in refused)
            raise InvalidRunRequestError(
                f"{names}: the deployed harness tests the target its config names; "
                "deploy a config for another target instead"
            )
    for member in pool:
        for name in ("endpoint", "aws_endpoint_url"):
            url = getattr(member, name)
            if url and not _secure_or_loopback(str(url)):
                raise ConfigError(
                    f"target '{member.name}': {name} must be https:// in AWS, not {url!r}"
                )


def _secure_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
