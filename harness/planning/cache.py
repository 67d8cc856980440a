"""The result cache: a scenario that passed is not run again while nothing that can change its
result has changed, for ``[cache] ttl_hours``.

The key hashes everything that can change a result: the scenario's code and the harness code
it runs (``code_digest``), its planned settings (timeout, retries, params, group), the SLA
limits, the dependency pins, the target's identity and its deployed version. When the version
is unknown the cache is off for that target: a result is never reused on a guess. Entries hold
passes only; one that is corrupt, unreadable, expired or not a pass is a miss, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import metadata

from pydantic import ValidationError

from harness.config import CacheConfig, SlaConfig
from harness.errors import StoreError, TargetRequestError
from harness.judge.results import RunResults
from harness.planning.code_digest import code_digest
from harness.planning.selection import bounded
from harness.ports import BlobStore, TargetApi
from harness.wire import (
    NotRun,
    ResolvedTarget,
    RunContext,
    ScenarioResult,
    ScenarioSpec,
    Status,
    Trigger,
)
from harness.wire.base import WireModel

PREFIX = "cache/"
KEY_FORMAT = 1  # bump when the key's material changes meaning
LOOKUP_WORKERS = 16
# Third-party packages whose installed versions join the pins (in AWS: the Powertools layer).
RUNTIME_DISTRIBUTIONS = ("pydantic", "pydantic_core", "boto3", "botocore", "aws-lambda-powertools")
# The target's address is how to reach it, not what it is: name and version say that.
TARGET_ADDRESSES = {"endpoint", "aws_endpoint_url", "version_path"}


class CacheEntry(WireModel):
    """One cached pass, as stored under ``cache/<key>.json``."""

    key: str
    scenario: str
    run_id: str
    stored_at: datetime
    result: ScenarioResult


def pins_digest(pins: bytes | None) -> str | None:
    """The project's pins plus the versions actually installed; None if the pins are unknown."""
    if pins is None:
        return None
    digest = hashlib.sha256(pins)
    digest.update(f"python {sys.version_info.major}.{sys.version_info.minor}".encode())
    for name in RUNTIME_DISTRIBUTIONS:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"\n{name}=={version}".encode())
    return digest.hexdigest()


