"""The pool of equivalent targets a run may spread over: ``[[targets]]`` merged over
``[target]``, or copies of the bundled reference target (``reference_target.pool_size``).

Pool members must not share anything a scenario can disrupt (their ECS services, tables and
endpoints differ), or running two disruptive groups at once on them would not be safe.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from harness.config import HarnessConfig, PlanningConfig, TargetConfig
from harness.errors import ConfigError
from harness.target.leases import lease_key
from harness.wire import ResolvedTarget, TargetOverride, TargetResource

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


def pool_members(config: HarnessConfig) -> list[TargetConfig]:
    """The configured pool: each ``[[targets]]`` entry over ``[target]``, else ``[target]``."""
    if not config.targets:
        return [config.target]
    base = config.target.model_dump()
    return [
        TargetConfig.model_validate({**base, **member.model_dump(exclude_none=True)})
        for member in config.targets
    ]


def reference_pool(target: TargetConfig, size: int) -> list[TargetConfig]:
    """``size`` instances of the bundled reference target in one moto server: the first keeps
    the configured names, instance ``n`` adds ``-n`` to its name, ECS service and table."""
    name = target_identity(target)
    members = [target.model_copy(update={"name": name})]
    for number in range(2, size + 1):
        members.append(
            target.model_copy(
                update={
                    "name": f"{name}-{number}",
                    "ecs_service": f"{target.ecs_service}-{number}",
                    "sessions_table": f"{target.sessions_table}-{number}",
                }
            )
        )
    return members


def reference_planning(config: HarnessConfig) -> PlanningConfig:
    """``[planning]`` for a run on bundled reference targets: their cold start is known (they
    take ``[reference_target] cold_start_seconds``), so an unset warm-up estimate is that
    rather than the cold-start SLA's worst case a real stack gets."""
    planning = config.planning
    if planning.warm_up_estimate_seconds is not None:
        return planning
    cold_start = config.reference_target.cold_start_seconds
    return planning.model_copy(update={"warm_up_estimate_seconds": cold_start})


def resolve_pool(
    config: HarnessConfig, override: TargetOverride | None
) -> tuple[ResolvedTarget, list[ResolvedTarget]]:
    """The run's target (named as ``[target]``, for history) and its pool members. A run
    request that names its own target runs on that one target alone."""
    if override is not None:
        single = resolve_target(config.target, override)
        return single, [single]
    members = [resolve_target(member, None) for member in pool_members(config)]
    check_distinct(members)
    name = config.target.name if config.targets else members[0].name
    primary = members[0].model_copy(update={"name": name})
    return primary, members


def resolve_target(config: TargetConfig, override: TargetOverride | None) -> ResolvedTarget:
    fields = config.model_dump()
    if override is not None:
        given = override.model_dump(exclude_none=True)
        if given.get("endpoint", fields["endpoint"]) != fields["endpoint"]:
            fields["name"] = ""  # another endpoint is another target, unless it is named
        fields.update(given)
    if not fields["endpoint"]:
        raise ConfigError(
            f"target '{fields['name'] or REFERENCE_TARGET_NAME}': endpoint is empty: set "
            "[target] endpoint (or each [[targets]] endpoint) in the config, pass --target "
            "URL, or run locally where the reference target fills it in"
        )
    fields["name"] = fields["name"] or name_from_endpoint(fields["endpoint"])
    return ResolvedTarget.model_validate(fields)


def check_distinct(members: list[ResolvedTarget]) -> None:
    """Refuse a pool whose members share a resource (then they are not separate targets)."""
    seen: dict[str, str] = {}
    for member in members:
        for resource in TargetResource:
            key = lease_key(member, resource)
            if key in seen:
                raise ConfigError(
                    f"targets: '{seen[key]}' and '{member.name}' share {resource} ({key}); "
                    "pool members must be separate copies of the stack"
                )
            seen[key] = member.name
