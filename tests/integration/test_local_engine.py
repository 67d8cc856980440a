"""The real suite state machine on moto, in-process, against the reference target."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.aws.target_infra import Boto3TargetInfra
from harness.config import HarnessConfig
from harness.execution.history import Progress
from harness.layout import SUITE_FUNCTIONS, render_asl
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_leases import SqliteLeases
from harness.target.api import HttpTargetApi
from harness.target.http import HttpClient
from harness.target.leases import lease_key
from harness.wire import LeaseClaim, LeaseMode, ResolvedTarget, Status, TargetResource
from tests.integration.stacks import break_history_writes, isolated_config


def start(
    engines: list[LocalEngine], config: HarnessConfig, state: Path, moto: MotoServer
) -> LocalEngine:
    engine = LocalEngine(config, state, moto=moto)
    engines.append(engine)
    engine.start()
    return engine


def leftovers(engine: LocalEngine, run_id: str) -> tuple[list[str], list[str]]:
    """This run's session items still in DynamoDB, and session folders still on 'EFS'."""
    target = engine.config.target
    resolved = ResolvedTarget.model_validate(target.model_dump())
    items = Boto3TargetInfra(resolved).find_session_ids(f"{target.test_prefix}{run_id}_")
    assert engine.reference_workdir is not None
    efs = engine.reference_workdir / "efs"
    folders = [p.name for p in efs.iterdir() if not p.name.startswith("_")] if efs.exists() else []
    return items, folders


