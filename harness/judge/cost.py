"""What a run costs in AWS, estimated from what it used (docs/cost.md).

Counted: Step Functions transitions and Lambda invocations (from the ASL and the plan,
``harness.judge.transitions``), Lambda GB-seconds (scenarios: their measured duration, once per
batch for a load scenario fanned out over Map iterations; short steps: ``[cost]
short_step_seconds`` each), the target's Fargate vCPU- and GB-seconds (every
scenario keeps one edit task of ``[cost] target_task_*`` up while it runs), the harness's
DynamoDB (its leases too) and S3 requests, and CloudWatch Logs ingestion. Prices:
``harness.judge.prices``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from harness import layout
from harness.config import HarnessConfig
from harness.judge.prices import Prices, prices_for
from harness.judge.transitions import StepCounts, count_steps
from harness.wire import ScenarioResult, Status

SCENARIO_RESOURCE = "${RunScenarioFunctionArn}"
# A load scenario fanned out over Map iterations runs as one RunUserBatch per batch.
BATCH_RESOURCE = "${RunUserBatchFunctionArn}"
# The harness's own storage requests per run, from the code paths: Aggregate writes the run
# (1 PutItem), Cleanup records its report (1 PutItem), Alert its outcome (1
# TransactWriteItems); DetectRegressions reads the previous run (1 Query), Plan the month's
# runs for the budget (1 Query), Alert the open alerts (1 Query), PublishReport the target's
# recent runs for the trend charts (1 Query); the Cleanup scan of the target's sessions table
# (1 Scan). PublishReport writes the report page and the JUnit file (2 S3 PUTs).
DYNAMODB_WRITES_PER_RUN = 3
DYNAMODB_READS_PER_RUN = 5
S3_PUTS_PER_RUN = 2
# Leases, per (pool member, resource) the plan claims: AcquireLeases reads and writes the
# lease item (1 GetItem, 1 PutItem); ReleaseLeases reads it to decide what to restore, then
# reads and writes it again (2 GetItem, 1 PutItem or DeleteItem). Waiting for a busy target
# repeats the acquire and is not counted.
LEASE_READS_PER_CLAIM = 3
LEASE_WRITES_PER_CLAIM = 2
S3_GETS_PER_RUN = 0
GB = 1024**3


@dataclass(frozen=True)
class Usage:
    """What was used; prices turn it into dollars."""

    transitions: float = 0
    invocations: float = 0
    lambda_gb_seconds: float = 0.0
    fargate_vcpu_seconds: float = 0.0
    fargate_gb_seconds: float = 0.0
    dynamodb_writes: float = 0
    dynamodb_reads: float = 0
    s3_puts: float = 0
    s3_gets: float = 0
    log_bytes: float = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Usage)}
        )

    def priced(self, prices: Prices) -> dict[str, float]:
        """Dollars per AWS service."""
        return {
            "lambda": self.lambda_gb_seconds * prices.lambda_gb_second
            + self.invocations * prices.lambda_request,
            "step_functions": self.transitions * prices.sfn_transition,
            "fargate": self.fargate_vcpu_seconds * prices.fargate_vcpu_second
            + self.fargate_gb_seconds * prices.fargate_gb_second,
            "dynamodb": self.dynamodb_writes * prices.dynamodb_write_request
            + self.dynamodb_reads * prices.dynamodb_read_request,
            "s3": self.s3_puts * prices.s3_put_request + self.s3_gets * prices.s3_get_request,
            "logs": self.log_bytes / GB * prices.logs_ingested_gb,
        }


@dataclass(frozen=True)
class RunCost:
    """One run's estimate: the total, per AWS service, and per scenario."""

    total_usd: float
    by_service: dict[str, float]
    by_scenario: dict[str, float]
    usage: Usage
    steps: StepCounts


def memory_gb(config: HarnessConfig) -> dict[str, float]:
    """Memory of each suite function by its ASL placeholder (``[deploy.functions]`` wins)."""
    found = {}
    for spec in layout.SUITE_FUNCTIONS:
        deployed = spec.with_overrides(config.deploy.functions)
        found[f"${{{spec.placeholder}}}"] = deployed.memory_mb / 1024
    return found


def scenario_usage(result: ScenarioResult, config: HarnessConfig, batches: int = 0) -> Usage:
    """What one scenario used: its invocation and transition, its Lambda and its Fargate task;
    a scenario fanned out over ``batches`` Map iterations runs that many Lambdas as long."""
    cost = config.cost
    seconds = result.duration_seconds
    resource, lambdas = (BATCH_RESOURCE, batches) if batches else (SCENARIO_RESOURCE, 1)
    return Usage(
        transitions=1,
        invocations=lambdas,
        lambda_gb_seconds=seconds * lambdas * memory_gb(config).get(resource, 0.5),
        fargate_vcpu_seconds=seconds * cost.target_task_vcpu,
        fargate_gb_seconds=seconds * cost.target_task_memory_gb,
        log_bytes=cost.log_bytes_per_invocation,
    )


