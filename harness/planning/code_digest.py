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
import re
from collections.abc import Iterator
from pathlib import Path

# What runs around every scenario: the runner and the adapters a scenario talks through.
RUNTIME_MODULES = (
    "harness.scenarios.runner",
    "harness.target.api",
    "harness.target.http",
    "harness.aws.target_infra",
)
PACKAGE = "harness"


@functools.lru_cache(maxsize=1024)
def _source(module: str) -> tuple[Path, bytes] | None:
    """The module's file and source (cached for the process, like ``module_closure``)."""
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


def _statements(
    body: list[ast.stmt] | list[ast.excepthandler] | list[ast.match_case],
) -> Iterator[ast.AST]:
    """Every statement, at any depth (imports are statements: expressions, most of a
    module's nodes, need no visit; walking them made Plan take 0.4 s)."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _statements(children)


# A line that starts an import statement, and every use of the keyword.
_IMPORT_START = re.compile(rb"^[ \t]*(?:from[ \t]+\.*[\w.]*[ \t]+)?import\b", re.MULTILINE)
_IMPORT_WORD = re.compile(rb"\bimport\b")


def _import_statements(source: bytes) -> list[ast.AST]:
    """The module's import statements. Parsing a whole module to find them costs 3-4 ms
    (a sixth of Plan's time on the built-in suite); so only the lines that start one are
    parsed, when every ``import`` keyword of the source lies in such a line (then no import
    hides elsewhere: after a ``;``, in an odd layout). Otherwise, or when such a line does not
    parse on its own, the whole module is parsed."""
    spans = []
    for match in _IMPORT_START.finditer(source):
        end = _statement_end(source, match.end())
        spans.append((match.start(), end))
    covered = iter(spans)
    span = next(covered, None)
    for word in _IMPORT_WORD.finditer(source):
        while span is not None and span[1] <= word.start():
            span = next(covered, None)
        if span is None or word.start() < span[0]:
            return list(_statements(ast.parse(source).body))
    try:  # every statement of a line: "import a; import b" holds two
        return [node for start, end in spans for node in ast.parse(source[start:end].strip()).body]
    except SyntaxError:  # e.g. "import" at the start of a docstring's line
        return list(_statements(ast.parse(source).body))


def _statement_end(source: bytes, position: int) -> int:
    """Where the statement that goes on at ``position`` ends: its line's end, past lines
    continued by a backslash or inside parentheses."""
    depth = 0
    while position < len(source):
        char = source[position : position + 1]
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
        elif char == b"\\":
            position += 1  # the escaped character (a newline: the line goes on)
        elif char == b"\n" and depth <= 0:
            return position
        position += 1
    return position


@functools.lru_cache(maxsize=1024)
def _imports(module: str, package_name: str) -> frozenset[str]:
    """Modules of ``package_name`` that ``module`` imports (at any depth of its code)."""
    found_source = _source(module)
    if found_source is None:
        return frozenset()
    path, source = found_source
    package = module if _is_package(path) else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_statements(source):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            if base.split(".")[0] != package_name:
                continue
            # ``from pkg import name``: the submodule when it is one, else pkg's __init__.
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            resolved = {name for name in submodules if _source(name) is not None}
            found.update(resolved)
            if len(resolved) < len(submodules):
                found.add(base)
    return frozenset(name for name in found if name.split(".")[0] == package_name)


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
        seen[module] = found[1]
        pending.extend(_imports(module, package) - set(seen))
    return seen


def forget_sources() -> None:
    """Read every source again on the next digest (for code that rewrites sources: tests)."""
    for cached in (module_closure, _imports, _source):
        cached.cache_clear()


def closure_digest(closure: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(closure):
        digest.update(name.encode() + b"\0" + hashlib.sha256(closure[name]).digest())
    return digest.hexdigest()


def code_digest(scenario_module: str) -> str:
    """sha256 over (module name, source) of everything the scenario's run executes of ours."""
    return closure_digest(module_closure((scenario_module, *RUNTIME_MODULES)))
