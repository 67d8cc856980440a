"""Local runs whose process died (killed, power cut): found among the runs in flight on the
next start.

A local run writes ``<pid>@<host>`` as the owner of its run-in-flight entry; an entry of this
host whose process no longer exists belongs to a run that ended without cleaning up after
itself. Entries of other hosts (a shared state folder) are left to their own host.
"""

from __future__ import annotations

import os
import socket

from harness.ports import RunInFlight, RunsInFlight


def owner_tag() -> str:
    """This process, as the owner of a run in flight."""
    return f"{os.getpid()}@{socket.gethostname()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def dead_runs(in_flight: RunsInFlight) -> list[RunInFlight]:
    """Entries whose owning process on this host is gone."""
    found = []
    host = socket.gethostname()
    for entry in in_flight.in_flight():
        pid, _, owner_host = (entry.owner or "").partition("@")
        if owner_host != host or not pid.isdigit():
            continue
        if int(pid) != os.getpid() and not _alive(int(pid)):
            found.append(entry)
    return found
