"""docs/config-reference.md is what the config model says, key for key."""

from harness.config.reference import render_reference
from harness.layout import PROJECT_ROOT

REFERENCE = PROJECT_ROOT / "docs" / "config-reference.md"


def test_the_reference_is_current() -> None:
    assert REFERENCE.read_text() == render_reference(), (
        "docs/config-reference.md is stale: run "
        "`python -m harness.config.reference > docs/config-reference.md`"
    )


def test_the_reference_names_every_key() -> None:
    text = render_reference()
    for key in ("cold_start_max_seconds", "over_budget", "gates", "weekly", "memory_mb"):
        assert f"| `{key}` |" in text
