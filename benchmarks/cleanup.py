"""Cleanup at scale, against the baselines of one request at a time.

Every network path gets the same added latency (``--latency``, 20 ms: the reference target's
HTTP answers and every AWS call), baseline and candidate run in alternating order, and each
figure is the median of ``--rounds``.

* **API deletes**: the run's sessions through the target API, 16 at once vs one at a time
  (reference target on the local moto server).
* **Direct deletes at scale**: ``--items`` test sessions among as many foreign ones in one
  table, on a moto server in its own process. Candidate: the cleanup's direct path (segmented
  scan, then conditional ``DeleteItem`` calls, 32 at once). Baseline: one conditional
  ``DeleteItem`` at a time, timed on ``--baseline-items`` of them and scaled to all (a full
  baseline of 10 000 takes minutes; ``--baseline-items 10000`` measures it whole). Checked:
  no foreign item touched, and the candidate within the cleanup SLA (2 minutes).

    python -m benchmarks.cleanup [--sessions N] [--items N] [--baseline-items N]
                                 [--rounds R] [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.fair import added_latency, alternated, moto_process
from harness.aws.clients import client
from harness.aws.target_infra import DELETE_WORKERS, Boto3TargetInfra
from harness.config import ReferenceTargetConfig, SlaConfig, TargetConfig
from harness.local.moto_server import MotoServer, start_moto_server
from harness.local.reference_target import ReferenceTarget
from harness.target.api import HttpTargetApi
from harness.target.cleanup import API_DELETE_WORKERS, cleanup_run
from harness.target.http import HttpClient
from harness.target.marker import OURS_OR_GONE, owned
from harness.wire import ResolvedTarget, RunContext, RunFlags

REGION = "us-east-1"
FILL_WORKERS = 16


@dataclass(frozen=True)
class Row:
    name: str
    baseline: float
    candidate: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.baseline / self.candidate if self.candidate else float("inf")


def _run_context(target: ResolvedTarget, run_id: str) -> RunContext:
    return RunContext(
        run_id=run_id, suite="bench", started_at=datetime.now(UTC), target=target, flags=RunFlags()
    )


def api_row(moto: MotoServer, sessions: int, rounds: int, latency: float) -> Row:
    """The run's sessions through the target API: 16 workers vs 1."""
    suffix = uuid.uuid4().hex[:8]
    config = TargetConfig(
        ecs_cluster=f"bench-{suffix}",
        ecs_service=f"bench-{suffix}",
        sessions_table=f"bench-{suffix}",
    )
    settings = ReferenceTargetConfig(latency_seconds=latency, cold_start_seconds=0)
    with (
        tempfile.TemporaryDirectory() as workdir,
        ReferenceTarget(config, settings, moto.endpoint, Path(workdir)) as target,
    ):
        resolved = ResolvedTarget.model_validate(
            {**config.model_dump(), "endpoint": target.endpoint, "aws_endpoint_url": moto.endpoint}
        )
        run = _run_context(resolved, f"bench{suffix}")
        api = HttpTargetApi(HttpClient(target.endpoint, timeout_seconds=30))
        infra = Boto3TargetInfra(resolved)

        def timed(workers: int) -> float:
            for number in range(sessions):
                api.create_session(f"{run.client_prefix}bench_{number}", "bench-user")
            started = time.perf_counter()
            report = cleanup_run(run, api, infra, config.test_prefix, workers=workers)
            assert report.deleted_via_api == sessions, report
            return time.perf_counter() - started

        aws = [
            client(name, region=REGION, endpoint_url=moto.endpoint) for name in ("dynamodb", "logs")
        ]
        with added_latency(aws, latency):
            one, many = alternated(lambda: timed(1), lambda: timed(API_DELETE_WORKERS), rounds)
    return Row(
        f"cleanup via API, {sessions} sessions: {API_DELETE_WORKERS} at once vs 1", one, many
    )


def put_sessions(dynamodb: Any, table: str, items: list[tuple[str, str]]) -> None:
    """Write session items (sessionId, clientId) straight into the table, 25 a call."""

    def batch(chunk: list[tuple[str, str]]) -> None:
        requests: list[dict[str, Any]] = [
            {
                "PutRequest": {
                    "Item": {
                        "sessionId": {"S": session_id},
                        "clientId": {"S": client_id},
                        "createdAt": {"S": "2026-11-24T06:00:00+00:00"},
                        "userId": {"S": "bench"},
                    }
                }
            }
            for session_id, client_id in chunk
        ]
        while requests:
            answer = dynamodb.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])

    with ThreadPoolExecutor(max_workers=FILL_WORKERS) as pool:
        list(pool.map(batch, [items[n : n + 25] for n in range(0, len(items), 25)]))


