"""Shared fixtures: one moto server per test process (moto's backends are process-global),
recording stand-ins for Slack and GitHub (the alert channels' true boundary is HTTP), and the
scenario-plugin example installed with pip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.local.moto_server import MotoServer, start_moto_server
from tests.plugin_example import install_example
from tests.recording import GitHubIssues, RecordingServer, github_server


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = start_moto_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def slack_server() -> Iterator[RecordingServer]:
    """A recording stand-in for a Slack incoming webhook (answers 200 "ok" unless scripted)."""
    with RecordingServer() as server:
        yield server


@pytest.fixture
def github() -> Iterator[tuple[RecordingServer, GitHubIssues]]:
    """A recording stand-in for GitHub's issues API (create, comment, close)."""
    with github_server() as pair:
        yield pair


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed scenario-plugin example (docs/examples/)."""
    return install_example(tmp_path_factory.mktemp("plugin"))
