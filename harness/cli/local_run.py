"""``harness run`` on this machine: checks first, then the run, and whatever happens a verdict
or an ``aborted`` record, the run's test data gone, the engine and its temporary folders
stopped and removed.

Order: the state folder, the JUnit path and the history store are checked before anything
starts (a broken one ends the command at once); runs whose process died earlier are
recovered; the run is recorded as in flight, followed, and forgotten when it ends. Ctrl-C
or SIGTERM stops it: the execution is stopped, running scenarios are told to stop, the
recovery steps run at once (``harness.recovery``), and the exit code is 130 or 143.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from harness.cli.common import UsageError, checked_state_dir
from harness.cli.signals import Interrupted, Interruptions
from harness.config import HarnessConfig
from harness.execution.history import ExecutionOutcome, Progress
from harness.planning.plan import plan_run, target_identity
from harness.recovery import RecoveryReport, recover_run
from harness.report.text import render_summary
from harness.scenarios import catalogue
from harness.scenarios.runner import STOP_GRACE_SECONDS
from harness.wire import RunContext, RunRequest, ScenarioResult
from harness.wiring import run_results, target_api, target_infra

if TYPE_CHECKING:
    from harness.local.engine import LocalEngine
    from harness.local.sqlite_history import SqliteHistory
    from harness.local.sqlite_runs_in_flight import SqliteRunsInFlight

Report = Callable[[ExecutionOutcome], int]


def run_locally(
    config: HarnessConfig,
    request: RunRequest,
    out: TextIO,
    show: Callable[[Progress], None],
    report: Report,
    target_flag: str,
) -> int:
    from harness.local.dead_runs import dead_runs, owner_tag
    from harness.local.engine import LocalEngine  # moto loads only for local runs
    from harness.local.sqlite_history import SqliteHistory
    from harness.local.sqlite_runs_in_flight import SqliteRunsInFlight

    state_dir = checked_state_dir(Path(config.local.state_dir))
    history = SqliteHistory.in_state_dir(state_dir)
    history.check()
    run_id = str(request.run_id)
    if history.has_run(run_id):
        raise UsageError(f"--run-id {run_id}: that run is already in the history; pick another id")
    in_flight = SqliteRunsInFlight.in_state_dir(state_dir)
    for entry in dead_runs(in_flight):
        if entry.run is None:
            in_flight.finish(entry.run_id)
            continue
        gone = entry.ephemeral_target
        found = recover(entry.run, "its process died", in_flight, history, config, [], not gone)
        _say(out, f"recovered run {entry.run_id}, whose process died", found, target_flag)

    outcome: ExecutionOutcome | None = None
    with Interruptions() as signals:
        try:
            with LocalEngine(config, state_dir) as engine:
                print(engine_line(engine), file=out, flush=True)
                run = plan_run(request, engine.config, catalogue(), datetime.now(UTC)).run
                try:
                    in_flight.begin(
                        run, owner=owner_tag(), ephemeral_target=engine.reference_target is not None
                    )
                    outcome = engine.start_run(request.to_wire(), name=run_id)
                    outcome = engine.follow(
                        outcome, _keeping_results(show, in_flight, outcome, engine.config)
                    )
                    signals.shield()  # the run has ended: nothing may cut its report short
                except Interrupted as stop:
                    signals.shield()
                    return _interrupted(
                        stop, engine, outcome, run, in_flight, history, config, out, target_flag
                    )
        except Interrupted as stop:  # while the engine started: nothing ran yet
            print(f"harness: interrupted by {stop.name} before the run started", file=sys.stderr)
            in_flight.finish(run_id)
            return stop.exit_code
        in_flight.finish(run_id)
        return report(outcome)  # still shielded: a signal now cannot cut the verdict short


def recover(
    run: RunContext,
    reason: str,
    in_flight: SqliteRunsInFlight,
    history: SqliteHistory,
    config: HarnessConfig,
    results: list[ScenarioResult],
    target_alive: bool,
) -> RecoveryReport:
    """The recovery of a local run: its leases go with it (its ReleaseLeases step never ran),
    or the next run would wait for them to expire."""
    from harness.local.sqlite_leases import SqliteLeases

    return recover_run(
        run,
        reason=reason,
        entry=in_flight.get(run.run_id),
        results=results,
        ports=(lambda member: (target_api(member), target_infra(member))) if target_alive else None,
        leases=SqliteLeases.in_state_dir(Path(config.local.state_dir)),
        history=history,
        in_flight=in_flight,
        configured_prefix=config.target.test_prefix,
        now=datetime.now(UTC),
    )


def _interrupted(
    stop: Interrupted,
    engine: LocalEngine,
    outcome: ExecutionOutcome | None,
    run: RunContext,
    in_flight: SqliteRunsInFlight,
    history: SqliteHistory,
    config: HarnessConfig,
    out: TextIO,
    target_flag: str,
) -> int:
    """Stop the run, then restore, clean up and record it: the interrupted run's own data is
    deleted now, not by tomorrow's expired-data cleanup."""
    cause = f"interrupted by {stop.name}"
    print(f"harness: {cause}; stopping the run and cleaning up after it", file=sys.stderr)
    if outcome is not None:
        engine.stop_run(outcome, cause, config.target.request_timeout_seconds + STOP_GRACE_SECONDS)
        engine.catch_up(outcome)  # results that arrived meanwhile are kept too
        if outcome.plan is not None:
            run = outcome.plan.run
    results = run_results(engine.config).whole(run.run_id, outcome.results) if outcome else []
    found = recover(run, cause, in_flight, history, config, results, True)
    if outcome is not None and outcome.summary is not None:
        print("", file=out)
        print(render_summary(outcome.summary, outcome.regressions), file=out)
    _say(out, f"run {run.run_id} {cause}", found, target_flag)
    return stop.exit_code


def _say(out: TextIO, headline: str, found: RecoveryReport, target_flag: str) -> None:
    done = "; ".join(found.done()) or "nothing to undo"
    print(f"harness: {headline}: {done}", file=out, flush=True)
    left = found.left(target_flag)
    print(
        "harness: left: " + ("; ".join(left) if left else "nothing"),
        file=out if not left else sys.stderr,
        flush=True,
    )


def engine_line(engine: LocalEngine) -> str:
    """The first line of a local run: the engine, and the target (or pool) it tests."""
    target = engine.config.target
    where = f"harness: local engine on {engine.moto.endpoint}"
    bundled = engine.reference_targets
    if not bundled:
        return f"{where}; target {target_identity(target)} at {target.endpoint}"
    pool = ""
    if len(bundled) > 1:
        pool = f" (a pool of {len(bundled)}: {', '.join(t.target.name for t in bundled)})"
    name = target_identity(target)
    return f"{where}; bundled reference target {name} at {target.endpoint}{pool}"


def _keeping_results(
    show: Callable[[Progress], None],
    in_flight: SqliteRunsInFlight,
    outcome: ExecutionOutcome,
    config: HarnessConfig,
) -> Callable[[Progress], None]:
    """Print progress, and keep each finished result with the run in flight as it arrives (a killed
    process loses none of them: the next start records them with the aborted run)."""
    run_id = outcome.execution_arn.rsplit(":", 1)[-1]

    def on_progress(progress: Progress) -> None:
        show(progress)
        finished = outcome.results.get(progress.scenario or "")
        if progress.kind == "finished" and finished is not None:
            (result,) = run_results(config).whole(run_id, {finished.scenario: finished})
            in_flight.add_result(run_id, result)

    return on_progress
