"""Judge a stored run through the ports: what the DetectRegressions and JudgeConfirmation
handlers call. Reads the target's recent history, the pinned baselines of the run's series
and the known-issues ledger; records the judgement with the run; returns the judged run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.config import RegressionConfig
from harness.judge.collect import collect_event_results
from harness.judge.confirmation import Confirmation
from harness.judge.regression import Evidence, detect_regressions
from harness.judge.results import RunResults
from harness.judge.series import confirm_run_id
from harness.judge.series_baselines import run_series
from harness.judge.summary import summarize, whole
from harness.ports import BaselineStore, HistoryStore, KnownIssueStore
from harness.wire import (
    ConfirmationEvent,
    JudgedRun,
    LanePlan,
    RegressionReport,
    RunContext,
    RunSummary,
)


@dataclass(frozen=True)
class Stores:
    history: HistoryStore
    baselines: BaselineStore
    known: KnownIssueStore


def judgement_of(
    summary: RunSummary,
    stores: Stores,
    config: RegressionConfig,
    now: datetime,
    confirmation: Confirmation | None = None,
) -> RegressionReport:
    """A stored run judged against the history before it, its pinned baselines and the
    ledger as they are now (nothing is written)."""
    past = stores.history.recent_runs(
        summary.target, config.history_runs, before=summary.started_at
    )
    evidence = Evidence(
        history=past,
        pinned=stores.baselines.pinned([ref.key for ref in run_series(summary)]),
        known=stores.known.entries(),
        now=now,
    )
    return detect_regressions(summary, evidence, config, confirmation)


def judge_run(
    run: RunContext,
    summary: RunSummary,
    stores: Stores,
    config: RegressionConfig,
    now: datetime,
    confirmation: Confirmation | None = None,
    lanes: Sequence[LanePlan] = (),
) -> JudgedRun:
    """The run judged against its baselines; the judgement is saved with the run. ``lanes``
    (the plan it ran) is passed on for the confirm pass."""
    report = judgement_of(summary, stores, config, now, confirmation)
    stores.history.save_regressions(report)
    return JudgedRun(
        run=run,
        verdict=report.verdict or summary.verdict,
        verdict_reason=report.verdict_reason,
        summary=summary,
        regressions=report,
        lanes=list(lanes),
    )


def judge_confirmation(
    event: ConfirmationEvent,
    stores: Stores,
    config: RegressionConfig,
    now: datetime,
    stored: RunResults,
) -> JudgedRun:
    """Store the confirm pass as a run of its own (suite ``confirm``, id ``<run>-confirm``)
    and judge the original run again with the confirm pass's values (its results read back
    from ``stored``, where RunScenario put them)."""
    original = event.confirmation_of
    results = collect_event_results(event, stored)
    again = summarize(event.run, results, finished_at=now).model_copy(
        update={"run_id": confirm_run_id(original.run.run_id)}
    )
    stores.history.save_run(again)
    confirmation = Confirmation(again, frozenset(original.regressions.confirm_scenarios))
    summary = whole(original.summary, stores.history)  # the state may carry it abridged
    return judge_run(original.run, summary, stores, config, now, confirmation, original.lanes)
