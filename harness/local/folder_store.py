"""The local twin of the S3 results bucket: objects as files under the state folder
(``cache/<key>.json``, ``results/<run>/<scenario>.json``), written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from harness.errors import StoreError


class FolderStore:
    """Implements ``harness.ports.BlobStore`` on a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
            raise StoreError(f"invalid object key {key!r}")
        return self.root.joinpath(*parts)

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StoreError(f"cannot read {path}: {err}") from err

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, staging = tempfile.mkstemp(dir=path.parent, prefix=".put-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(staging).replace(path)  # readers see the old object or the whole new one
        except OSError as err:
            raise StoreError(f"cannot write {path}: {err}") from err

    def delete_prefix(self, prefix: str) -> int:
        folder = self._path(prefix.rstrip("/"))
        if not folder.is_dir():
            return 0
        count = sum(1 for item in folder.rglob("*") if item.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        return count
