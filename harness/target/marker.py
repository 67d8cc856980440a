"""The test marker, in one place: every identifier the harness creates on a target starts
with ``<test_prefix><run_id>_`` (target contract), and nothing is ever deleted unless it
carries the marker.

``OURS_OR_GONE`` is the DynamoDB condition every direct delete of a session item carries (the
server checks it, so a foreign item survives whatever a scan returned); ``owned`` is the same
test for what has no conditional delete (API deletes, log streams), checked on the data as
read from the target just before deleting.
"""

from __future__ import annotations

# ":prefix" is bound to the marker; an item already gone is fine.
OURS_OR_GONE = "attribute_not_exists(sessionId) OR begins_with(clientId, :prefix)"


def owned(identifier: str, prefix: str) -> bool:
    """Whether ``identifier`` (a clientId, a log stream name) carries the marker."""
    return bool(prefix) and identifier.startswith(prefix)
