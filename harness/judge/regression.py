"""Judge a run against its baselines: which series regressed, which need a confirm pass, and
the verdict. Pure: the history, pinned baselines and known issues come in as values.

Per series (``harness.judge.series``), in order:

1. the **status rule** (``judge_status``): a scenario that passed in the runs before its
   current failure streak and fails now;
2. the **ratio rule and noise guard** (``judge``) against the pinned baseline if there is one,
   else the rolling one (the last ``window`` passing runs);
3. if neither fired, **creep** (``detect_creep``): a change point over the series' history
   after which its level trips the rule.

A suspect of at least ``confirm_severity`` (and not muted by the ledger) is not alerted on
yet: its scenarios go to ``confirm_scenarios`` and the state machine re-runs them. Then
``detect_regressions(..., confirmation=...)`` judges the run again, this time with the run's
value and the confirm pass's value together: a regression is ``confirmed`` only if it
reproduces. Run-level series (success rate, cost) are confirmed on the run as it would have
been with the re-run scenarios' results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.config import RegressionConfig
from harness.judge.baseline import Baseline
from harness.judge.changepoints import detect_creep
from harness.judge.confirmation import Confirmation
from harness.judge.detection import Decision, fmt, judge, judge_status
from harness.judge.flaky import flaky_scenarios
from harness.judge.ledger import quarantines, suppressor
from harness.judge.rules import Rule, gate, needs_confirmation, noise_guard, rule_for
from harness.judge.series import (
    FAILED,
    baseline_samples,
    is_confirm_run,
    oldest_first,
    status_history,
)
from harness.judge.series_baselines import SeriesRef, baseline_for, run_series
from harness.wire import (
    STATUS_METRIC,
    KnownIssue,
    PinnedBaseline,
    Regression,
    RegressionReport,
    RunSummary,
    Status,
    series_key,
)
from harness.wire.metrics import METRICS


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a run is judged against."""

    history: Sequence[RunSummary]  # earlier runs of the same target, any order
    pinned: Mapping[str, PinnedBaseline]  # by series key
    known: Sequence[KnownIssue]  # the known-issues ledger (expired entries are ignored)
    now: datetime


def detect_regressions(
    current: RunSummary,
    evidence: Evidence,
    config: RegressionConfig,
    confirmation: Confirmation | None = None,
) -> RegressionReport:
    return _Detector(current, evidence, config, confirmation).report()


