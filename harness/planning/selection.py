"""Change-based selection: from a list of changed files to the scenarios worth running, with
the reason for every decision (recorded with the run, shown by ``harness select``).

Rules, in order: no change list means the suite runs as asked; a change matching a
``run_all`` pattern, or (with ``unmatched = "all"``) a change no pattern knows, runs the whole
suite; otherwise a scenario runs when a changed file maps to it or it carries an always-run
tag (``smoke``), and is skipped with a reason otherwise. Never a silent skip.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from harness.config import HarnessConfig, SelectionConfig
from harness.errors import ConfigError
from harness.scenarios.base import ScenarioDefinition
from harness.wire.request import MAX_NOTE_LENGTH, RunRequest

SHOWN_FILES = 3  # a reason names this many files, then "+N more"


@dataclass(frozen=True)
class Decision:
    scenario: str
    selected: bool
    reason: str


@functools.lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob on ``/``-separated paths: ``*`` and ``?`` stay within one folder, ``**`` spans
    any number of folders (``a/**/b`` also matches ``a/b``)."""
    out, index = [], 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out) + r"\Z")


def matches(pattern: str, path: str) -> bool:
    return glob_regex(pattern).match(normalize(path)) is not None


def normalize(path: str) -> str:
    """Repository-relative and ``/``-separated, as ``git diff --name-only`` prints paths."""
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def check_map(config: SelectionConfig, known: Iterable[str]) -> None:
    """Every scenario the map names must exist, so a typo is an error, not a skip."""
    names = set(known)
    for pattern, scenarios in config.map.items():
        unknown = sorted(set(scenarios) - names)
        if unknown:
            raise ConfigError(
                f"selection.map.{pattern!r}: unknown scenario(s) {unknown}; "
                f"known scenarios: {', '.join(sorted(names))}"
            )


def _files(files: Sequence[str]) -> str:
    shown = ", ".join(files[:SHOWN_FILES])
    more = len(files) - SHOWN_FILES
    return f"{shown} (+{more} more)" if more > 0 else shown


def bounded(text: str) -> str:
    return text if len(text) <= MAX_NOTE_LENGTH else text[: MAX_NOTE_LENGTH - 3] + "..."


def select(
    scenarios: Sequence[str],
    tags: Mapping[str, Sequence[str]],
    changed: Sequence[str] | None,
    config: SelectionConfig,
    suite: str,
) -> list[Decision]:
    """A decision for each of ``scenarios`` (the suite, in order) given the changed files."""
    if changed is None:
        return [
            Decision(name, True, f"in the {suite} suite (no change list)") for name in scenarios
        ]
    files = [normalize(path) for path in changed]
    everything = [path for path in files if any(matches(p, path) for p in config.run_all)]
    if everything:
        reason = f"run everything: {_files(everything)} matches a selection.run_all pattern"
        return [Decision(name, True, bounded(reason)) for name in scenarios]
    # scenario -> the changed files that map to it (a dict: an ordered set)
    hits: dict[str, dict[str, None]] = {name: {} for name in scenarios}
    unmatched: list[str] = []
    for path in files:
        mapped = [pattern for pattern in config.map if matches(pattern, path)]
        if not mapped:
            unmatched.append(path)
        for pattern in mapped:
            for name in config.map[pattern]:
                if name in hits:
                    hits[name][path] = None
    if unmatched and config.unmatched == "all":
        reason = (
            f"run everything: no selection pattern matches {_files(unmatched)} "
            '(selection.unmatched = "all")'
        )
        return [Decision(name, True, bounded(reason)) for name in scenarios]
    always = set(config.always_run_tags)
    decisions = []
    for name in scenarios:
        if hits[name]:
            decisions.append(Decision(name, True, bounded(f"changed: {_files(list(hits[name]))}")))
        elif always & set(tags.get(name, ())):
            tag = sorted(always & set(tags.get(name, ())))[0]
            decisions.append(Decision(name, True, f"tagged {tag}: runs on every change"))
        elif not files:
            decisions.append(Decision(name, False, "no file changed"))
        else:
            decisions.append(
                Decision(name, False, f"none of the {len(files)} changed file(s) maps to it")
            )
    return decisions


def decide(
    request: RunRequest,
    config: HarnessConfig,
    catalogue: Mapping[str, ScenarioDefinition],
    suite: str,
    names: Sequence[str],
) -> list[Decision]:
    """Plan's selection: scenarios named in the request always run; a suite is narrowed to
    what the request's changed files can affect."""
    check_map(config.selection, catalogue)
    if request.scenarios is not None:
        return [Decision(name, True, "named in the request") for name in names]
    tags = {name: config.scenario(name).tags or catalogue[name].tags for name in names}
    return select(names, tags, request.flags.changed_files, config.selection, suite)
