"""The one configuration model: it drives the CLI, the Lambda handlers and the CDK app.

Order of precedence (highest first): environment variables ``HARNESS__SECTION__KEY``, the
TOML file (``--config``, else ``$HARNESS_CONFIG_FILE``, else ``./harness.toml``), built-in
defaults. Inside Lambda the whole config travels as JSON in ``$HARNESS_CONFIG_JSON``.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from harness.config.deploy import (
    AlertsConfig,
    DeployConfig,
    FunctionOverride,
    PipelineConfig,
    SchedulesConfig,
    StorageConfig,
    TopicSubscriptions,
)
from harness.config.judging import (
    AlertRoutes,
    AlertRoutingConfig,
    RegressionConfig,
    ReportConfig,
)
from harness.config.runtime import (
    GATEABLE_SLAS,
    KNOWN_FAULTS,
    MAX_POOL_SIZE,
    CacheConfig,
    CostConfig,
    GroupConfig,
    HistoryConfig,
    LeasesConfig,
    LoadConfig,
    LocalConfig,
    PlanningConfig,
    ReferenceTargetConfig,
    RunConfig,
    ScenarioOverride,
    Section,
    SelectionConfig,
    SlaConfig,
    TargetConfig,
    TargetMember,
)
from harness.errors import ConfigError
from harness.validation import format_validation_error

__all__ = [
    "CONFIG_FILE_ENV",
    "CONFIG_JSON_ENV",
    "GATEABLE_SLAS",
    "KNOWN_FAULTS",
    "MAX_POOL_SIZE",
    "AlertRoutes",
    "AlertRoutingConfig",
    "AlertsConfig",
    "CacheConfig",
    "CostConfig",
    "DeployConfig",
    "FunctionOverride",
    "GroupConfig",
    "HarnessConfig",
    "HistoryConfig",
    "LeasesConfig",
    "LoadConfig",
    "LocalConfig",
    "PipelineConfig",
    "PlanningConfig",
    "ReferenceTargetConfig",
    "RegressionConfig",
    "ReportConfig",
    "RunConfig",
    "ScenarioOverride",
    "SchedulesConfig",
    "SelectionConfig",
    "SlaConfig",
    "StorageConfig",
    "TargetConfig",
    "TargetMember",
    "TopicSubscriptions",
    "format_validation_error",
    "load_config",
    "read_toml",
]

CONFIG_FILE_ENV = "HARNESS_CONFIG_FILE"
CONFIG_JSON_ENV = "HARNESS_CONFIG_JSON"
ENV_PREFIX = "HARNESS__"
DEFAULT_CONFIG_FILE = "harness.toml"


class HarnessConfig(Section):
    target: TargetConfig = Field(default_factory=TargetConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    scenarios: dict[str, ScenarioOverride] = Field(default_factory=dict)
    groups: dict[str, GroupConfig] = Field(default_factory=dict)
    reference_target: ReferenceTargetConfig = Field(default_factory=ReferenceTargetConfig)
    local: LocalConfig = Field(default_factory=LocalConfig)
    history: HistoryConfig = Field(default_factory=HistoryConfig)
    deploy: DeployConfig = Field(default_factory=DeployConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    schedules: SchedulesConfig = Field(default_factory=SchedulesConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    regression: RegressionConfig = Field(default_factory=RegressionConfig)
    cost: CostConfig = Field(default_factory=CostConfig)
    selection: SelectionConfig = Field(default_factory=SelectionConfig)
    cache: CacheConfig = Field(default_factory=CacheConfig)
    targets: list[TargetMember] = Field(default_factory=list, max_length=MAX_POOL_SIZE)
    planning: PlanningConfig = Field(default_factory=PlanningConfig)
    leases: LeasesConfig = Field(default_factory=LeasesConfig)
    load: LoadConfig = Field(default_factory=LoadConfig)

    @model_validator(mode="after")
    def _one_kind_of_pool(self) -> HarnessConfig:
        names = [member.name for member in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"targets: names must be unique, got {names}")
        if self.targets and not self.target.name:
            raise ValueError(
                "target.name: name the pool in [target] (its runs are compared under it); "
                "each [[targets]] entry names one member"
            )
        if self.targets and self.reference_target.pool_size:
            raise ValueError(
                "give either [[targets]] or reference_target.pool_size, not both: pool_size "
                "starts copies of the bundled reference target"
            )
        base = self.target.model_dump()
        seen: dict[tuple[str, ...], str] = {}
        for member in self.targets:
            if member.test_prefix not in (None, self.target.test_prefix):
                raise ValueError(
                    f"targets: '{member.name}' has test_prefix {member.test_prefix!r}, but "
                    "cleanup deletes only by [target] test_prefix: remove it from [[targets]]"
                )
            merged = {**base, **member.model_dump(exclude_none=True)}
            region = merged["region"]
            for what, key in (
                ("ECS service", (region, merged["ecs_cluster"], merged["ecs_service"])),
                ("sessions table", (region, merged["sessions_table"])),
                ("endpoint", (merged["endpoint"],) if merged["endpoint"] else ()),
            ):
                if key and (what, *key) in seen:
                    raise ValueError(
                        f"targets: '{seen[(what, *key)]}' and '{member.name}' share their "
                        f"{what}; pool members must be separate copies of the stack"
                    )
                seen[(what, *key)] = member.name
        return self

    @property
    def lease_ttl_seconds(self) -> float:
        return self.leases.ttl_seconds or self.sla.suite_max_seconds + 600

    @property
    def warm_up_estimate_seconds(self) -> float:
        """A cold start, as planned when no run measured one: the configured estimate, else
        the longest the cold-start SLA allows a healthy target."""
        configured = self.planning.warm_up_estimate_seconds
        return self.sla.cold_start_max_seconds if configured is None else configured

    def group(self, name: str) -> GroupConfig:
        return self.groups.get(name, GroupConfig())

    def scenario(self, name: str) -> ScenarioOverride:
        return self.scenarios.get(name, ScenarioOverride())


def load_config(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> HarnessConfig:
    """Load the config: file (if any) + env overrides, validated as one model."""
    env = os.environ if environ is None else environ
    data: dict[str, Any]
    source: str
    if path is None and env.get(CONFIG_JSON_ENV):
        source = f"${CONFIG_JSON_ENV}"
        try:
            data = json.loads(env[CONFIG_JSON_ENV])
        except json.JSONDecodeError as err:
            raise ConfigError(f"{source} is not valid JSON: {err}") from err
    else:
        file = Path(path or env.get(CONFIG_FILE_ENV) or DEFAULT_CONFIG_FILE)
        source = str(file)
        if path is not None or env.get(CONFIG_FILE_ENV) or file.exists():
            data = _read_toml(file)
        else:
            data = {}
    _apply_env_overrides(data, env)
    try:
        return HarnessConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"invalid config ({source}):\n{format_validation_error(err)}") from err


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return read_toml(file)
    except FileNotFoundError as err:
        raise ConfigError(f"config file {file} does not exist") from err
    except IsADirectoryError as err:
        raise ConfigError(f"config file {file} is a folder; name a TOML file") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"config file {file} is not UTF-8 text ({err.reason})") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {file} is not valid TOML: {err}") from err
    except OSError as err:
        raise ConfigError(f"config file {file} cannot be read: {err.strerror}") from err


def read_toml(file: Path) -> dict[str, Any]:
    """A TOML file as a dict. TOML is UTF-8 by definition: other bytes raise
    ``UnicodeDecodeError`` (tomllib itself would only say "invalid character")."""
    return tomllib.loads(file.read_bytes().decode("utf-8"))


def _apply_env_overrides(data: dict[str, Any], env: Mapping[str, str]) -> None:
    """``HARNESS__SLA__COLD_START_MAX_SECONDS=30`` sets ``[sla] cold_start_max_seconds``.

    Values that parse as JSON (numbers, lists, booleans) are used as such, else as strings.
    """
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [part.lower() for part in key[len(ENV_PREFIX) :].split("__") if part]
        if not parts:
            continue
        node = data
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{key}: '{part}' is not a section")
            node = child
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        node[parts[-1]] = value
