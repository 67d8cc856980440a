"""Plan a run: validate the request, resolve the suite and the target, lay out the groups."""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from harness.config import HarnessConfig, TargetConfig
from harness.errors import ConfigError, InvalidRunRequestError, UnknownScenarioError
from harness.scenarios.base import ScenarioDefinition
from harness.wire import (
    GroupPlan,
    ResolvedTarget,
    RunContext,
    RunPlan,
    RunRequest,
    ScenarioSpec,
    TargetOverride,
)


def new_run_id(now: datetime) -> str:
    """Sortable by time, unique enough for concurrent starts: ``20261124T053349Z-3fa2c1``."""
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


# The identity of the bundled reference target when the config gives no name.
REFERENCE_TARGET_NAME = "reference"


def name_from_endpoint(endpoint: str) -> str:
    """A target's identity when it has no name: host, port and path of its endpoint
    (``https://edit.example.com/v2`` -> ``edit.example.com_v2``)."""
    parts = urlsplit(endpoint)
    name = (parts.hostname or "target") + (f":{parts.port}" if parts.port else "")
    path = parts.path.strip("/").replace("/", "_")
    name = f"{name}_{path}" if path else name
    return re.sub(r"[^A-Za-z0-9._:-]", "-", name)[:100]


def target_identity(config: TargetConfig) -> str:
    """Who a target is for history, baselines and the known-issues ledger: its configured
    name, else ``reference`` for the bundled target (empty endpoint), else its endpoint's."""
    if config.name:
        return config.name
    return name_from_endpoint(config.endpoint) if config.endpoint else REFERENCE_TARGET_NAME


def resolve_target(
    config: TargetConfig, override: TargetOverride | None, *, deployed: bool = False
) -> ResolvedTarget:
    """The config's target with the run's override. Deployed (in AWS), the override may not
    name endpoints (a role-signed request must not go to an arbitrary host) and endpoints
    must be https (or a loopback address: a stack deployed onto a local emulator)."""
    fields = config.model_dump()
    if override is not None:
        given = override.model_dump(exclude_none=True)
        if deployed:
            refused = sorted(set(given) & {"endpoint", "aws_endpoint_url"})
            if refused:
                names = ", ".join(f"target.{_camel(name)}" for name in refused)
                raise InvalidRunRequestError(
                    f"{names}: the deployed harness tests the target its config names; "
                    "deploy a config for another target instead"
                )
        if given.get("endpoint", fields["endpoint"]) != fields["endpoint"]:
            fields["name"] = ""  # another endpoint is another target, unless it is named
        fields.update(given)
    if not fields["endpoint"]:
        raise ConfigError(
            "target.endpoint is empty: set [target] endpoint in the config, pass "
            "--target URL, or run locally where the reference target fills it in"
        )
    fields["name"] = fields["name"] or name_from_endpoint(fields["endpoint"])
    if deployed:
        for name in ("endpoint", "aws_endpoint_url"):
            if fields[name] and not _secure_or_loopback(str(fields[name])):
                raise ConfigError(f"target.{name} must be https:// in AWS, not {fields[name]!r}")
    return ResolvedTarget.model_validate(fields)


def _secure_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def run_id_for(request: RunRequest, config: HarnessConfig, now: datetime) -> str:
    """The request's run id locally; in AWS always a new one (cleanup deletes by run id, so
    whoever can start an execution must not pick it)."""
    if not config.run.deployed:
        return request.run_id or new_run_id(now)
    if request.run_id is not None:
        raise InvalidRunRequestError(
            "runId: the deployed harness makes the run id itself; remove runId from the input"
        )
    return new_run_id(now)


def select_scenarios(
    request: RunRequest, config: HarnessConfig, catalogue: Mapping[str, ScenarioDefinition]
) -> tuple[str, list[str]]:
    """The suite label and the scenario names to run, in catalogue order for suites."""
    if request.scenarios is not None:
        unknown = [
            f"scenarios[{index}]: unknown scenario '{name}'"
            for index, name in enumerate(request.scenarios)
            if name not in catalogue
        ]
        if unknown:
            raise UnknownScenarioError(
                "; ".join(unknown) + f" (known scenarios: {', '.join(sorted(catalogue))})"
            )
        return "custom", list(dict.fromkeys(request.scenarios))
    suite = request.suite.value if request.suite is not None else config.run.default_suite
    names = [
        name
        for name, definition in catalogue.items()
        if config.scenario(name).enabled
        and suite in (config.scenario(name).tags or definition.tags)
    ]
    if not names:
        raise InvalidRunRequestError(
            f"suite: '{suite}' selects no scenarios; tag scenarios with '{suite}' or pick "
            "another suite (smoke, full)"
        )
    return suite, names


def spec_for(name: str, definition: ScenarioDefinition, config: HarnessConfig) -> ScenarioSpec:
    override = config.scenario(name)
    unknown = sorted(set(override.params) - set(definition.params))
    if unknown:
        raise ConfigError(
            f"scenarios.{name}.params: unknown parameter(s) {unknown}; "
            f"'{name}' takes {sorted(definition.params)}"
        )
    return ScenarioSpec(
        name=name,
        group=override.group or definition.group,
        tags=list(override.tags or definition.tags),
        timeout_seconds=override.timeout_seconds or definition.timeout_seconds,
        retries=override.retries if override.retries is not None else 0,
        params=dict(override.params),
    )


def plan_run(
    request: RunRequest,
    config: HarnessConfig,
    catalogue: Mapping[str, ScenarioDefinition],
    now: datetime,
) -> RunPlan:
    suite, names = select_scenarios(request, config, catalogue)
    target = resolve_target(config.target, request.target, deployed=config.run.deployed)
    groups: dict[str, list[ScenarioSpec]] = {}
    for name in names:
        spec = spec_for(name, catalogue[name], config)
        groups.setdefault(spec.group, []).append(spec)
    group_plans = []
    for group_name, specs in groups.items():
        settings = config.group(group_name)
        group_plans.append(
            GroupPlan(
                name=group_name,
                parallel=settings.parallel,
                max_concurrency=settings.max_concurrency if settings.parallel else 1,
                scenarios=specs,
            )
        )
    run = RunContext(
        run_id=run_id_for(request, config, now),
        suite=suite,
        started_at=now,
        target=target,
        flags=request.flags,
    )
    return RunPlan(
        run=run,
        groups=group_plans,
        max_group_concurrency=request.flags.max_group_concurrency
        or config.run.max_group_concurrency,
    )
