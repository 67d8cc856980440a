"""The configured rules, as the detector applies them, and the verdict the Gate state reads.

A metric's rule comes from ``[regression.rules.<metric>]`` (the seed's three by default), else
from ``[regression.default_rule]``; its direction, unit and jitter floor come from the metric
catalogue (``harness.wire.metrics``), never from the detector.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.config import RegressionConfig
from harness.judge.baseline import Direction
from harness.judge.detection import NoiseGuard, RatioRule
from harness.judge.series import FAILED
from harness.judge.sla import gate_reason
from harness.judge.summary import verdict_reason
from harness.wire import Regression, RunSummary, Severity, Status, Verdict
from harness.wire.metrics import METRICS


@dataclass(frozen=True, slots=True)
class Rule:
    ratio: RatioRule
    severity: Severity
    creep: bool


def rule_for(metric: str, config: RegressionConfig) -> Rule | None:
    """The rule that judges ``metric``, or None (undeclared metric, or rule disabled)."""
    spec = METRICS.get(metric)
    if spec is None:
        return None
    own = config.rules.get(metric)
    if own is not None:
        if not own.enabled:
            return None
        ratio, severity, creep = own.ratio, own.severity, own.creep
        floor = spec.floor if own.min_change is None else own.min_change
    else:
        default = config.default_rule
        if not default.enabled:
            return None
        lower = Direction(spec.direction) is Direction.LOWER_IS_BETTER
        ratio = default.factor if lower else 1 / default.factor
        severity, creep, floor = default.severity, default.creep, spec.floor
    rule = RatioRule(ratio, Direction(spec.direction), floor, severity.value, spec.symbol)
    return Rule(rule, severity, creep)


def noise_guard(config: RegressionConfig) -> NoiseGuard:
    return NoiseGuard(config.min_samples, config.z_threshold, config.confirm_z)


def needs_confirmation(severity: Severity, config: RegressionConfig) -> bool:
    """Whether a suspect of this severity is re-run before it may alert."""
    return config.confirm and severity.rank >= config.confirm_severity.rank


def gate(
    current: RunSummary,
    regressions: Sequence[Regression],
    quarantined: Mapping[str, str],
    gate_severity: Severity,
) -> tuple[Verdict, str]:
    """The run's verdict: it fails when a scenario that is not quarantined did not pass, a
    group's teardown failed (the target may be left changed), or a regression of at least
    ``gate_severity`` stands (reproduced, not acknowledged)."""
    failing = [r for r in current.results if r.status in FAILED and r.scenario not in quarantined]
    blocking = [r for r in regressions if r.stands and r.severity.rank >= gate_severity.rank]
    parts = []
    if failing:
        details = "; ".join(f"{r.scenario} ({r.status.value}: {r.reason})" for r in failing)
        parts.append(
            f"{len(failing)} of {len(current.results)} scenario(s) did not pass: {details}"
        )
    parts.extend(current.teardown_errors)
    if blocking:
        keys = ", ".join(f"{r.key} ({r.severity.value})" for r in blocking)
        parts.append(f"regression(s) of at least {gate_severity.value} severity: {keys}")
    sla = gate_reason(current.sla)  # the [sla] lines listed in gates (harness.judge.sla)
    if sla:
        parts.append(sla)
    if parts:
        return Verdict.FAILED, "; ".join(parts)
    muted = [r.scenario for r in current.results if r.status in FAILED]
    reason = verdict_reason(current)  # counts what passed, was cached, was skipped
    if muted:
        ran = sum(1 for r in current.results if r.status is not Status.SKIPPED)
        reason = (
            f"{ran - len(muted)} scenario(s) passed, {len(muted)} quarantined "
            f"did not ({', '.join(muted)})"
        )
    return Verdict.PASSED, f"{reason}; no regression of at least {gate_severity.value} severity"
