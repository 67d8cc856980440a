"""The result cache: every input that can change a result changes the key, only fresh passes
are reused, and a bad entry or store is a miss, never a crash."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.config import CacheConfig, HarnessConfig, ScenarioOverride, SlaConfig, TargetConfig
from harness.judge.results import RunResults
from harness.planning.cache import (
    CachePlanner,
    ResultCache,
    cache_key,
    entry_key,
    pins_digest,
    remember_passes,
    target_version,
)
from harness.planning.code_digest import (
    closure_digest,
    code_digest,
    forget_sources,
    module_closure,
)
from harness.planning.plan import plan_run
from harness.scenarios import catalogue
from harness.target.http import Response
from harness.wire import (
    Metric,
    RunContext,
    RunFlags,
    RunRequest,
    ScenarioResult,
    ScenarioSpec,
    Status,
    Trigger,
)
from tests.fakes import TARGET as FAKE_TARGET
from tests.fakes import MemoryStore

CATALOGUE = catalogue()
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
TTL = timedelta(hours=24)
TARGET = FAKE_TARGET.model_copy(
    update={"name": "staging", "endpoint": "https://edit.example.com", "version": "v1"}
)
SPEC = ScenarioSpec(name="cold-start", group="lifecycle", tags=["smoke"], timeout_seconds=60)
CONFIG = HarnessConfig(target=TargetConfig(endpoint="http://127.0.0.1:9", version="v1"))


def key(**changes: object) -> str:
    parts: dict[str, object] = {
        "spec": SPEC,
        "target": TARGET,
        "version": "v1",
        "sla": SlaConfig(),
        "code": "c0de",
        "pins": "p1",
    }
    parts.update(changes)
    return cache_key(**parts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"spec": SPEC.model_copy(update={"timeout_seconds": 61})},  # a timeout
        {"spec": SPEC.model_copy(update={"retries": 1})},
        {"spec": SPEC.model_copy(update={"params": {"users": 11}})},
        {"spec": SPEC.model_copy(update={"group": "solo"})},
        {"sla": SlaConfig(cold_start_max_seconds=59)},  # a threshold
        {"sla": SlaConfig(success_rate_min=0.9)},
        {"code": "c0de2"},  # the scenario's code or the harness code it runs
        {"pins": "p2"},  # the dependency pins
        {"version": "v2"},  # the target's deployed version
        {"target": TARGET.model_copy(update={"name": "prod"})},
        {"target": TARGET.model_copy(update={"sessions_table": "other"})},
        {"target": TARGET.model_copy(update={"test_prefix": "QA_"})},
        {"target": TARGET.model_copy(update={"request_timeout_seconds": 7})},
    ],
)
def test_everything_that_can_change_a_result_changes_the_key(change: dict[str, object]) -> None:
    assert key(**change) != key()


def test_addresses_and_bookkeeping_do_not_change_the_key() -> None:
    assert key(target=TARGET.model_copy(update={"endpoint": "http://127.0.0.1:5"})) == key()
    assert key(target=TARGET.model_copy(update={"aws_endpoint_url": "http://1.2.3.4"})) == key()
    assert key(spec=SPEC.model_copy(update={"selection": "changed: x"})) == key()


def test_config_changes_reach_the_key_through_the_plan() -> None:
    planner = CachePlanner(
        cache=ResultCache(MemoryStore(), TTL),
        results=RunResults(MemoryStore()),
        settings=CacheConfig(),
        sla=SlaConfig(),
        version_of=lambda target: (target.version, ""),
        pins=b"pins",
    )

    def keys(config: HarnessConfig) -> dict[str, str | None]:
        planner.sla = config.sla
        plan = plan_run(RunRequest(), config, CATALOGUE, NOW, cache=planner)
        return {spec.name: spec.cache_key for spec in plan.scenarios}

    before = keys(CONFIG)
    assert all(before.values()) and len(set(before.values())) == len(before)
    timeout = CONFIG.model_copy(
        update={"scenarios": {"cold-start": ScenarioOverride(timeout_seconds=30)}}
    )
    after = keys(timeout)
    assert after["cold-start"] != before["cold-start"]
    assert after["alb-routing"] == before["alb-routing"]
    threshold = CONFIG.model_copy(update={"sla": SlaConfig(cold_start_max_seconds=30)})
    assert set(keys(threshold).values()).isdisjoint(before.values())


def passed(name: str = "cold-start") -> ScenarioResult:
    return ScenarioResult(
        scenario=name,
        group="lifecycle",
        status=Status.PASS,
        duration_seconds=1.5,
        metrics=[Metric(name="cold_start_seconds", value=1.2, unit="seconds")],
    )


def test_a_pass_is_reused_until_it_expires() -> None:
    cache = ResultCache(MemoryStore(), TTL)
    assert cache.remember("k" * 64, "r1", passed(), NOW)
    entry = cache.lookup("k" * 64, "cold-start", NOW + TTL)
    assert entry is not None and entry.run_id == "r1" and entry.result.metrics
    assert cache.lookup("k" * 64, "cold-start", NOW + TTL + timedelta(seconds=1)) is None
    assert cache.lookup("k" * 64, "cold-start", NOW - timedelta(minutes=1)) is None  # clock skew
    assert cache.lookup("k" * 64, "alb-routing", NOW) is None  # another scenario's entry


def test_only_passes_are_cached() -> None:
    store = MemoryStore()
    cache = ResultCache(store, TTL)
    for status in (Status.FAIL, Status.ERROR, Status.SKIPPED, Status.CACHED):
        assert not cache.remember(
            "k" * 64, "r1", passed().model_copy(update={"status": status}), NOW
        )
    assert store.objects == {}
    # An entry edited to hold a failure is still not reused.
    cache.remember("k" * 64, "r1", passed(), NOW)
    text = store.objects[entry_key("k" * 64)].replace(b'"pass"', b'"fail"')
    store.objects[entry_key("k" * 64)] = text
    assert cache.lookup("k" * 64, "cold-start", NOW) is None


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b"null", b'{"key": "x"}', b"\xff\xfe", b'{"key": "' + b"z" * 64 + b'"}'],
)
def test_a_corrupt_entry_is_a_miss(damage: bytes) -> None:
    store = MemoryStore()
    store.objects[entry_key("k" * 64)] = damage
    assert ResultCache(store, TTL).lookup("k" * 64, "cold-start", NOW) is None


def test_an_entry_under_another_key_is_a_miss() -> None:
    store = MemoryStore()
    cache = ResultCache(store, TTL)
    cache.remember("a" * 64, "r1", passed(), NOW)
    store.objects[entry_key("b" * 64)] = store.objects[entry_key("a" * 64)]
    assert cache.lookup("b" * 64, "cold-start", NOW) is None


def test_an_unreachable_store_is_a_miss_and_nothing_is_remembered() -> None:
    store = MemoryStore()
    store.broken = True
    cache = ResultCache(store, TTL)
    assert cache.lookup("k" * 64, "cold-start", NOW) is None
    assert cache.remember("k" * 64, "r1", passed(), NOW) is False


def planner(store: MemoryStore, results: MemoryStore, **changes: object) -> CachePlanner:
    fields: dict[str, object] = {
        "cache": ResultCache(store, TTL),
        "results": RunResults(results),
        "settings": CacheConfig(),
        "sla": SlaConfig(),
        "version_of": lambda target: (target.version or None, "no version"),
        "pins": b"pins",
        "digest_of": lambda module: "d" * 64,
    }
    fields.update(changes)
    return CachePlanner(**fields)  # type: ignore[arg-type]


def run(run_id: str, **flags: object) -> RunContext:
    return RunContext(
        run_id=run_id, suite="full", started_at=NOW, target=TARGET, flags=RunFlags(**flags)
    )


MODULES = {"cold-start": "m", "alb-routing": "m"}
SPECS = [
    SPEC,
    ScenarioSpec(name="alb-routing", group="routing", tags=["smoke"], timeout_seconds=60),
]


def test_a_hit_is_recorded_in_the_run_as_cached_naming_its_run() -> None:
    store, results = MemoryStore(), MemoryStore()
    first = planner(store, results).apply(run("r1"), SPECS, MODULES, NOW)
    assert [s.cache_key is not None for s in first.to_run] == [True, True] and not first.cached
    stored = remember_passes(
        ResultCache(store, TTL),
        first.to_run,
        {
            "cold-start": passed(),
            "alb-routing": passed("alb-routing").model_copy(update={"status": Status.FAIL}),
        },
        "r1",
        NOW,
    )
    assert stored == 1  # the failure is not cached

    second = planner(store, results).apply(run("r2"), SPECS, MODULES, NOW + timedelta(hours=1))
    assert [s.name for s in second.to_run] == ["alb-routing"]
    (hit,) = second.cached
    assert (hit.name, hit.cached_from) == ("cold-start", "r1")
    copied = RunResults(results).get("r2", "cold-start")
    assert isinstance(copied, ScenarioResult)
    assert (copied.status, copied.cached_from, copied.group) == (Status.CACHED, "r1", "lifecycle")
    assert copied.metrics == passed().metrics


def test_no_cache_runs_everything_but_still_keys_it() -> None:
    store = MemoryStore()
    first = planner(store, MemoryStore()).apply(run("r1"), SPECS, MODULES, NOW)
    remember_passes(ResultCache(store, TTL), first.to_run, {"cold-start": passed()}, "r1", NOW)
    plan = planner(store, MemoryStore()).apply(run("r2", no_cache=True), SPECS, MODULES, NOW)
    assert [s.name for s in plan.to_run] == ["cold-start", "alb-routing"] and not plan.cached
    assert all(s.cache_key for s in plan.to_run)
    assert plan.notices == ["--no-cache: every scenario runs; passes are stored"]


def test_a_scheduled_run_measures_instead_of_reusing() -> None:
    store = MemoryStore()
    first = planner(store, MemoryStore()).apply(run("r1"), SPECS, MODULES, NOW)
    remember_passes(ResultCache(store, TTL), first.to_run, {"cold-start": passed()}, "r1", NOW)
    plan = planner(store, MemoryStore()).apply(
        run("r2", trigger=Trigger.SCHEDULE), SPECS, MODULES, NOW
    )
    assert [s.name for s in plan.to_run] == ["cold-start", "alb-routing"] and not plan.cached
    assert all(s.cache_key for s in plan.to_run)  # its passes are stored for others
    assert plan.notices == ["scheduled run: every scenario runs; passes are stored"]


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        ({"settings": CacheConfig(enabled=False)}, "result cache off: [cache] enabled = false"),
        ({"version_of": lambda target: (None, "its version is unknown")}, "its version is unknown"),
        ({"pins": None}, "the dependency pins are unknown"),
    ],
)
def test_the_cache_is_off_with_a_reason_when_it_cannot_be_trusted(
    changes: dict[str, object], note: str
) -> None:
    store = MemoryStore()
    first = planner(store, MemoryStore()).apply(run("r1"), SPECS, MODULES, NOW)
    remember_passes(ResultCache(store, TTL), first.to_run, {"cold-start": passed()}, "r1", NOW)
    plan = planner(store, MemoryStore(), **changes).apply(run("r2"), SPECS, MODULES, NOW)
    assert [s.name for s in plan.to_run] == ["cold-start", "alb-routing"]
    assert all(s.cache_key is None for s in plan.to_run)  # nothing is stored either
    assert not plan.cached and note in plan.notices[0]


def test_a_hit_that_cannot_be_copied_into_the_run_is_run_instead() -> None:
    store, results = MemoryStore(), MemoryStore()
    first = planner(store, results).apply(run("r1"), SPECS, MODULES, NOW)
    remember_passes(ResultCache(store, TTL), first.to_run, {"cold-start": passed()}, "r1", NOW)
    results.broken = True
    plan = planner(store, results).apply(run("r2"), SPECS, MODULES, NOW)
    assert [s.name for s in plan.to_run] == ["cold-start", "alb-routing"] and not plan.cached


class VersionApi:
    def __init__(self, answer: Response) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def raw(self, method: str, path: str) -> Response:
        self.asked.append(f"{method} {path}")
        return self.answer


def response(status: int, body: bytes) -> Response:
    return Response(status=status, headers={}, body=body, elapsed_seconds=0.01)


def test_the_version_comes_from_config_or_the_version_path() -> None:
    api = VersionApi(response(200, b'{"version": "2026.11.2"}'))
    assert target_version(TARGET, api) == ("v1", "")  # type: ignore[arg-type]
    assert api.asked == []
    asking = TARGET.model_copy(update={"version": "", "version_path": "/version"})
    assert target_version(asking, api) == ("2026.11.2", "")  # type: ignore[arg-type]
    assert api.asked == ["GET /version"]
    for bad in (
        response(404, b"{}"),
        response(200, b"not json"),
        response(200, b'{"version": ""}'),
    ):
        version, why = target_version(asking, VersionApi(bad))  # type: ignore[arg-type]
        assert version is None and "its version is unknown: GET /version answered" in why
    version, why = target_version(TARGET.model_copy(update={"version": ""}), api)  # type: ignore[arg-type]
    assert version is None and "set [target] version" in why


def test_pins_join_the_project_pins_and_what_is_installed() -> None:
    assert pins_digest(None) is None
    assert pins_digest(b"a==1") != pins_digest(b"a==2")
    assert pins_digest(b"a==1") == pins_digest(b"a==1")


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """A throwaway package ``pkgx``: ``a`` imports ``b``; ``c`` stands alone."""
    root = tmp_path / "pkgx"
    root.mkdir()
    (root / "__init__.py").write_text("from pkgx import c\n")
    (root / "a.py").write_text("from pkgx import b\n\ndef run():\n    return b.VALUE\n")
    (root / "b.py").write_text("VALUE = 1\n")
    (root / "c.py").write_text("import os\nVALUE = 2\n")
    sys.path.insert(0, str(tmp_path))
    yield root
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.split(".")[0] == "pkgx"]:
        del sys.modules[name]


def digest_of(root: str) -> str:
    forget_sources()
    return closure_digest(module_closure((root,), "pkgx"))


def test_the_code_digest_follows_imports_and_nothing_else(package: Path) -> None:
    assert set(module_closure(("pkgx.a",), "pkgx")) == {"pkgx.a", "pkgx.b"}
    before = digest_of("pkgx.a")
    (package / "c.py").write_text("VALUE = 3\n")  # not imported by a
    assert digest_of("pkgx.a") == before
    (package / "b.py").write_text("VALUE = 4\n")  # imported by a
    assert digest_of("pkgx.a") != before
    changed = digest_of("pkgx.a")
    (package / "a.py").write_text(
        textwrap.dedent(
            """\
            from pkgx import b


            def run():
                return b.VALUE + 1
            """
        )
    )
    assert digest_of("pkgx.a") != changed


def test_built_in_scenarios_have_their_own_digests() -> None:
    forget_sources()
    closure = module_closure(("harness.scenarios.cold_start", "harness.scenarios.runner"))
    assert "harness.scenarios.steps" in closure and "harness.target.http" in closure
    assert "harness.scenarios.alb_routing" not in closure  # another scenario's code
    assert "harness.scenarios" not in closure  # nor the catalogue
    assert code_digest("harness.scenarios.cold_start") != code_digest(
        "harness.scenarios.alb_routing"
    )
