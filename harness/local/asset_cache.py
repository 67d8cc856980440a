"""Function zips of a local run, kept between runs: building the asset of a function that
bundles third-party distributions (copying them, deflating) costs a few hundred milliseconds
at every start, so a zip is reused while nothing it is made of changed.

The key is every source file's path, size and modification time, plus the versions of the
distributions it bundles: a change to any of them makes a new zip (old ones are pruned).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from harness.layout import PACKAGE_DIR, FunctionSpec, function_zip

CACHE_DIR = Path(tempfile.gettempdir()) / "harness-assets"
KEEP = 64  # zips kept; the oldest go first


def cached_function_zips(
    functions: Sequence[FunctionSpec], extra_packages: Sequence[str] = ()
) -> list[bytes]:
    """``layout.function_zip`` of each function, from the cache when its inputs are
    unchanged; the package every asset holds is listed once, not once per function."""
    package = _tree_state(PACKAGE_DIR)
    return [_cached(function, extra_packages, package) for function in functions]


def _cached(function: FunctionSpec, extra_packages: Sequence[str], package: str) -> bytes:
    key = _key(function, extra_packages, package)
    path = CACHE_DIR / f"{function.name}-{key}.zip"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    content = function_zip(function, extra_packages)
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(f".{os.getpid()}.part")
        staging.write_bytes(content)
        staging.replace(path)
        _prune()
    return content


def _tree_state(root: Path) -> str:
    """Every file under ``root`` (bytecode caches aside) with its size and modification time."""
    lines = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(files):
            stat = (Path(folder) / name).stat()
            lines.append(f"{folder}/{name}|{stat.st_size}|{stat.st_mtime_ns}\n")
    return "".join(lines)


def _key(function: FunctionSpec, extra_packages: Sequence[str], package: str) -> str:
    digest = hashlib.sha256()
    digest.update(_tree_state(function.source_dir).encode())
    digest.update(package.encode())
    for name in (*function.bundled, *extra_packages):
        try:
            digest.update(f"{name}=={version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name} missing\n".encode())  # function_zip names the problem
    return digest.hexdigest()[:20]


def _prune() -> None:
    zips = sorted(CACHE_DIR.glob("*.zip"), key=lambda item: item.stat().st_mtime)
    for old in zips[:-KEEP]:
        with contextlib.suppress(OSError):
            old.unlink()
