"""On-demand list prices the cost estimate uses, per region.

Source: the AWS public price pages of each service (Lambda, Step Functions, Fargate, DynamoDB,
S3, CloudWatch), on-demand, x86/Linux, no free tier; recorded on 2026-06-01 (the us-east-1
Fargate rates were cross-checked against published summaries of the price pages dated
2026-03 and 2026-06). Prices change: docs/cost.md says how to re-check them. A region that
is not listed is refused (``[cost] region``), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import ConfigError

SOURCE = "AWS public on-demand price pages (x86, Linux, no free tier)"
RECORDED_ON = "2026-06-01"


@dataclass(frozen=True)
class Prices:
    lambda_gb_second: float
    lambda_request: float
    sfn_transition: float  # Standard workflows
    fargate_vcpu_second: float
    fargate_gb_second: float
    dynamodb_write_request: float  # on-demand, per write request unit
    dynamodb_read_request: float  # on-demand, per read request unit
    s3_put_request: float  # S3 Standard PUT/COPY/POST/LIST
    s3_get_request: float  # S3 Standard GET/SELECT
    logs_ingested_gb: float  # CloudWatch Logs, standard class


_US = Prices(
    lambda_gb_second=0.0000166667,
    lambda_request=0.20 / 1_000_000,
    sfn_transition=0.025 / 1_000,
    fargate_vcpu_second=0.04048 / 3600,
    fargate_gb_second=0.004445 / 3600,
    dynamodb_write_request=0.625 / 1_000_000,
    dynamodb_read_request=0.125 / 1_000_000,
    s3_put_request=0.005 / 1_000,
    s3_get_request=0.0004 / 1_000,
    logs_ingested_gb=0.50,
)

PRICES: dict[str, Prices] = {"us-east-1": _US, "us-west-2": _US}


def prices_for(region: str) -> Prices:
    try:
        return PRICES[region]
    except KeyError:
        raise ConfigError(
            f"no price table for region {region!r} (known: {', '.join(sorted(PRICES))}); "
            "add it to harness/judge/prices.py with its source, or set [cost] region"
        ) from None