class _Detector:
    def __init__(
        self,
        current: RunSummary,
        evidence: Evidence,
        config: RegressionConfig,
        confirmation: Confirmation | None,
    ) -> None:
        self.current, self.evidence, self.config = current, evidence, config
        self.confirmation = confirmation
        # Only earlier runs of the same target: runs against another target never compare.
        self.history = [
            run
            for run in evidence.history
            if run.target == current.target
            and run.started_at < current.started_at
            and run.run_id != current.run_id
        ]
        self.runs = oldest_first(self.history)
        names = [result.scenario for result in current.results]
        self.quarantined = quarantines(evidence.known, current.target, names, evidence.now)
        self.failing = [r.scenario for r in current.results if r.status in FAILED]
        # Scenarios whose failures the ledger mutes (quarantined or acknowledged) are left out
        # of the success rate that is judged: their failure is known already.
        self.muted_scenarios = [
            name
            for name in names
            if self._muted(series_key(current.target, name, STATUS_METRIC)) is not None
        ]
        self.guard = noise_guard(config)
        self.found: list[Regression] = []
        self.to_confirm: set[str] = set()
        self.not_judged: list[str] = []

    def report(self) -> RegressionReport:
        if self.config.status.enabled:
            self._status_rule()
        self._metric_rules()
        runs = [*self.history, self.current]
        if self.confirmation is not None:
            runs.append(self.confirmation.run)
        flaky = flaky_scenarios(
            runs,
            [result.scenario for result in self.current.results],
            window=self.config.window,
            min_flips=self.config.flaky_min_flips,
            quarantined=self.quarantined,
        )
        verdict, reason = gate(
            self.current, self.found, self.quarantined, self.config.gate_severity
        )
        baseline_runs = [run for run in self.history if not is_confirm_run(run)]
        newest = max(baseline_runs, key=lambda run: run.started_at, default=None)
        pinned = sum(1 for ref in run_series(self.current) if ref.key in self.evidence.pinned)
        order = [result.scenario for result in self.current.results]
        return RegressionReport(
            run_id=self.current.run_id,
            baseline_run_id=newest.run_id if newest else None,
            regressions=self.found,
            target=self.current.target,
            baseline=(
                f"rolling: last {self.config.window} passing runs per series, judged from "
                f"{self.config.min_samples}" + (f"; {pinned} series pinned" if pinned else "")
            ),
            awaiting_confirmation=self.confirmation is None and bool(self.to_confirm),
            confirm_scenarios=[name for name in order if name in self.to_confirm],
            confirm_run_id=self.confirmation.run.run_id if self.confirmation else None,
            flaky=flaky,
            quarantined=self.quarantined,
            still_failing=self.failing,
            not_judged=self.not_judged,
            verdict=verdict,
            verdict_reason=reason,
            gate_severity=self.config.gate_severity,
        )

    def _muted(self, key: str) -> str | None:
        return suppressor(self.evidence.known, key, self.evidence.now)

    def _status_rule(self) -> None:
        rule = self.config.status
        for result in self.current.results:
            if result.status not in FAILED:
                continue
            record = status_history(self.runs, result.scenario, self.config.window)
            again = self.confirmation.status_of(result.scenario) if self.confirmation else None
            samples = [False] if again is None else [False, again is Status.PASS]
            decision = judge_status(
                record.passed,
                samples,
                max_baseline_failure_rate=rule.max_baseline_failure_rate,
                severity=rule.severity.value,
            )
            key = series_key(self.current.target, result.scenario, STATUS_METRIC)
            muted = self._muted(key)
            eligible = needs_confirmation(rule.severity, self.config) and muted is None
            confirmed: bool | None = None
            if eligible and decision.suspect and self.confirmation is None:
                self.to_confirm.add(result.scenario)
            elif eligible and decision.suspect and again is not None:
                confirmed = decision.regressed
            elif not decision.regressed:
                continue
            runs = len(record.passed)
            passed = sum(record.passed)
            since = ""
            if record.streak:
                since = f", failing since run {record.streak[0]} ({len(record.streak) + 1} runs)"
            self.found.append(
                Regression(
                    key=key,
                    target=self.current.target,
                    scenario=result.scenario,
                    metric=STATUS_METRIC,
                    current=0.0,
                    baseline=round(passed / runs, 4),
                    change_ratio=0.0,
                    severity=rule.severity,
                    message=(
                        f"{result.scenario} passed {passed}/{runs} baseline runs and now "
                        f"{result.status.value}s{since}: {result.reason}"
                    ),
                    evidence=decision.reason,
                    confirmed=confirmed,
                    suppressed_by=muted,
                    confirm_value=None if again is None else float(again is Status.PASS),
                )
            )

    def _metric_rules(self) -> None:
        for ref in run_series(self.current, ignored=self.muted_scenarios):
            rule = rule_for(ref.metric, self.config)
            if rule is None:
                continue
            baseline = baseline_for(
                ref, self.history, self.evidence.pinned, self.current.suite, self.config
            )
            first = judge(ref.value, baseline, rule.ratio, self.guard)
            if not first.judged:
                self.not_judged.append(ref.key)
                continue
            muted = self._muted(ref.key)
            eligible = needs_confirmation(rule.severity, self.config) and muted is None
            rerun = (
                {ref.scenario} if ref.scenario else set(self.failing) - set(self.muted_scenarios)
            )
            if eligible and first.suspect and rerun and self.confirmation is None:
                self.to_confirm |= rerun
                self._add(ref, rule, first, first.reason + "; re-running to confirm", None, muted)
            elif eligible and first.suspect and rerun:
                self._confirm(ref, rule, baseline, first, muted)
            elif first.regressed:
                self._add(ref, rule, first, first.reason, None, muted)
            elif rule.creep and ref.key not in self.evidence.pinned:
                self._creep(ref, rule, muted)

    def _confirm(
        self,
        ref: SeriesRef,
        rule: Rule,
        baseline: Baseline | None,
        first: Decision,
        muted: str | None,
    ) -> None:
        if self.confirmation is None:
            return
        value, failed = self.confirmation.value_of(ref, self.current.results, self.muted_scenarios)
        if value is None:
            what = (
                "failed on the confirm pass" if failed else "was not measured on the confirm pass"
            )
            evidence = f"{first.reason}; {ref.scenario} {what}"
            self._add(ref, rule, first, evidence, failed, muted)
            return
        second = judge([ref.value, value], baseline, rule.ratio, self.guard)
        self._add(ref, rule, first, second.reason, second.regressed, muted, value)

    def _creep(self, ref: SeriesRef, rule: Rule, muted: str | None) -> None:
        samples = baseline_samples(self.runs, ref.scenario, ref.metric, self.current.suite)
        series = [*samples.values[-self.config.history_runs :], ref.value]
        if len(series) < 2 * self.config.change_point_min_segment:
            return
        creep = detect_creep(
            series,
            rule.ratio,
            alpha=self.config.change_point_alpha,
            min_segment=self.config.change_point_min_segment,
        )
        if not creep.regressed or creep.before_median is None or creep.after_median is None:
            return
        offset = len(samples.values) - (len(series) - 1)  # series holds the newest values
        since = None if creep.since_index is None else offset + creep.since_index
        first_run = samples.run_ids[since] if since is not None and since < len(samples) else ""
        message = (
            f"{ref.scenario or 'run'}: {ref.metric} crept from {fmt(creep.before_median)}"
            f"{_sym(ref)} to {fmt(creep.after_median)}{_sym(ref)}"
            + (f" since run {first_run}" if first_run else "")
        )
        ratio = _finite(creep.after_median, creep.before_median)
        self._found(ref, rule, creep.before_median, message, creep.reason, muted=muted, ratio=ratio)

    def _add(
        self,
        ref: SeriesRef,
        rule: Rule,
        decision: Decision,
        evidence: str,
        confirmed: bool | None,
        muted: str | None,
        confirm_value: float | None = None,
    ) -> None:
        median = decision.baseline_median or 0.0
        message = (
            f"{ref.scenario or 'run'}: {ref.metric} {fmt(ref.value)}{_sym(ref)} against a "
            f"baseline median of {fmt(median)}{_sym(ref)} ({_finite(ref.value, median):.2f}x)"
        )
        self._found(
            ref,
            rule,
            median,
            message,
            evidence,
            confirmed=confirmed,
            muted=muted,
            confirm_value=confirm_value,
        )

    def _found(
        self,
        ref: SeriesRef,
        rule: Rule,
        baseline: float,
        message: str,
        evidence: str,
        *,
        confirmed: bool | None = None,
        muted: str | None = None,
        confirm_value: float | None = None,
        ratio: float | None = None,
    ) -> None:
        """Record a regression of a metric series (the status rule has its own)."""
        self.found.append(
            Regression(
                key=ref.key,
                target=self.current.target,
                scenario=ref.scenario,
                metric=ref.metric,
                unit=METRICS[ref.metric].unit,
                current=ref.value,
                baseline=baseline,
                change_ratio=_finite(ref.value, baseline) if ratio is None else ratio,
                severity=rule.severity,
                message=message,
                evidence=evidence,
                confirmed=confirmed,
                suppressed_by=muted,
                confirm_value=confirm_value,
            )
        )


def _sym(ref: SeriesRef) -> str:
    symbol = METRICS[ref.metric].symbol
    return f" {symbol}" if symbol else ""


def _finite(value: float, reference: float) -> float:
    """value / reference, or 0 when that is not a finite number (a zero baseline)."""
    if reference == 0:
        return 0.0
    ratio = value / reference
    return round(ratio, 4) if math.isfinite(ratio) else 0.0