def _foreign(count: int, run_prefix: str) -> list[tuple[str, str]]:
    """Other people's sessions, some of them lookalikes of the run's prefix."""
    shapes = (
        "customer-{n}",
        "prod_" + run_prefix + "{n}",
        run_prefix.lower() + "{n}",
        "TEST_other_{n}",
    )
    return [(f"foreign-{n}", shapes[n % len(shapes)].format(n=n)) for n in range(count)]


def _scan(dynamodb: Any, table: str) -> dict[str, dict[str, Any]]:
    pages = dynamodb.get_paginator("scan").paginate(TableName=table)
    return {item["sessionId"]["S"]: item for page in pages for item in page["Items"]}


def direct_rows(items: int, baseline_items: int, rounds: int, latency: float) -> list[Row]:
    """Direct deletes of ``items`` test sessions among ``items`` foreign ones."""
    sla = SlaConfig().cleanup_max_seconds
    with moto_process() as endpoint:
        table = f"bench-{uuid.uuid4().hex[:8]}"
        target = ResolvedTarget.model_validate(
            {
                **TargetConfig(sessions_table=table).model_dump(),
                "endpoint": "http://127.0.0.1:9",
                "aws_endpoint_url": endpoint,
            }
        )
        run = _run_context(target, "benchdirect")
        prefix = run.client_prefix
        dynamodb = client("dynamodb", region=REGION, endpoint_url=endpoint)
        dynamodb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "sessionId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "sessionId", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ours = [(f"test-{n}", f"{prefix}s_{n}") for n in range(items)]
        put_sessions(dynamodb, table, ours + _foreign(items, prefix))
        foreign_before = {
            k: v for k, v in _scan(dynamodb, table).items() if k.startswith("foreign-")
        }
        infra = Boto3TargetInfra(target)
        sample = ours[: max(1, min(baseline_items, items))]

        def one_at_a_time() -> float:
            started = time.perf_counter()
            for session_id, _ in sample:
                dynamodb.delete_item(
                    TableName=table,
                    Key={"sessionId": {"S": session_id}},
                    ConditionExpression=OURS_OR_GONE,
                    ExpressionAttributeValues={":prefix": {"S": prefix}},
                )
            elapsed = time.perf_counter() - started
            put_sessions(dynamodb, table, sample)
            return elapsed * len(ours) / len(sample)

        candidates: list[float] = []

        def cleanup_direct() -> float:
            started = time.perf_counter()
            found = [sid for sid, cid in infra.find_sessions(prefix) if owned(cid, prefix)]
            deleted = infra.delete_session_items(found, prefix)
            elapsed = time.perf_counter() - started
            assert deleted == len(ours), (deleted, len(ours))
            candidates.append(elapsed)
            put_sessions(dynamodb, table, ours)
            return elapsed

        with added_latency([dynamodb], latency):
            baseline, candidate = alternated(one_at_a_time, cleanup_direct, rounds)
        after = _scan(dynamodb, table)
    touched = sum(1 for key, item in foreign_before.items() if after.get(key) != item)
    measured = f"{len(sample)} measured" if len(sample) < len(ours) else "all measured"
    verdict = "yes" if max(candidates) <= sla else "NO"
    return [
        Row(
            f"direct deletes, {items} test among {items} foreign items: "
            f"{DELETE_WORKERS} at once vs 1 ({measured})",
            baseline,
            candidate,
            f"foreign items touched: {touched} of {len(foreign_before)}; slowest cleanup "
            f"{max(candidates):.1f}s, within the {sla:g}s cleanup SLA: {verdict}",
        )
    ]


def run(
    moto: MotoServer,
    sessions: int,
    items: int,
    baseline_items: int,
    rounds: int,
    latency: float,
) -> list[Row]:
    return [
        api_row(moto, sessions, rounds, latency),
        *direct_rows(items, baseline_items, rounds, latency),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--baseline-items", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    args = parser.parse_args()
    moto = start_moto_server()
    try:
        rows = run(moto, args.sessions, args.items, args.baseline_items, args.rounds, args.latency)
    finally:
        moto.stop()
    print(
        f"cleanup, {args.latency * 1000:g} ms added to every request (target API and AWS), "
        f"median of {args.rounds} alternated round(s):"
    )
    for row in rows:
        print(f"  {row.name}\n    {row.baseline:8.2f}s -> {row.candidate:7.2f}s  x{row.ratio:5.1f}")
        if row.note:
            print(f"    {row.note}")


if __name__ == "__main__":
    main()
