"""The fault matrix of docs/reliability.md, on the real local engine: whatever fails, the run
ends with a verdict (or an aborted record), keeps its results, and cleans up after itself.

Faults in the harness's own steps are injected the way an operator could break them: the
deployed function's code is replaced (Lambda UpdateFunctionCode on the moto server) with
one that fails, or the target is given a fault switch.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

from harness.aws.clients import client
from harness.config import ScenarioOverride
from harness.execution.history import Progress
from harness.local.engine import LocalEngine
from harness.local.moto_server import MotoServer
from harness.local.sqlite_history import SqliteHistory
from harness.wire import Status, Verdict
from tests.integration.stacks import isolated_config
from tests.integration.test_local_engine import leftovers, start


def break_function(engine: LocalEngine, name: str, error: str) -> None:
    """Replace a deployed function's code with one that raises ``ConnectionError(error)``."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr(
            "handler.py",
            f"def lambda_handler(event, context):\n    raise ConnectionError({error!r})\n",
        )
    lambdas = client("lambda", region="us-east-1", endpoint_url=engine.moto.endpoint)
    lambdas.update_function_code(
        FunctionName=engine.function_arns[name], ZipFile=archive.getvalue()
    )


def test_a_scenario_past_its_timeout_is_an_error_and_the_run_goes_on(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    config = isolated_config(["hang_when_unhealthy"])
    config = config.model_copy(
        update={
            "target": config.target.model_copy(update={"request_timeout_seconds": 60}),
            "scenarios": {
                name: ScenarioOverride(timeout_seconds=4)
                for name in ("routing-at-zero", "session-persistence")
            },
        }
    )
    engine = start(engine_factory, config, tmp_path, moto_server)
    outcome = engine.run(
        {"scenarios": ["routing-at-zero", "session-persistence"], "runId": "slow-1"}, "slow-1"
    )
    assert outcome.summary is not None and outcome.error == "SuiteFailed"
    results = {r.scenario: r for r in outcome.summary.results}
    # With no container, the target hangs on session routes: past its 4 s, an error.
    assert results["routing-at-zero"].status is Status.ERROR
    assert results["routing-at-zero"].reason == "timeout: ran past its 4s timeout"
    assert results["session-persistence"].reason.startswith("timeout:")  # the run went on
    assert outcome.cleanup is not None and leftovers(engine, "slow-1") == ([], [])


def test_quiet_waits_print_a_heartbeat_naming_the_wait_and_its_deadline(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    config = isolated_config(["no_recovery"])
    config = config.model_copy(
        update={"sla": config.sla.model_copy(update={"recovery_max_seconds": 6})}
    )
    engine = start(engine_factory, config, tmp_path, moto_server)
    engine.heartbeat_seconds = 1
    lines: list[Progress] = []
    outcome = engine.run(
        {"scenarios": ["failure-recovery"], "runId": "beat-1"}, "beat-1", lines.append
    )
    assert outcome.summary is not None
    beats = [p.text for p in lines if p.kind == "heartbeat"]
    assert any(
        "waiting for recovered-within-sla" in text and "gives up in" in text for text in beats
    ), beats


def test_throttled_scenarios_are_retried_then_recorded(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    """The load scenario's users fan out over five batches at once; the batch function may
    run one at a time, so the others are throttled, retried, and the run still ends judged."""
    config = isolated_config()
    config = config.model_copy(
        update={"load": config.load.model_copy(update={"users_per_batch": 2})}
    )
    engine = start(engine_factory, config, tmp_path, moto_server)
    lambdas = client("lambda", region="us-east-1", endpoint_url=moto_server.endpoint)
    lambdas.put_function_concurrency(  # one batch at a time: the others are throttled
        FunctionName=engine.function_arns["run_user_batch"], ReservedConcurrentExecutions=1
    )
    outcome = engine.run({"scenarios": ["concurrent-sessions"], "runId": "thr-1"}, "thr-1")
    assert outcome.summary is not None  # a verdict, whatever the throttling cost
    assert [r.scenario for r in outcome.summary.results] == ["concurrent-sessions"]
    sfn = client("stepfunctions", region="us-east-1", endpoint_url=moto_server.endpoint)
    events = sfn.get_execution_history(executionArn=outcome.execution_arn, maxResults=1000)[
        "events"
    ]
    throttles = [
        e
        for e in events
        if (e.get("lambdaFunctionFailedEventDetails") or {}).get("error")
        == "Lambda.TooManyRequestsException"
    ]
    assert throttles, "no batch was ever throttled"
    for result in outcome.summary.results:  # retried into a pass, or recorded as an error
        assert result.status is Status.PASS or "TooManyRequests" in result.reason


def test_an_alert_channel_that_is_down_costs_no_verdict(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    break_function(engine, "send_alerts", "alert channel down")
    outcome = engine.run({"scenarios": ["alb-routing"], "runId": "alert-1"}, "alert-1")
    assert outcome.status == "SUCCEEDED" and outcome.summary is not None
    assert "alert channel down" in (outcome.alert_error or "")
    assert outcome.cleanup is not None
    stored = SqliteHistory.in_state_dir(tmp_path).get_run("alert-1")
    assert stored is not None and stored.verdict is Verdict.PASSED


def test_a_cleanup_that_fails_is_reported_and_the_verdict_kept(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    break_function(engine, "cleanup_run", "sessions table unreachable")
    outcome = engine.run({"scenarios": ["alb-routing"], "runId": "clean-1"}, "clean-1")
    assert outcome.status == "SUCCEEDED" and outcome.summary is not None
    assert "sessions table unreachable" in (outcome.cleanup_error or "")


def test_a_failed_restore_of_the_edit_service_fails_the_run(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    """ReleaseLeases puts the edit service back; if it cannot, the target may be left scaled
    to zero, so the run fails whatever its scenarios did."""
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    break_function(engine, "release_leases", "UpdateService denied")
    outcome = engine.run({"scenarios": ["alb-routing"], "runId": "tear-1"}, "tear-1")
    assert outcome.summary is not None and outcome.summary.counts[Status.PASS] == 1
    assert outcome.status == "FAILED" and outcome.error == "SuiteFailed"
    assert "UpdateService denied" in (outcome.cause or "")


def test_two_runs_on_one_target_each_end_and_clean_only_their_own(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    first = engine.start_run({"scenarios": ["concurrent-sessions"], "runId": "pair-1"}, "pair-1")
    second = engine.start_run({"scenarios": ["concurrent-sessions"], "runId": "pair-2"}, "pair-2")
    for outcome in (engine.follow(first), engine.follow(second)):
        assert outcome.summary is not None, outcome.cause  # each ends with a verdict
        assert outcome.cleanup is not None
    history = SqliteHistory.in_state_dir(tmp_path)
    assert {r.run_id for r in history.list_runs()} == {"pair-1", "pair-2"}
    assert leftovers(engine, "pair-1") == ([], []) and leftovers(engine, "pair-2") == ([], [])
    assert engine.reference_workdir is not None


def test_a_garbled_scenario_result_is_an_error_not_a_lost_verdict(
    engine_factory: list[LocalEngine], moto_server: MotoServer, tmp_path: Path
) -> None:
    engine = start(engine_factory, isolated_config(), tmp_path, moto_server)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr(
            "handler.py",
            "def lambda_handler(event, context):\n"
            "    return {'scenario': event['scenario']['name'], 'status': 'splendid'}\n",
        )
    lambdas = client("lambda", region="us-east-1", endpoint_url=moto_server.endpoint)
    lambdas.update_function_code(
        FunctionName=engine.function_arns["run_scenario"], ZipFile=archive.getvalue()
    )
    run_id = f"garble-{uuid.uuid4().hex[:4]}"
    outcome = engine.run({"scenarios": ["alb-routing"], "runId": run_id}, run_id)
    assert outcome.summary is not None and outcome.error == "SuiteFailed"
    (result,) = outcome.summary.results
    assert result.status is Status.ERROR and result.error is not None
    assert result.error.type == "InvalidResult"
