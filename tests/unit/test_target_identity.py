"""Target identity: runs against different targets are different series, never compared."""

from __future__ import annotations

import argparse

import pytest

from harness.cli.common import config_from_args
from harness.config import TargetConfig
from harness.planning.plan import name_from_endpoint, resolve_target, target_identity
from harness.wire import TargetOverride


@pytest.mark.parametrize(
    ("endpoint", "name"),
    [
        ("https://edit.example.com", "edit.example.com"),
        ("https://Edit.Example.com:8443/", "edit.example.com:8443"),
        ("http://127.0.0.1:9", "127.0.0.1:9"),
        ("https://api.example.com/edit/v2", "api.example.com_edit_v2"),
    ],
)
def test_an_unnamed_target_is_named_after_its_endpoint(endpoint: str, name: str) -> None:
    assert name_from_endpoint(endpoint) == name
    assert resolve_target(TargetConfig(endpoint=endpoint), None).name == name


def test_the_bundled_target_is_reference_and_a_named_target_keeps_its_name() -> None:
    assert target_identity(TargetConfig()) == "reference"
    assert target_identity(TargetConfig(endpoint="https://x.example")) == "x.example"
    named = TargetConfig(name="prod", endpoint="https://x.example")
    assert target_identity(named) == "prod"
    assert resolve_target(named, None).name == "prod"


def test_a_run_pointed_elsewhere_is_another_target_unless_named() -> None:
    prod = TargetConfig(name="prod", endpoint="https://prod.example")
    elsewhere = resolve_target(prod, TargetOverride(endpoint="https://staging.example"))
    assert elsewhere.name == "staging.example"
    named = TargetOverride(endpoint="https://staging.example", name="staging")
    assert resolve_target(prod, named).name == "staging"
    same = resolve_target(prod, TargetOverride(endpoint="https://prod.example", region="eu-west-1"))
    assert same.name == "prod"


def test_target_url_on_the_command_line_drops_the_configured_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HARNESS__TARGET__NAME", "reference")  # what the old default was
    args = argparse.Namespace(config=None, target="http://10.0.0.7:8080", state_dir=None)
    assert target_identity(config_from_args(args).target) == "10.0.0.7:8080"


def test_target_names_cannot_break_a_series_key() -> None:
    with pytest.raises(ValueError, match="name"):
        TargetConfig(name="a/b")
    with pytest.raises(ValueError, match="name"):
        TargetOverride(name="x#y")
