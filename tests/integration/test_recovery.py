"""Recovery against a real reference target and the local stores: a run that ended badly is
put back, cleaned up and recorded as aborted; every step is reported, none is skipped
because another failed, and running it twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from harness.local.sqlite_history import SqliteHistory
from harness.local.sqlite_runs_in_flight import SqliteRunsInFlight
from harness.recovery import recover_run
from harness.wire import ScenarioResult, Status, Verdict
from tests.integration.stacks import Stack, StackFactory


def session(stack: Stack, n: int) -> str:
    answer = stack.api.create_session(f"{stack.run.client_prefix}x_{n}", "u")
    assert answer.status == 201
    return str(answer.json()["sessionId"])


def stores(tmp_path: Path) -> tuple[SqliteHistory, SqliteRunsInFlight]:
    return SqliteHistory.in_state_dir(tmp_path), SqliteRunsInFlight.in_state_dir(tmp_path)


def test_a_dead_run_is_put_back_cleaned_up_and_recorded(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    history, journal = stores(tmp_path)
    journal.remember_desired_count(target.run, 0)  # what SetupGroup saw
    journal.add_result(target.run.run_id, ScenarioResult(scenario="a", group="g", status="pass"))
    ours = [session(target, n) for n in range(3)]  # the run's sessions; the service is at 1
    customer = target.api.create_session("customer-1", "u").json()["sessionId"]
    seen_live = ScenarioResult(scenario="b", group="g", status=Status.FAIL)

    report = recover_run(
        target.run,
        reason="TIMED_OUT",
        entry=journal.get(target.run.run_id),
        results=[seen_live],
        target=(target.api, target.infra),
        history=history,
        journal=journal,
        configured_prefix="TEST_",
        now=datetime.now(UTC),
    )

    assert report.restored_desired_count == 0 and target.infra.desired_count() == 0
    assert report.cleanup is not None and report.cleanup.sessions_found == 3
    assert all(target.infra.get_session_item(sid) is None for sid in ours)
    assert target.infra.get_session_item(customer) is not None
    stored = history.get_run(target.run.run_id)
    assert stored is not None and stored.verdict is Verdict.ABORTED
    assert stored.aborted_reason == "TIMED_OUT"
    assert {r.scenario: r.status for r in stored.results} == {"a": Status.PASS, "b": Status.FAIL}
    assert journal.get(target.run.run_id) is None
    assert report.left("--target t.toml") == []

    again = recover_run(
        target.run,
        reason="TIMED_OUT",
        entry=None,
        results=[],
        target=(target.api, target.infra),
        history=history,
        journal=journal,
        configured_prefix="TEST_",
        now=datetime.now(UTC),
    )
    assert (again.recorded, again.restored_desired_count) == (False, None)
    assert again.cleanup is not None and again.cleanup.sessions_found == 0


def test_a_run_that_has_its_verdict_is_not_recorded_again(
    stack: StackFactory, tmp_path: Path
) -> None:
    from harness.judge.summary import summarize

    target = stack()
    history, journal = stores(tmp_path)
    history.save_run(summarize(target.run, [], finished_at=datetime.now(UTC)))
    report = recover_run(
        target.run,
        reason="interrupted by SIGINT",
        entry=None,
        results=[],
        target=(target.api, target.infra),
        history=history,
        journal=journal,
        configured_prefix="TEST_",
        now=datetime.now(UTC),
    )
    assert report.recorded is False
    stored = history.get_run(target.run.run_id)
    assert stored is not None and stored.verdict is Verdict.PASSED


def test_what_could_not_be_done_is_reported_with_how_to_remove_it(
    stack: StackFactory, tmp_path: Path
) -> None:
    target = stack()
    history, journal = stores(tmp_path)
    ours = session(target, 1)
    crafted = target.run.model_copy(
        update={"target": target.run.target.model_copy(update={"test_prefix": "OTHER_"})}
    )
    report = recover_run(
        crafted,
        reason="its process died",
        entry=None,
        results=[],
        target=(target.api, target.infra),
        history=history,
        journal=journal,
        configured_prefix="TEST_",
        now=datetime.now(UTC),
    )
    assert report.cleanup is None and "refusing to clean up" in (report.cleanup_problem or "")
    assert report.recorded  # the other steps still ran
    (left,) = report.left("--target t.toml")
    assert f"harness cleanup --target t.toml --run-id {target.run.run_id}" in left
    assert target.infra.get_session_item(ours) is not None  # nothing was deleted unsafely
