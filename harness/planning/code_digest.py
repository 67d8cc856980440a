"""The digest of the code a scenario runs: its module and every ``harness`` module it imports,
transitively, plus the modules RunScenario itself executes around it.

Read from the source files (``ast``, nothing is executed), keyed by module name rather than
path, so the Plan Lambda (whose asset holds the ``harness`` package) and a local run compute
the same digest from the same code.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
from pathlib import Path

# What runs around every scenario: the runner and the adapters a scenario talks through.
RUNTIME_MODULES = (
    "harness.scenarios.runner",
    "harness.target.api",
    "harness.target.http",
    "harness.aws.target_infra",
)
PACKAGE = "harness"


def _source(module: str) -> tuple[Path, bytes] | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    path = Path(spec.origin)
    return path, path.read_bytes()


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(module: str, path: Path, tree: ast.Module, package_name: str) -> set[str]:
    """Modules of ``package_name`` that ``module`` imports (at any depth of its code)."""
    package = module if _is_package(path) else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            # ``from pkg import name``: the submodule when it is one, else pkg's __init__.
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            resolved = {name for name in submodules if _source(name) is not None}
            found.update(resolved)
            if len(resolved) < len(submodules):
                found.add(base)
    return {name for name in found if name.split(".")[0] == package_name}


@functools.lru_cache(maxsize=256)
def module_closure(roots: tuple[str, ...], package: str = PACKAGE) -> dict[str, bytes]:
    """Source of each root and of every module of ``package`` it reaches through imports.
    Cached for the process: a Lambda container's code does not change under it."""
    seen: dict[str, bytes] = {}
    pending = list(roots)
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        found = _source(module)
        if found is None:
            continue  # e.g. harness.local, which Lambda assets do not carry
        path, source = found
        seen[module] = source
        pending.extend(_imports(module, path, ast.parse(source), package) - set(seen))
    return seen


def closure_digest(closure: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(closure):
        digest.update(name.encode() + b"\0" + hashlib.sha256(closure[name]).digest())
    return digest.hexdigest()


def code_digest(scenario_module: str) -> str:
    """sha256 over (module name, source) of everything the scenario's run executes of ours."""
    return closure_digest(module_closure((scenario_module, *RUNTIME_MODULES)))
