"""Change-based selection: globs, the rules in order, and the reason for every decision."""

from datetime import UTC, datetime

import pytest

from harness.config import HarnessConfig, SelectionConfig, TargetConfig
from harness.errors import ConfigError
from harness.judge.results import RunResults
from harness.planning.plan import plan_run
from harness.planning.selection import Decision, matches, select
from harness.scenarios import catalogue
from harness.wire import RunRequest
from harness.wire.request import MAX_NOTE_LENGTH
from tests.fakes import MemoryStore

CATALOGUE = catalogue()
NOW = datetime(2026, 11, 24, 5, 33, 49, tzinfo=UTC)
CONFIG = HarnessConfig(target=TargetConfig(endpoint="http://127.0.0.1:9"))
SUITE = list(CATALOGUE)
TAGS = {name: definition.tags for name, definition in CATALOGUE.items()}
SMOKE = [name for name in SUITE if "smoke" in TAGS[name]]  # always run
LATER_SMOKE = SMOKE[2:]  # the smoke scenarios after cold-start and alb-routing


def chosen(decisions: list[Decision]) -> list[str]:
    return [d.scenario for d in decisions if d.selected]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("hephaestus/lib/session-stack.ts", "hephaestus/lib/session-stack.ts", True),
        ("hephaestus/lib/session-stack.ts", "./hephaestus/lib/session-stack.ts", True),
        ("hephaestus/lib/session-stack.ts", "hephaestus/lib/session-stack.tsx", False),
        ("hermes/src/modules/edit-session/**", "hermes/src/modules/edit-session/a/b.ts", True),
        ("hermes/src/modules/edit-session/**", "hermes/src/modules/edit-session-x/a.ts", False),
        ("hermes/*.ts", "hermes/a.ts", True),
        ("hermes/*.ts", "hermes/sub/a.ts", False),  # * stays within one folder
        ("**/package.json", "package.json", True),
        ("**/package.json", "hermes/package.json", True),
        ("docs/**/*.md", "docs/a.md", True),
        ("docs/**/*.md", "docs/x/y/a.md", True),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("a.b", "axb", False),  # the dot is literal
    ],
)
def test_globs(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


def test_no_change_list_runs_the_suite_as_asked() -> None:
    decisions = select(SUITE, TAGS, None, SelectionConfig(), "full")
    assert chosen(decisions) == SUITE
    assert all(d.reason == "in the full suite (no change list)" for d in decisions)


def test_the_seed_examples_pick_their_scenarios_and_smoke_always_runs() -> None:
    decisions = select(SUITE, TAGS, ["hephaestus/lib/fargate-stack.ts"], SelectionConfig(), "full")
    assert chosen(decisions) == ["cold-start", "concurrent-sessions", "alb-routing", *LATER_SMOKE]
    by_name = {d.scenario: d.reason for d in decisions}
    assert by_name["concurrent-sessions"] == "changed: hephaestus/lib/fargate-stack.ts"
    assert by_name["alb-routing"] == "changed: hephaestus/lib/fargate-stack.ts"
    assert by_name["cold-start"] == "tagged smoke: runs on every change"
    assert by_name["failure-recovery"] == "none of the 1 changed file(s) maps to it"

    edit = select(SUITE, TAGS, ["hermes/src/modules/edit-session/x.ts"], SelectionConfig(), "full")
    assert chosen(edit) == [
        "cold-start",
        "session-persistence",
        "alb-routing",
        "failure-recovery",
        *LATER_SMOKE,
    ]


def test_an_unknown_file_runs_everything_and_says_which() -> None:
    decisions = select(
        SUITE, TAGS, ["hephaestus/lib/session-stack.ts", "README.md"], SelectionConfig(), "full"
    )
    assert chosen(decisions) == SUITE
    assert "no selection pattern matches README.md" in decisions[0].reason


def test_unmatched_ignore_and_empty_patterns_mark_files_that_affect_nothing() -> None:
    config = SelectionConfig(map={"docs/**": []}, unmatched="ignore")
    decisions = select(SUITE, TAGS, ["docs/a.md", "README.md"], config, "full")
    assert chosen(decisions) == SMOKE  # smoke only
    config = SelectionConfig(map={"docs/**": []})  # unmatched = "all"
    assert chosen(select(SUITE, TAGS, ["docs/a.md"], config, "full")) == SMOKE


def test_run_all_patterns_win() -> None:
    files = ["hermes/package.json", "hephaestus/lib/session-stack.ts"]
    decisions = select(SUITE, TAGS, files, SelectionConfig(), "full")
    assert chosen(decisions) == SUITE
    assert decisions[0].reason.startswith("run everything: hermes/package.json matches")


def test_nothing_changed_runs_only_the_always_run_scenarios() -> None:
    decisions = select(SUITE, TAGS, [], SelectionConfig(), "full")
    assert chosen(decisions) == SMOKE
    assert {d.reason for d in decisions if not d.selected} == {"no file changed"}


def test_reasons_stay_short_with_thousands_of_files() -> None:
    files = [f"hermes/src/modules/edit-session/file_{n:04d}.ts" for n in range(3000)]
    decisions = select(SUITE, TAGS, files, SelectionConfig(), "full")
    persistence = next(d for d in decisions if d.scenario == "session-persistence")
    assert persistence.reason.endswith("(+2997 more)")
    files.append("x" * 900)
    assert all(
        len(d.reason) <= MAX_NOTE_LENGTH
        for d in select(SUITE, TAGS, files, SelectionConfig(), "full")
    )


def test_a_map_naming_an_unknown_scenario_is_a_config_error() -> None:
    config = CONFIG.model_copy(
        update={"selection": SelectionConfig(map={"a/**": ["cold-start", "warm-start"]})}
    )
    with pytest.raises(
        ConfigError, match=r"selection.map.'a/\*\*': unknown scenario\(s\) \['warm-start'\]"
    ):
        plan_run(RunRequest(), config, CATALOGUE, NOW)


def test_the_plan_records_why_and_drops_the_change_list() -> None:
    files = ["hephaestus/lib/session-stack.ts", *(f"docs/n{n}.md" for n in range(10))]
    config = CONFIG.model_copy(
        update={"selection": SelectionConfig(map={**SelectionConfig().map, "docs/**": []})}
    )
    request = RunRequest.model_validate({"flags": {"changedFiles": files}})
    results = RunResults(MemoryStore())
    plan = plan_run(request, config, CATALOGUE, NOW, results=results)
    assert sorted(s.name for s in plan.scenarios) == sorted(
        ["cold-start", "session-persistence", *SMOKE[1:]]
    )
    assert [s.name for s in plan.skipped] == ["concurrent-sessions", "failure-recovery"]
    assert results.reasons(plan.run.run_id) == {
        "cold-start": "changed: hephaestus/lib/session-stack.ts",
        "session-persistence": "changed: hephaestus/lib/session-stack.ts",
        "concurrent-sessions": "none of the 11 changed file(s) maps to it",
        "alb-routing": "tagged smoke: runs on every change",
        "failure-recovery": "none of the 11 changed file(s) maps to it",
        **{name: "tagged smoke: runs on every change" for name in LATER_SMOKE},
    }
    assert plan.run.flags.changed_files is None  # never carried past Plan
    assert "changedFiles" not in str(plan.to_wire()) and "changed:" not in str(plan.to_wire())


def test_reasons_that_cannot_be_stored_become_a_note_not_a_failure() -> None:
    store = MemoryStore()
    store.broken = True
    plan = plan_run(RunRequest(), CONFIG, CATALOGUE, NOW, results=RunResults(store))
    assert len(plan.scenarios) == len(SUITE)
    assert plan.notices == ["the selection reasons could not be stored: unreachable"]


def test_named_scenarios_run_whatever_changed() -> None:
    request = RunRequest.model_validate(
        {"scenarios": ["failure-recovery"], "flags": {"changedFiles": ["README.md"]}}
    )
    results = RunResults(MemoryStore())
    plan = plan_run(request, CONFIG, CATALOGUE, NOW, results=results)
    assert [s.name for s in plan.scenarios] == ["failure-recovery"]
    assert results.reasons(plan.run.run_id) == {"failure-recovery": "named in the request"}


def test_everything_skipped_is_a_plan_with_no_groups() -> None:
    config = CONFIG.model_copy(
        update={"selection": SelectionConfig(always_run_tags=[], map={"docs/**": []})}
    )
    request = RunRequest.model_validate({"flags": {"changedFiles": ["docs/a.md"]}})
    plan = plan_run(request, config, CATALOGUE, NOW)
    assert plan.lanes == [] and len(plan.skipped) == len(SUITE)
