"""Per-session workspaces on disk: the reference target's stand-in for EFS (test scaffolding).

Layout under the target's workdir::

    efs/<sessionId>/...                     persistent workspace (survives container restarts)
    containers/<taskId>/<sessionId>/...     container-local storage (fault ``lose_workspace``)
    efs/_shared/...                         one folder for everyone (fault ``shared_workspace``)
    efs/_default/...                        where ``misroute`` sends unknown session ids
    tmp/                                    staging for atomic writes

Every path a request names is checked segment by segment and resolved against its root, so
nothing escapes a session's folder.
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Collection
from pathlib import Path

SHARED_FOLDER = "_shared"
DEFAULT_FOLDER = "_default"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")


class WorkspacePathError(ValueError):
    """A workspace path with an empty, ``.`` or ``..`` segment, or one that escapes its root."""


class WorkspaceConflictError(ValueError):
    """The path names a folder, or a file stands where a folder is needed."""


def is_safe_name(name: str) -> bool:
    """Whether ``name`` can be one folder name (session and task ids)."""
    return bool(_SAFE_NAME.match(name)) and name not in (".", "..")


def check_parts(parts: list[str]) -> list[str]:
    """Percent-decoded path segments, refused when any is empty, ``.``, ``..`` or odd."""
    for part in parts:
        if part in ("", ".", "..") or any(char in part for char in "/\\\x00"):
            raise WorkspacePathError(f"invalid workspace path segment {part!r}")
    return parts


class Workspaces:
    """Where a session's files live, given the faults and the container now serving it."""

    def __init__(self, workdir: Path, faults: Collection[str]) -> None:
        self._efs = workdir / "efs"
        self._containers = workdir / "containers"
        self._tmp = workdir / "tmp"
        for folder in (self._efs, self._containers, self._tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self._lose = "lose_workspace" in faults
        self._shared = "shared_workspace" in faults
        self._write_lock = threading.Lock()

    def root(self, session_id: str | None, task_id: str) -> Path:
        """The session's folder; ``None`` stands for a misrouted (unknown) session."""
        name = session_id if session_id is not None else DEFAULT_FOLDER
        if self._shared:
            name = SHARED_FOLDER
        if not is_safe_name(name):
            raise WorkspacePathError(f"unsafe session id {name!r}")
        if self._lose:
            if not is_safe_name(task_id):
                raise WorkspacePathError(f"unsafe task id {task_id!r}")
            return self._containers / task_id / name
        return self._efs / name

    def _file(self, root: Path, parts: list[str]) -> Path:
        target = root.joinpath(*check_parts(parts))
        if not target.resolve().is_relative_to(root.resolve()):
            raise WorkspacePathError(f"workspace path {'/'.join(parts)!r} escapes the workspace")
        return target

    def read(self, root: Path, parts: list[str]) -> bytes | None:
        """The file's bytes, or None when absent (folders count as absent)."""
        target = self._file(root, parts)
        try:
            return target.read_bytes() if target.is_file() else None
        except FileNotFoundError:
            return None

    def write(self, root: Path, parts: list[str], content: bytes) -> bool:
        """Write atomically (readers never see half a file); True when the file is new."""
        target = self._file(root, parts)
        path = "/".join(parts)
        staging = self._tmp / f"{uuid.uuid4().hex}.part"
        staging.write_bytes(content)
        with self._write_lock:  # makes "created or replaced" exact under concurrent PUTs
            try:
                if target.is_dir():
                    raise WorkspaceConflictError(f"{path!r} is a folder")
                target.parent.mkdir(parents=True, exist_ok=True)
                created = not target.exists()
                staging.replace(target)
            except (FileExistsError, NotADirectoryError) as err:
                raise WorkspaceConflictError(f"a file stands in the way of {path!r}") from err
            finally:
                staging.unlink(missing_ok=True)
        return created

    def delete_session(self, session_id: str) -> None:
        """Remove the session's own folders (persistent and on every container)."""
        if not is_safe_name(session_id):
            return
        shutil.rmtree(self._efs / session_id, ignore_errors=True)
        for container in self._containers.iterdir():
            shutil.rmtree(container / session_id, ignore_errors=True)

    def wipe_container(self, task_id: str) -> None:
        """A stopped task's local storage is gone, as on Fargate."""
        if is_safe_name(task_id):
            shutil.rmtree(self._containers / task_id, ignore_errors=True)