def cache_key(
    spec: ScenarioSpec,
    target: ResolvedTarget,
    version: str,
    sla: SlaConfig,
    code: str,
    pins: str,
) -> str:
    material = {
        "format": KEY_FORMAT,
        "scenario": spec.model_dump(mode="json", exclude={"cache_key"}),
        "target": target.model_dump(mode="json", exclude=TARGET_ADDRESSES),
        "version": version,
        "sla": sla.model_dump(mode="json"),
        "code": code,
        "pins": pins,
    }
    text = json.dumps(material, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_key(key: str) -> str:
    return f"{PREFIX}{key}.json"


class ResultCache:
    """Cached passes on a ``BlobStore`` (S3 ``cache/`` in AWS, a folder locally)."""

    def __init__(self, store: BlobStore, ttl: timedelta) -> None:
        self._store = store
        self._ttl = ttl

    def lookup(self, key: str, scenario: str, now: datetime) -> CacheEntry | None:
        try:
            data = self._store.get(entry_key(key))
        except StoreError:
            return None
        if data is None:
            return None
        try:
            entry = CacheEntry.model_validate_json(data)
        except ValidationError:
            return None
        fresh = timedelta(0) <= now - entry.stored_at <= self._ttl
        usable = entry.key == key and entry.scenario == scenario
        if not (fresh and usable and entry.result.status is Status.PASS):
            return None
        return entry

    def remember(self, key: str, run_id: str, result: ScenarioResult, now: datetime) -> bool:
        """Store a pass; False (and nothing stored) for anything else or a store failure."""
        if result.status is not Status.PASS:
            return False
        entry = CacheEntry(
            key=key, scenario=result.scenario, run_id=run_id, stored_at=now, result=result
        )
        try:
            self._store.put(entry_key(key), entry.model_dump_json(by_alias=True).encode())
        except StoreError:
            return False
        return True


@dataclass(frozen=True)
class CachePlan:
    """The scenarios still to run (with their keys), those a cached pass answers (and why),
    and notices for the run."""

    to_run: list[ScenarioSpec]
    cached: list[NotRun] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


# (target) -> (version, "") when known, or (None, why it is unknown).
VersionLookup = Callable[[ResolvedTarget], tuple[str | None, str]]


def target_version(target: ResolvedTarget, api: TargetApi) -> tuple[str | None, str]:
    """The deployed version: ``[target] version``, else what ``GET version_path`` answers
    (``{"version": "..."}``); else None and why, and the cache stays off for the target."""
    if target.version:
        return target.version, ""
    path = target.version_path
    if not path:
        return None, "its version is unknown (set [target] version, or version_path)"
    try:
        answer = api.raw("GET", path)
    except TargetRequestError as err:
        return None, f"its version is unknown: {err}"
    payload = answer.json_or_none()
    version = payload.get("version") if isinstance(payload, dict) else None
    if answer.status != 200 or not isinstance(version, str) or not version.strip():
        shape = '{"version": "..."}'
        return None, f"its version is unknown: GET {path} answered {answer.status}, not {shape}"
    return bounded(version.strip()), ""


@dataclass
class CachePlanner:
    """Plan's use of the cache: give each scenario its key, answer the fresh passes."""

    cache: ResultCache
    results: RunResults
    settings: CacheConfig
    sla: SlaConfig
    version_of: VersionLookup
    pins: bytes | None
    digest_of: Callable[[str], str] = code_digest

    def apply(
        self,
        run: RunContext,
        specs: Sequence[ScenarioSpec],
        modules: Mapping[str, str],
        now: datetime,
    ) -> CachePlan:
        if not self.settings.enabled:
            return CachePlan(list(specs), notices=["result cache off: [cache] enabled = false"])
        version, unknown = self.version_of(run.target)
        if version is None:
            return CachePlan(
                list(specs),
                notices=[bounded(f"result cache off for target {run.target.name}: {unknown}")],
            )
        pins = pins_digest(self.pins)
        if pins is None:
            note = "result cache off: the dependency pins are unknown (no requirements.txt)"
            return CachePlan(list(specs), notices=[note])
        keyed = [
            spec.model_copy(
                update={
                    "cache_key": cache_key(
                        spec,
                        run.target,
                        version,
                        self.sla,
                        self.digest_of(modules[spec.name]),
                        pins,
                    )
                }
            )
            for spec in specs
        ]
        if run.flags.no_cache:
            return CachePlan(keyed, notices=["--no-cache: every scenario runs; passes are stored"])
        if run.flags.trigger is Trigger.SCHEDULE:
            # A schedule exists to measure the stack as it is now, version or not.
            return CachePlan(
                keyed, notices=["scheduled run: every scenario runs; passes are stored"]
            )
        with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS) as pool:
            hits = list(pool.map(lambda spec: self._reuse(run, spec, now), keyed))
        found = [hit for hit in hits if hit is not None]
        return CachePlan(
            [spec for spec, hit in zip(keyed, hits, strict=True) if hit is None],
            [entry for entry, _ in found],
            {entry.name: reason for entry, reason in found},
        )

    def _reuse(
        self, run: RunContext, spec: ScenarioSpec, now: datetime
    ) -> tuple[NotRun, str] | None:
        """A cached pass copied into this run's results (and why), or None to run it."""
        assert spec.cache_key is not None
        entry = self.cache.lookup(spec.cache_key, spec.name, now)
        if entry is None:
            return None
        result = entry.result.model_copy(
            update={"group": spec.group, "status": Status.CACHED, "cached_from": entry.run_id}
        )
        try:
            self.results.put(run.run_id, result)
        except StoreError:
            return None  # it cannot be recorded as reused: run it instead
        reason = f"cached from run {entry.run_id} (passed {entry.stored_at:%Y-%m-%d %H:%M}Z)"
        return NotRun(name=spec.name, group=spec.group, cached_from=entry.run_id), reason


def remember_passes(
    cache: ResultCache,
    specs: Sequence[ScenarioSpec],
    results: Mapping[str, ScenarioResult],
    run_id: str,
    now: datetime,
) -> int:
    """Aggregate's part: cache each keyed scenario that passed; returns how many were stored."""
    keyed = [
        (spec.cache_key, results[spec.name])
        for spec in specs
        if spec.cache_key and spec.name in results and results[spec.name].status is Status.PASS
    ]
    with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS) as pool:
        stored = pool.map(lambda item: cache.remember(item[0], run_id, item[1], now), keyed)
        return sum(stored)
