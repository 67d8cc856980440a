"""Run reports as files in the local state folder (``<state_dir>/reports/<run_id>/``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from harness.errors import ReportError
from harness.report.location import ReportLocation


class LocalReportFiles:
    """Implements ``harness.ports.ReportStore`` on the local file system."""

    def write(self, location: ReportLocation, html: bytes, junit: bytes) -> None:
        if location.kind != "local":
            raise ReportError(f"{location.html} is not a local path")
        for path, body in ((Path(location.html), html), (Path(location.junit), junit)):
            write_atomically(path, body)


def write_atomically(path: Path, body: bytes) -> None:
    """Write ``body`` to a temporary file beside ``path``, then rename it over ``path``: a
    reader (a browser, a CI job) sees the old file or the new one, never half of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(body)
            Path(temporary).chmod(0o644)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise ReportError(f"cannot write {path}: {err}") from err