def test_the_deployed_definition_is_the_suite_asl_without_its_indentation(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    sfn = engine._client("stepfunctions")
    deployed = sfn.describe_state_machine(stateMachineArn=engine.state_machine_arn)["definition"]
    arns = {
        function.placeholder: engine.function_arns[function.name] for function in SUITE_FUNCTIONS
    }
    assert json.loads(deployed) == json.loads(render_asl(arns))
    assert deployed == json.dumps(json.loads(deployed), separators=(",", ":"))  # compact


@pytest.mark.parametrize(
    ("execution_input", "named"),
    [
        ({"suite": "nightly"}, "suite"),
        ({"suite": "smoke", "scenarios": ["cold-start"]}, "not both"),
        ({"scenarios": ["cold-start", "warm-start"]}, "scenarios[1]"),
        ({"flags": {"maxGroupConcurrency": 0}}, "flags.maxGroupConcurrency"),
        ({"runId": "bad id!"}, "runId"),
        ([1, 2, 3], "(root): must be a JSON object, not an array"),
        ("hello", "(root): must be a JSON object, not a string"),
        ({"flags": {"changedFiles": ["src/a.py"] * 5001}}, "flags.changedFiles"),  # > 5000
        ({"target": {"testPrefix": "user_"}}, "target.testPrefix"),
    ],
)
def test_bad_input_ends_in_a_fail_state_that_names_the_field(
    engine_factory: list[LocalEngine],
    moto_server: MotoServer,
    tmp_path: Path,
    execution_input: object,
    named: str,
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    outcome = engine.run(execution_input, name=f"bad-{uuid.uuid4().hex[:6]}")
    assert outcome.status == "FAILED"
    assert outcome.error == "InvalidRunRequest"
    assert named in (outcome.cause or "")
    assert (outcome.cause or "").startswith(("invalid ", "scenarios[")), outcome.cause  # no JSON
    assert len(outcome.cause or "") < 2000  # bounded, however large the input
    assert outcome.plan is None and outcome.summary is None
    assert SqliteHistory.in_state_dir(tmp_path).count_runs() == 0


def test_passing_and_failing_runs_are_stored_and_cleaned_up(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    lines: list[Progress] = []
    good = engine.run({"scenarios": ["alb-routing"], "runId": "good-1"}, "good-1", lines.append)
    assert good.status == "SUCCEEDED", good.cause
    assert good.summary is not None and good.summary.verdict.value == "passed"
    assert good.cleanup is not None
    assert [p.kind for p in lines if p.kind in ("planned", "started", "finished")] == [
        "planned",
        "started",
        "finished",
    ]
    assert leftovers(engine, "good-1") == ([], [])

    broken = start(engine_factory, isolated_config(["lose_workspace"]), tmp_path, moto_server)
    bad = broken.run(
        {"scenarios": ["session-persistence", "concurrent-sessions"], "runId": "bad-1"}, "bad-1"
    )
    assert bad.status == "FAILED" and bad.error == "SuiteFailed"
    assert "session-persistence (fail" in (bad.cause or "")
    assert bad.summary is not None
    statuses = {r.scenario: r.status for r in bad.summary.results}
    assert statuses == {"session-persistence": Status.FAIL, "concurrent-sessions": Status.PASS}
    assert bad.cleanup is not None
    assert leftovers(broken, "bad-1") == ([], [])
    history = SqliteHistory.in_state_dir(tmp_path)
    assert [run.run_id for run in history.list_runs()] == ["bad-1", "good-1"]


def test_unreachable_target_errors_every_scenario_but_cleanup_still_runs(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    config = isolated_config()
    engine = start(engine_factory, config, tmp_path, moto_server)
    outcome = engine.run(
        {"suite": "smoke", "runId": "down-1", "target": {"endpoint": "http://127.0.0.1:9"}},
        "down-1",
    )
    assert outcome.error == "SuiteFailed"
    assert outcome.summary is not None
    assert {r.status for r in outcome.summary.results} == {Status.ERROR}
    assert all("TargetUnavailableError" in r.reason for r in outcome.summary.results)
    assert outcome.cleanup is not None and outcome.cleanup.sessions_found == 0


def test_a_harness_failure_after_planning_still_cleans_up_and_keeps_results(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    break_history_writes(tmp_path)
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    outcome = engine.run({"scenarios": ["alb-routing"], "runId": "nohist-1"}, "nohist-1")
    assert (outcome.status, outcome.error) == ("FAILED", "HarnessFailed")
    assert "HistoryError" in (outcome.cause or "")
    assert outcome.summary is None
    assert outcome.results["alb-routing"].status is Status.PASS  # seen in the history
    assert outcome.cleanup is not None
    assert leftovers(engine, "nohist-1") == ([], [])


def test_publish_report_writes_the_report_and_a_failure_there_keeps_the_verdict(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    good = engine.run({"scenarios": ["alb-routing"], "runId": "rep-1"}, "rep-1")
    assert good.status == "SUCCEEDED", good.cause
    folder = tmp_path.resolve() / "reports" / "rep-1"
    assert good.report is not None and good.report_error is None
    assert good.report.html == str(folder / "report.html")
    assert good.report.link == (folder / "report.html").as_uri()
    page = (folder / "report.html").read_text()
    assert page.startswith("<!doctype html>") and 'data-verdict="passed"' in page
    assert "alb-routing" in page and "routing_latency_p95_ms" in page
    assert b'name="alb-routing"' in (folder / "junit.xml").read_bytes()

    (tmp_path / "reports").rename(tmp_path / "reports-old")
    (tmp_path / "reports").write_text("a file where the reports folder should be")
    unwritable = engine.run({"scenarios": ["alb-routing"], "runId": "rep-2"}, "rep-2")
    assert unwritable.status == "SUCCEEDED", unwritable.cause  # the suite passed all the same
    assert unwritable.report is None
    assert "ReportError" in (unwritable.report_error or "")
    assert unwritable.cleanup is not None


def test_a_crafted_input_cannot_reach_a_customers_session(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    api = HttpTargetApi(HttpClient(engine.config.target.endpoint, timeout_seconds=10))
    customer = api.create_session("user_42_profile", "a-real-user").json()["sessionId"]
    for crafted in (
        {"scenarios": ["alb-routing"], "runId": "42", "target": {"testPrefix": "user_"}},
        {"scenarios": ["alb-routing"], "runId": "x", "target": {"testPrefix": "u"}},
    ):
        outcome = engine.run(crafted, name=f"crafted-{uuid.uuid4().hex[:6]}")
        assert (outcome.status, outcome.error) == ("FAILED", "InvalidRunRequest")
    assert api.get_session(customer).status == 200


def test_a_run_waits_for_a_target_another_run_holds_then_gives_up(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    config = isolated_config()
    config = config.model_copy(
        update={"leases": config.leases.model_copy(update={"wait_seconds": 2, "retry_seconds": 1})}
    )
    engine = start(engine_factory, config, tmp_path, moto_server)
    member = ResolvedTarget.model_validate(engine.config.target.model_dump())
    holder = LeaseClaim(
        key=lease_key(member, TargetResource.EDIT_SERVICE),
        target=member.name,
        resource=TargetResource.EDIT_SERVICE,
        mode=LeaseMode.EXCLUSIVE,
    )
    store = SqliteLeases.in_state_dir(tmp_path)
    assert store.acquire([holder], "other-run", datetime.now(UTC), 600, lambda _: None) is None
    lines: list[Progress] = []

    outcome = engine.run({"scenarios": ["cold-start"], "runId": "late-1"}, "late-1", lines.append)

    assert (outcome.status, outcome.error) == ("FAILED", "TargetBusy")
    assert f"target {member.name} is busy with run other-run since" in (outcome.cause or "")
    waits = [p.text for p in lines if p.kind == "waiting"]
    assert len(waits) >= 2 and "waiting (0s of 2s" in waits[0] and "gave up" in waits[-1]
    assert outcome.summary is None and not outcome.results  # nothing ran
    assert set(store.holders(holder.key)) == {"other-run"}  # the holder keeps its lease
    assert SqliteHistory.in_state_dir(tmp_path).count_runs() == 0


def test_leases_are_released_and_the_service_restored_after_a_run(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    member = ResolvedTarget.model_validate(engine.config.target.model_dump())
    outcome = engine.run({"scenarios": ["session-persistence"], "runId": "rel-1"}, "rel-1")
    assert outcome.status == "SUCCEEDED", outcome.cause
    assert outcome.release is not None and outcome.release.released >= 1
    assert Boto3TargetInfra(member).desired_count() == 0  # as the run found it
    store = SqliteLeases.in_state_dir(tmp_path)
    assert all(store.holders(lease_key(member, resource)) == {} for resource in TargetResource)


@pytest.mark.parametrize(
    ("load", "workers"),
    [
        ({"users_per_batch": 2}, 0),  # three batches as INLINE Map iterations, in-process
        ({"users_per_batch": 2, "distributed_above_batches": 1}, 0),  # DISTRIBUTED Map
        ({"users_per_batch": 3}, 1),  # batches in a worker process
    ],
    ids=["inline", "distributed", "worker-process"],
)
def test_a_load_scenario_fans_its_users_out_and_is_judged_as_one(
    engine_factory: list[LocalEngine],
    moto_server: MotoServer,
    tmp_path: Path,
    load: dict[str, int],
    workers: int,
) -> None:
    config = HarnessConfig.model_validate(
        {
            **isolated_config().model_dump(),
            "scenarios": {"concurrent-sessions": {"params": {"users": 6}}},
            "load": load,
            "local": {"worker_processes": workers},
        }
    )
    engine = start(engine_factory, config, tmp_path, moto_server)
    lines: list[Progress] = []
    outcome = engine.run(
        {"scenarios": ["concurrent-sessions"], "runId": "fan-1"}, "fan-1", lines.append
    )
    assert outcome.status == "SUCCEEDED", outcome.cause
    assert outcome.summary is not None  # whole results are in the summary (by reference)
    (result,) = outcome.summary.results
    metrics = {metric.name: metric.value for metric in result.metrics}
    assert metrics["sessions_created"] == 6
    assert "harness_cpu_percent" in metrics and "harness_timer_lag_p95_ms" in metrics
    started = next(p.text for p in lines if p.kind == "started")
    assert "6 users in" in started
    assert leftovers(engine, "fan-1") == ([], [])


def test_lanes_really_run_at_the_same_time_on_a_pool(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    """Two disruptive scenarios on a pool of two: one per target, overlapping in time (moto's
    interpreter runs Map iterations in threads), and never two on one target."""
    base = isolated_config()
    config = base.model_copy(
        update={"reference_target": base.reference_target.model_copy(update={"pool_size": 2})}
    )
    engine = start(engine_factory, config, tmp_path, moto_server)
    assert len(engine.reference_targets) == 2
    outcome = engine.run(
        {"scenarios": ["failure-recovery", "session-persistence"], "runId": "pool-1"}, "pool-1"
    )
    assert outcome.status == "SUCCEEDED", outcome.cause
    assert outcome.plan is not None
    assert sorted(len(lane.groups) for lane in outcome.plan.lanes) == [1, 1]
    assert outcome.summary is not None
    by_name = {result.scenario: result for result in outcome.summary.results}
    first, second = (by_name[name] for name in ("failure-recovery", "session-persistence"))
    assert first.started_at and first.finished_at and second.started_at and second.finished_at
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    for target in engine.reference_targets:  # each restored to how the run found it
        resolved = ResolvedTarget.model_validate(
            {
                **target.target.model_dump(),
                "endpoint": target.endpoint,
                "aws_endpoint_url": moto_server.endpoint,
            }
        )
        assert Boto3TargetInfra(resolved).desired_count() == 0
