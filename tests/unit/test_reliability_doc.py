"""Every test docs/reliability.md names exists: the fault matrix cannot point at nothing."""

from __future__ import annotations

import re

from harness.layout import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "reliability.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_the_fault_matrix_names_exists() -> None:
    references = REFERENCE.findall(DOC.read_text())
    assert len(references) >= 15
    for path, name in references:
        source = (PROJECT_ROOT / path).read_text()
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{path}::{name}"
