from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.local.moto_server import MotoServer
from tests.integration.stacks import StackFactory, stack_factory


@pytest.fixture
def stack(moto_server: MotoServer, tmp_path: Path) -> Iterator[StackFactory]:
    with stack_factory(moto_server, tmp_path) as start:
        yield start
