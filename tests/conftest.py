"""Shared fixtures: one moto server per test process (moto's backends are process-global)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.local.moto_server import MotoServer, start_moto_server


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = start_moto_server()
    try:
        yield server
    finally:
        server.stop()
