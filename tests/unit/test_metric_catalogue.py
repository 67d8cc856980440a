"""Every metric is declared once, with unit and direction; rules come from config."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import HarnessConfig, load_config
from harness.errors import ConfigError
from harness.judge.baseline import Direction
from harness.judge.rules import rule_for
from harness.scenarios.catalogue import BUILT_IN_SCENARIOS
from harness.wire.metrics import METRICS


def test_every_metric_a_built_in_scenario_reports_is_declared_with_the_same_unit() -> None:
    for definition in BUILT_IN_SCENARIOS:
        for name, unit in definition.metrics.items():
            assert name in METRICS, f"{definition.name} reports undeclared metric {name}"
            assert METRICS[name].unit == unit, f"{definition.name}: {name} in {unit}"


def test_the_seed_rules_are_the_defaults() -> None:
    config = HarnessConfig().regression
    cold, rate, cost = (
        rule_for(name, config)
        for name in ("cold_start_seconds", "success_rate", "cost_per_run_usd")
    )
    assert cold and (cold.ratio.ratio, cold.severity.value, cold.ratio.min_change) == (
        1.2,
        "medium",
        0.25,
    )
    assert rate and (rate.ratio.ratio, rate.severity.value) == (0.95, "high")
    assert rate.ratio.direction is Direction.HIGHER_IS_BETTER
    assert cost and (cost.ratio.ratio, cost.severity.value) == (1.5, "low")
    assert config.status.severity.value == "high" and config.gate_severity.value == "high"
    assert (config.window, config.min_samples) == (30, 10)


def test_metrics_without_a_rule_get_the_default_rule_in_their_direction() -> None:
    config = HarnessConfig().regression
    recovery, sessions = rule_for("recovery_seconds", config), rule_for("sessions_created", config)
    assert recovery and recovery.ratio.ratio == 1.2 and recovery.severity.value == "low"
    assert sessions and sessions.ratio.ratio == pytest.approx(1 / 1.2)
    assert rule_for("not_a_metric", config) is None


def test_config_merges_over_the_seed_rules(tmp_path: Path) -> None:
    file = tmp_path / "h.toml"
    file.write_text(
        "[regression.rules.cold_start_seconds]\nratio = 1.5\n"
        "[regression.rules.recovery_seconds]\nratio = 2.0\nseverity = 'medium'\n"
        "[regression.rules.cost_per_run_usd]\nenabled = false\n"
    )
    config = load_config(file, environ={}).regression
    assert config.rules["cold_start_seconds"].severity.value == "medium"  # kept
    assert config.rules["cold_start_seconds"].ratio == 1.5
    assert config.rules["success_rate"].ratio == 0.95  # untouched
    assert rule_for("cost_per_run_usd", config) is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[regression.rules.success_rate]\nratio = 1.1\n", "must be below 1"),
        ("[regression.rules.cold_start_seconds]\nratio = 0.9\n", "must be above 1"),
        ("[regression.rules.warmth]\nratio = 2\nseverity = 'low'\n", "not a declared metric"),
        ("[regression]\nmin_samples = 40\n", "must not exceed window"),
        ("[regression]\ngate_severity = 'urgent'\n", "regression.gate_severity"),
        ("[regression]\nmin_samples = 1\n", "regression.min_samples"),
    ],
)
def test_bad_rules_name_the_field_and_the_fix(tmp_path: Path, toml: str, message: str) -> None:
    file = tmp_path / "h.toml"
    file.write_text(toml)
    with pytest.raises(ConfigError, match="regression") as caught:
        load_config(file, environ={})
    assert message in str(caught.value)
