"""The import rules of docs/architecture.md, read from its layer table and enforced on every
module of harness/, functions/, infra/ and app.py: imports only go down, and no module
imports what its row forbids (the core: boto3, the CDK, moto, SQLite...)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.layout import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\| (\d+) \| (.+?) \| (.+?) \|$", re.MULTILINE)
NAME = re.compile(r"`([A-Za-z0-9_.]+)`")
SOURCES = [
    *sorted((PROJECT_ROOT / "harness").rglob("*.py")),
    *sorted((PROJECT_ROOT / "functions").rglob("*.py")),
    *sorted((PROJECT_ROOT / "infra").rglob("*.py")),
    PROJECT_ROOT / "app.py",
]
Imports = list[tuple[int, str]]


@dataclass(frozen=True)
class Layer:
    prefix: str
    rank: int
    forbidden: frozenset[str]


def layers() -> dict[str, Layer]:
    """Module prefix -> its layer, from the table in docs/architecture.md."""
    return {
        prefix: Layer(prefix, int(rank), frozenset(NAME.findall(banned)))
        for rank, modules, banned in ROW.findall(DOC.read_text())
        for prefix in NAME.findall(modules)
    }


def layer_of(module: str, table: dict[str, Layer]) -> Layer | None:
    """The row of the longest prefix of ``module`` (``harness.target.http`` before
    ``harness.target``)."""
    matches = [p for p in table if module == p or module.startswith(p + ".")]
    return table[max(matches, key=len)] if matches else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str) -> Imports:
    """Every import of a source, lazy ones included, as (line, dotted name); ``from a import
    b`` counts as ``a.b`` when that is a module of this project."""
    found: Imports = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = (PROJECT_ROOT / (sub.replace(".", "/") + ".py")).exists()
                found.append((node.lineno, sub if is_module else node.module))
    return found


def violations(module: str, imports: Imports, table: dict[str, Layer]) -> list[str]:
    own = layer_of(module, table)
    if own is None:
        return [f"{module} is in no layer: add it to the table in docs/architecture.md"]
    problems = []
    for line, name in imports:
        if any(name == banned or name.startswith(banned + ".") for banned in own.forbidden):
            problems.append(f"{module}:{line} imports {name}, forbidden in {own.prefix}")
            continue
        target = layer_of(name, table)
        if target is not None and target.rank > own.rank:
            problems.append(
                f"{module}:{line} imports {name}: upward, layer {own.rank} -> {target.rank}"
            )
    return problems


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    module = module_name(path)
    if module == "harness":
        return  # the package root: its docstring and version, no imports
    assert violations(module, imports_of(path.read_text()), layers()) == []


def test_the_table_bans_what_the_core_must_not_touch() -> None:
    table = layers()
    core = [layer for layer in table.values() if layer.rank <= 5]
    assert len(core) >= 12
    for layer in core:
        assert {"boto3", "botocore", "aws_cdk", "moto", "sqlite3"} <= layer.forbidden, layer
    assert "harness.local" in table["harness.aws"].forbidden
    assert {"boto3", "harness.aws", "harness.local"} <= table["functions"].forbidden


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        ("harness.judge.x", "import boto3", "imports boto3, forbidden in harness.judge"),
        ("harness.wire.x", "def f():\n    import sqlite3", "imports sqlite3, forbidden"),
        ("harness.wire.x", "from harness.scenarios import catalogue", "upward, layer 0 -> 4"),
        ("harness.ports", "from harness.target import groups", "upward, layer 2 -> 4"),
        ("harness.aws.x", "from harness.local import engine", "forbidden in harness.aws"),
        ("functions.x.handler", "import boto3", "forbidden in functions"),
        ("harness.newthing", "import json", "in no layer"),
    ],
)
def test_a_broken_rule_is_named(module: str, source: str, problem: str) -> None:
    (found,) = violations(module, imports_of(source), layers())
    assert problem in found


def test_allowed_imports_pass() -> None:
    source = "from harness.target.http import Response\nfrom harness.wire import RunPlan"
    assert violations("harness.ports", imports_of(source), layers()) == []
