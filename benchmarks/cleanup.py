"""Cleanup at scale: parallel API deletes and parallel conditional direct deletes, against the
baselines of one request at a time. Runs against the reference target on a local moto server, with a
network round trip of ``--latency`` seconds added to each answer (as through a real ALB).

    python -m benchmarks.cleanup [--sessions N] [--repeat K]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from harness.aws.clients import client
from harness.aws.target_infra import OURS_OR_GONE, Boto3TargetInfra
from harness.config import ReferenceTargetConfig, TargetConfig
from harness.local.moto_server import MotoServer, start_moto_server
from harness.local.reference_target import ReferenceTarget
from harness.target.api import HttpTargetApi
from harness.target.cleanup import cleanup_run
from harness.target.http import HttpClient
from harness.wire import ResolvedTarget, RunContext, RunFlags


def _create_sessions(api: HttpTargetApi, prefix: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        answer = api.create_session(f"{prefix}bench_{n}", "bench-user")
        ids.append(str(answer.json()["sessionId"]))
    return ids


def _median_seconds(
    action: Callable[[], object], prepare: Callable[[], object], repeat: int
) -> float:
    timings = []
    for _ in range(repeat):
        prepare()
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _one_by_one_deletes(target: ResolvedTarget, ids: list[str], prefix: str) -> None:
    """Baseline for the parallel direct delete: the same conditional DeleteItem, one at a time."""
    dynamodb = client("dynamodb", region=target.region, endpoint_url=target.aws_endpoint_url)
    for session_id in ids:
        dynamodb.delete_item(
            TableName=target.sessions_table,
            Key={"sessionId": {"S": session_id}},
            ConditionExpression=OURS_OR_GONE,
            ExpressionAttributeValues={":prefix": {"S": prefix}},
        )


def run(
    moto: MotoServer, sessions: int, repeat: int, latency: float
) -> list[tuple[str, float, float]]:
    suffix = uuid.uuid4().hex[:8]
    config = TargetConfig(
        ecs_cluster=f"bench-{suffix}",
        ecs_service=f"bench-{suffix}",
        sessions_table=f"bench-{suffix}",
    )
    with (
        tempfile.TemporaryDirectory() as workdir,
        ReferenceTarget(
            config, ReferenceTargetConfig(latency_seconds=latency), moto.endpoint, Path(workdir)
        ) as target,
    ):
        resolved = ResolvedTarget.model_validate(
            {**config.model_dump(), "endpoint": target.endpoint, "aws_endpoint_url": moto.endpoint}
        )
        run_ctx = RunContext(
            run_id=f"bench{suffix}",
            suite="bench",
            started_at=datetime.now(UTC),
            target=resolved,
            flags=RunFlags(),
        )
        api = HttpTargetApi(HttpClient(target.endpoint, timeout_seconds=10))
        infra = Boto3TargetInfra(resolved)
        prefix = run_ctx.client_prefix
        ids: list[str] = []

        def prepare() -> None:
            ids[:] = _create_sessions(api, prefix, sessions)

        test_prefix = config.test_prefix
        serial_api = _median_seconds(
            lambda: cleanup_run(run_ctx, api, infra, test_prefix, workers=1), prepare, repeat
        )
        parallel_api = _median_seconds(
            lambda: cleanup_run(run_ctx, api, infra, test_prefix), prepare, repeat
        )
        one_by_one = _median_seconds(
            lambda: _one_by_one_deletes(resolved, ids, prefix), prepare, repeat
        )
        parallel = _median_seconds(lambda: infra.delete_session_items(ids, prefix), prepare, repeat)
    return [
        ("cleanup via API: 8 workers vs 1", serial_api, parallel_api),
        ("direct conditional delete: 8 workers vs 1", one_by_one, parallel),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per answer")
    args = parser.parse_args()
    moto = start_moto_server()
    try:
        rows = run(moto, args.sessions, args.repeat, args.latency)
    finally:
        moto.stop()
    print(
        f"cleanup of {args.sessions} sessions, {args.latency * 1000:g} ms per answer, "
        f"median of {args.repeat}:"
    )
    for name, baseline, improved in rows:
        print(f"  {name:<48} {baseline:7.3f}s -> {improved:7.3f}s  x{baseline / improved:5.2f}")


if __name__ == "__main__":
    main()
