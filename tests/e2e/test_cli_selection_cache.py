"""Change-based selection and the result cache through the real ``harness`` command."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.local.sqlite_history import SqliteHistory
from harness.wire import Status
from tests.e2e.test_cli import harness

pytestmark = pytest.mark.e2e
FARGATE = "hephaestus/lib/fargate-stack.ts"


def test_select_explains_every_decision_without_running_anything(tmp_path: Path) -> None:
    done = harness(tmp_path, "select", "--changed-files", FARGATE)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[1:7]}
    assert "run" in rows["alb-routing"] and f"changed: {FARGATE}" in rows["alb-routing"]
    assert "tagged smoke" in rows["cold-start"]
    assert "skip" in rows["failure-recovery"] and "maps to it" in rows["failure-recovery"]
    assert "4 of 6 scenario(s) of the full suite would run (1 changed file(s))." in done.stdout
    assert not (tmp_path / ".harness").exists()  # nothing ran, nothing was stored


def test_select_since_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "webordinary"
    module = repo / "hermes" / "src" / "modules" / "edit-session"
    module.mkdir(parents=True)
    (module / "session.ts").write_text("export {}\n")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "first")
    (module / "session.ts").write_text("export const changed = true\n")
    done = harness(tmp_path, "select", "--since", "HEAD", "--repo", str(repo))
    assert done.returncode == 0, done.stderr
    assert "changed: hermes/src/modules/edit-session/session.ts" in done.stdout
    assert "5 of 6 scenario(s)" in done.stdout

    bad = harness(tmp_path, "select", "--since", "no-such-ref", "--repo", str(repo))
    assert bad.returncode == 2 and "--since: git diff" in bad.stderr


def test_a_change_runs_what_it_affects_and_an_unchanged_rerun_comes_from_the_cache(
    tmp_path: Path,
) -> None:
    state, junit = tmp_path / "state", tmp_path / "junit.xml"
    args = ("run", "--changed-files", FARGATE, "--state-dir", str(state), "--junit", str(junit))
    first = harness(tmp_path, *args)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "4 pass, 2 skipped" in first.stdout
    assert "; 2 skipped by selection; no regression" in first.stdout
    assert "failure-recovery: none of the 1 changed file(s) maps to it" in first.stdout
    skipped = {
        case.get("name"): tag.get("message") or ""
        for case in ET.parse(junit).getroot().iter("testcase")
        if (tag := case.find("skipped")) is not None
    }
    assert set(skipped) == {"session-persistence", "failure-recovery"}
    assert all("maps to it" in message for message in skipped.values())

    again = harness(tmp_path, *args)
    assert again.returncode == 0, again.stdout + again.stderr
    table = again.stdout.split("SCENARIO", 1)[1]
    assert table.count("CACHED") == 4 and "PASSED" in table
    history = SqliteHistory.in_state_dir(state)
    (latest, earlier) = history.list_runs(2)
    assert latest.counts[Status.CACHED] == 4
    assert {r.cached_from for r in latest.results if r.status is Status.CACHED} == {earlier.run_id}
    cached = [
        case
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.find("properties") is not None
    ]
    assert len(cached) == 4
    for case in cached:
        values = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert values == {"status": "cached", "cachedFrom": earlier.run_id}
    listing = harness(tmp_path, "history", "--state-dir", str(state))
    assert "4/6 (4 cached)" in listing.stdout