def estimate_run(
    definition: Mapping[str, Any],
    plan: Mapping[str, Any],
    results: Iterable[ScenarioResult],
    config: HarnessConfig,
) -> RunCost:
    """The run's cost: ``definition`` is the suite ASL, ``plan`` the Plan step's output."""
    prices = prices_for(config.cost.region)
    steps = count_steps(definition, plan)
    memory = memory_gb(config)
    batches = fanned_out(plan)
    per_scenario = {
        result.scenario: scenario_usage(result, config, batches.get(result.scenario, 0))
        for result in results
    }
    scenarios_total = sum(per_scenario.values(), Usage())
    short_invocations = {
        resource: n
        for resource, n in steps.invocations.items()
        if resource not in (SCENARIO_RESOURCE, BATCH_RESOURCE)
    }
    overhead = Usage(
        transitions=steps.transitions - scenarios_total.transitions,
        invocations=sum(short_invocations.values()),
        lambda_gb_seconds=sum(
            n * memory.get(resource, 0.25) * config.cost.short_step_seconds
            for resource, n in short_invocations.items()
        ),
        dynamodb_writes=DYNAMODB_WRITES_PER_RUN + LEASE_WRITES_PER_CLAIM * lease_claims(plan),
        dynamodb_reads=DYNAMODB_READS_PER_RUN + LEASE_READS_PER_CLAIM * lease_claims(plan),
        s3_puts=S3_PUTS_PER_RUN,
        s3_gets=S3_GETS_PER_RUN,
        log_bytes=sum(short_invocations.values()) * config.cost.log_bytes_per_invocation,
    )
    usage = scenarios_total + overhead
    by_service = {name: round(usd, 8) for name, usd in usage.priced(prices).items()}
    return RunCost(
        total_usd=round(sum(usage.priced(prices).values()), 6),
        by_service=by_service,
        by_scenario={
            name: round(sum(used.priced(prices).values()), 6) for name, used in per_scenario.items()
        },
        usage=usage,
        steps=steps,
    )


def planned_scenarios(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The scenario specs of a Plan output (its lanes' groups, in order)."""
    return [
        spec
        for lane in plan.get("lanes", [])
        for group in lane.get("groups", [])
        for spec in group.get("scenarios", [])
    ]


def lease_claims(plan: Mapping[str, Any]) -> int:
    """How many leases the plan takes: one per pool member and resource its scenarios there
    disrupt or use (``harness.target.leases.claims_for``)."""
    claimed = {
        (str((lane.get("target") or {}).get("name", "")), resource)
        for lane in plan.get("lanes", [])
        for group in lane.get("groups", [])
        for spec in group.get("scenarios", [])
        for resource in (*spec.get("disrupts", []), *spec.get("uses", []))
    }
    return len(claimed)


def fanned_out(plan: Mapping[str, Any]) -> dict[str, int]:
    """Batches per scenario fanned out over Map iterations."""
    return {
        spec["name"]: len(spec["fanOut"]["batches"])
        for spec in planned_scenarios(plan)
        if isinstance(spec.get("fanOut"), Mapping)
    }


def estimate_plan(
    definition: Mapping[str, Any],
    plan: Mapping[str, Any],
    expected_seconds: Mapping[str, float],
    config: HarnessConfig,
) -> RunCost:
    """A run's cost before it runs: each scenario takes ``expected_seconds`` (e.g. its last
    recorded duration; the caller decides)."""
    results = [
        ScenarioResult(
            scenario=spec["name"],
            group=spec["group"],
            status=Status.PASS,
            duration_seconds=expected_seconds[spec["name"]],
        )
        for spec in planned_scenarios(plan)
    ]
    return estimate_run(definition, plan, results, config)


def estimate_run_cost(
    results: Sequence[ScenarioResult], config: HarnessConfig | None = None
) -> float:
    """A run's estimate from its results alone (the groups they ran in, on one lane, stand for
    the plan): what the regression judge recomputes for a merged confirm pass. The plan's
    other lanes (one Map iteration each) and a load scenario's batches are not in the results,
    so this is a little under the estimate Aggregate stores from the plan."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        groups.setdefault(result.group, []).append({"name": result.scenario, "group": result.group})
    lane = {"groups": [{"name": name, "scenarios": specs} for name, specs in groups.items()]}
    plan = {"lanes": [lane]}
    config = config or HarnessConfig()
    return estimate_run(layout.suite_definition(), plan, results, config).total_usd
